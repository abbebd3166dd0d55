// The disk-full guard's rule, shared by the main thread's periodic check and the writer's check at
// each segment roll: from DISK_FULL_RATIO percent used, the store refuses writes rather than run
// into ENOSPC in the middle of a batch (RocketMQ: diskSpaceWarningLevelRatio, 0.90).

import type { FileIO } from './file-io.js';

export const DISK_FULL_RATIO = 90;

export function usedPercentOf(io: FileIO, path: string): number {
  const usage = io.diskUsage(path);
  return usage.totalBytes === 0 ? 0 : (usage.usedBytes * 100) / usage.totalBytes;
}

/**
 * An ENOSPC-shaped error when the file system holding `path` is at or over the ratio, so callers
 * treat it as the storage fault it is about to become; undefined when there is room. statfs
 * errors (ENOENT: the directory was removed) propagate.
 */
export function spaceShortage(io: FileIO, path: string): Error | undefined {
  const usedPercent = usedPercentOf(io, path);
  if (usedPercent < DISK_FULL_RATIO) return undefined;
  return Object.assign(
    new Error(
      `ENOSPC: the disk holding "${path}" is ${usedPercent.toFixed(1)}% used; the store refuses writes from ${DISK_FULL_RATIO}%`,
    ),
    { code: 'ENOSPC', syscall: 'statfs', path },
  );
}
