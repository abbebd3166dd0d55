// Directories that survive a power loss. A new directory entry (like a new file's) is durable only
// once its parent directory is fsync'ed, so `mkdir -p` alone can lose a whole directory of
// fdatasync'ed files: the store's first CommitLog segment, a new queue's ConsumeQueue files.

import { dirname } from 'node:path';
import type { FileIO } from './file-io.js';

/** mkdir -p, then an fsync of the parent of every directory it created (outermost last). */
export function makeDirsDurable(io: FileIO, dir: string): void {
  const created: string[] = [];
  for (let d = dir; !io.exists(d); d = dirname(d)) {
    created.push(d);
    if (dirname(d) === d) break;
  }
  if (created.length === 0) return;
  io.mkdirp(dir);
  for (const d of created) io.syncDir(dirname(d));
}
