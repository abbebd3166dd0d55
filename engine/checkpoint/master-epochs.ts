// Where each master run of this store began writing (its epochs): the CommitLog end at every open
// as a master. A slave that reconnects is checked against them (ha/master-slave/replica-check.ts):
// bytes it holds past a run start that it did not get during that run may differ from the master's.
// File `epochs`: one decimal offset per line, written to a temporary file, fsynced and renamed.

import type { FileIO } from '../io/file-io.js';

const MAX_EPOCHS = 1000;

export function loadEpochStarts(io: FileIO, rootDir: string): number[] {
  const path = `${rootDir}/epochs`;
  if (!io.exists(path)) return [];
  const fd = io.open(path, { create: false, readOnly: true });
  try {
    const buf = Buffer.alloc(io.sizeOf(fd));
    io.read(fd, buf, 0, buf.byteLength, 0);
    return buf
      .toString('latin1')
      .split('\n')
      .filter((line) => /^\d+$/.test(line))
      .map(Number);
  } finally {
    io.close(fd);
  }
}

/** Records a new run starting at `startOffset` (kept ascending, at most MAX_EPOCHS). */
export function recordEpochStart(io: FileIO, rootDir: string, startOffset: number): number[] {
  const epochs = loadEpochStarts(io, rootDir).filter((e) => e <= startOffset);
  if (epochs.at(-1) !== startOffset) epochs.push(startOffset);
  const kept = epochs.slice(-MAX_EPOCHS);
  const text = Buffer.from(`${kept.join('\n')}\n`, 'latin1');
  const temp = `${rootDir}/epochs.tmp`;
  const fd = io.open(temp, { create: true });
  io.truncate(fd, 0);
  io.write(fd, text, 0, text.byteLength, 0);
  io.sync(fd);
  io.close(fd);
  io.rename(temp, `${rootDir}/epochs`);
  io.syncDir(rootDir);
  return kept;
}
