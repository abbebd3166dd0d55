// The abort marker and the store lock (RocketMQ: <root>/abort and <root>/lock).
// `abort` exists while a store is open: finding it at open means the last run did not close
// cleanly. The lock keeps a second process (or a second open in this process) off the same store;
// a lock left by a dead process is taken over.
//
// Why generations: FileIO has no atomic "create with content" and no flock, and two processes that
// both find a stale lock must not both take it over. So the lock is a series of files
// `lock.<generation>`; a process takes the lock by creating the next generation exclusively (at
// most one creator per generation), then writes its pid into it. The newest generation is never
// deleted (release writes owner 0 into it), so a generation number is never created twice: a
// latecomer that created an old, already cleaned-up generation sees a newer one and backs off.
// A generation still empty is being written by its creator, unless older than EMPTY_LOCK_GRACE_MS
// (its creator died between create and write).

import { ErrorCode, MqError } from '../../common/errors.js';
import type { FileIO } from '../io/file-io.js';

const openInThisProcess = new Set<string>();
const GENERATION = /^lock\.(\d{1,15})$/;
const EMPTY_LOCK_GRACE_MS = 5_000;
const MAX_LOCK_ATTEMPTS = 16;
/** Owner written by release(): the store is free. */
const FREE_OWNER = 0;

export interface LockProbe {
  /** True when a process with this pid is alive. */
  isAlive(pid: number): boolean;
  ownPid: number;
  /** Wall-clock now (ms), compared with a lock file's mtime; Date.now by default. */
  nowMs?: () => number;
}

type LockOwner = { kind: 'pid'; pid: number } | { kind: 'writing' } | { kind: 'gone' };

function readOwner(io: FileIO, path: string, probe: LockProbe): LockOwner {
  const pidBuf = Buffer.alloc(24);
  let n: number;
  let modifiedMs: number;
  try {
    const fd = io.open(path, { create: false, readOnly: true });
    try {
      n = io.read(fd, pidBuf, 0, pidBuf.byteLength, 0);
    } finally {
      io.close(fd);
    }
    modifiedMs = io.modifiedMs(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
  const text = pidBuf.toString('latin1', 0, n).trim();
  if (text === '') {
    const ageMs = (probe.nowMs ?? Date.now)() - modifiedMs;
    return ageMs < EMPTY_LOCK_GRACE_MS ? { kind: 'writing' } : { kind: 'pid', pid: FREE_OWNER };
  }
  const pid = Number(text);
  return { kind: 'pid', pid: Number.isSafeInteger(pid) && pid > 0 ? pid : FREE_OWNER };
}

function generations(io: FileIO, rootDir: string): number[] {
  const found: number[] = [];
  for (const name of io.list(rootDir)) {
    const m = GENERATION.exec(name);
    if (m?.[1] !== undefined) found.push(Number(m[1]));
  }
  return found.sort((a, b) => a - b);
}

function lockedError(rootDir: string, owner: number | undefined): MqError {
  return new MqError(
    ErrorCode.STORE_LOCKED,
    owner === undefined
      ? `Cannot open store "${rootDir}": another process is taking its lock right now`
      : `Cannot open store "${rootDir}": process ${owner} holds its lock`,
    owner === undefined ? { rootDir } : { rootDir, owner },
  );
}

/** Throws E_STORE_LOCKED when the file at `path` names a live owner other than this process. */
function refuseIfHeld(io: FileIO, path: string, rootDir: string, probe: LockProbe): boolean {
  const owner = readOwner(io, path, probe);
  if (owner.kind === 'gone') return false;
  if (owner.kind === 'writing') throw lockedError(rootDir, undefined);
  if (owner.pid !== FREE_OWNER && owner.pid !== probe.ownPid && probe.isAlive(owner.pid))
    throw lockedError(rootDir, owner.pid);
  return true;
}

export function acquireStoreLock(io: FileIO, rootDir: string, probe: LockProbe): () => void {
  const key = `${rootDir}/lock`;
  if (openInThisProcess.has(key)) {
    throw new MqError(
      ErrorCode.STORE_LOCKED,
      `Cannot open store "${rootDir}": it is already open in this process`,
      { rootDir },
    );
  }
  // A lock written by an older Petrel (one `lock` file): honoured while its owner lives.
  if (io.exists(key)) refuseIfHeld(io, key, rootDir, probe);
  for (let attempt = 0; attempt < MAX_LOCK_ATTEMPTS; attempt++) {
    const newest = generations(io, rootDir).at(-1);
    if (newest !== undefined && !refuseIfHeld(io, `${rootDir}/lock.${newest}`, rootDir, probe))
      continue;
    const mine = (newest ?? 0) + 1;
    const path = `${rootDir}/lock.${mine}`;
    if (!io.createExclusive(path)) continue;
    const fd = io.open(path, { create: false });
    const text = Buffer.from(String(probe.ownPid));
    io.write(fd, text, 0, text.byteLength, 0);
    io.close(fd);
    const all = generations(io, rootDir);
    if ((all.at(-1) ?? mine) > mine) {
      // A latecomer: the generation it created had been cleaned up under a newer one.
      io.unlink(path);
      continue;
    }
    for (const g of all) if (g < mine) io.unlink(`${rootDir}/lock.${g}`);
    io.unlink(key);
    openInThisProcess.add(key);
    return () => {
      openInThisProcess.delete(key);
      // A store directory removed under the running store took its lock with it.
      if (!io.exists(path)) return;
      const release = io.open(path, { create: false });
      const free = Buffer.from(String(FREE_OWNER));
      io.truncate(release, 0);
      io.write(release, free, 0, free.byteLength, 0);
      io.close(release);
    };
  }
  throw lockedError(rootDir, undefined);
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
