// Is the store directory still the one this store opened? `<root>/abort` is created at open and
// removed only by a clean close, so its absence under a running store means the directory was
// removed or replaced. Checked by the guard on its period and by the write path before it
// publishes a batch (and the flusher before it publishes a flush), so no put is acknowledged into
// files that no longer have a name.

import type { FileIO } from './file-io.js';

/** An ENOENT-shaped error (a MISSING storage fault) when the marker is gone; undefined otherwise. */
export function storeDirGone(io: FileIO, rootDir: string): Error | undefined {
  const marker = `${rootDir}/abort`;
  if (io.exists(marker)) return undefined;
  return Object.assign(
    new Error(
      `ENOENT: "${marker}", created at open, is gone: the store directory was removed or replaced`,
    ),
    { code: 'ENOENT', syscall: 'stat', path: marker },
  );
}
