// The abort marker and the store lock (RocketMQ: <root>/abort and <root>/lock).
// `abort` exists while a store is open: finding it at open means the last run did not close
// cleanly. `lock` holds the owner's pid, so a second process (or a second open in this process)
// cannot use the same store; a lock left by a dead process is taken over.

import { ErrorCode, MqError } from '../../common/errors.js';
import type { FileIO } from '../io/file-io.js';

const openInThisProcess = new Set<string>();

export interface LockProbe {
  /** True when a process with this pid is alive. */
  isAlive(pid: number): boolean;
  ownPid: number;
}

export function acquireStoreLock(io: FileIO, rootDir: string, probe: LockProbe): () => void {
  const path = `${rootDir}/lock`;
  if (openInThisProcess.has(path)) {
    throw new MqError(
      ErrorCode.STORE_LOCKED,
      `Cannot open store "${rootDir}": it is already open in this process`,
      { rootDir },
    );
  }
  const pidBuf = Buffer.alloc(16);
  if (!io.createExclusive(path)) {
    const fd = io.open(path, { create: false });
    const n = io.read(fd, pidBuf, 0, 16, 0);
    io.close(fd);
    const owner = Number(pidBuf.toString('latin1', 0, n).trim());
    if (
      Number.isSafeInteger(owner) &&
      owner > 0 &&
      owner !== probe.ownPid &&
      probe.isAlive(owner)
    ) {
      throw new MqError(
        ErrorCode.STORE_LOCKED,
        `Cannot open store "${rootDir}": process ${owner} holds its lock`,
        { rootDir, owner },
      );
    }
  }
  const fd = io.open(path, { create: true });
  const text = Buffer.from(String(probe.ownPid));
  io.truncate(fd, 0);
  io.write(fd, text, 0, text.byteLength, 0);
  io.close(fd);
  openInThisProcess.add(path);
  return () => {
    openInThisProcess.delete(path);
    io.unlink(path);
  };
}

/** Returns whether the previous run ended abnormally, and creates the marker for this run. */
export function markRunning(io: FileIO, rootDir: string): boolean {
  const path = `${rootDir}/abort`;
  const crashed = io.exists(path);
  if (!crashed) {
    io.createExclusive(path);
    io.syncDir(rootDir);
  }
  return crashed;
}

export function markCleanExit(io: FileIO, rootDir: string): void {
  io.unlink(`${rootDir}/abort`);
  io.syncDir(rootDir);
}
