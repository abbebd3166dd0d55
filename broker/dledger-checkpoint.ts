// The Raft index <-> CommitLog offset checkpoint of a DLedger member: the last applied Raft entry
// whose records are all durable in the CommitLog (its end offset is at or below the flushed
// position). A restarted member hands that index to the Raft host as appliedIndex, so only later
// entries are replayed (and those already in the CommitLog are skipped by their offsets); when the
// CommitLog recovered less than the checkpoint says (a torn tail), the whole log is replayed.
// File (JSON): {"index": n, "term": t, "commitLogOffset": o}, replaced atomically.

import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, MqError } from '../common/errors.js';
import type { FileIO } from '../engine/io/file-io.js';
import { JsonStateFile } from '../server/config-file.js';

export interface AppliedMark {
  index: number;
  term: number;
  /** End of the entry's records in the CommitLog. */
  commitLogOffset: number;
}

/** Applied entries waiting for their bytes to be flushed; older marks are dropped first. */
const MAX_PENDING_MARKS = 4096;

function parseMark(text: string): AppliedMark {
  const v = JSON.parse(text) as Partial<AppliedMark>;
  for (const key of ['index', 'term', 'commitLogOffset'] as const) {
    if (!Number.isSafeInteger(v[key]) || (v[key] ?? -1) < 0)
      throw new MqError(ErrorCode.CONFIG_INVALID, `${key} is not a whole number`);
  }
  return v as AppliedMark;
}

export class DledgerCheckpoint {
  readonly #file: JsonStateFile<AppliedMark>;
  #pending: AppliedMark[] = [];
  #saved: AppliedMark | undefined;
  #isSaving = false;

  constructor(io: FileIO, path: string) {
    this.#file = new JsonStateFile({
      io,
      path,
      parse: parseMark,
      render: (m) => `${JSON.stringify(m)}\n`,
    });
  }

  /** The Raft index replay may start after, given the CommitLog end the store recovered. */
  appliedIndexFor(recoveredEnd: number): number {
    const mark = this.#file.load();
    this.#saved = mark;
    return mark !== undefined && mark.commitLogOffset <= recoveredEnd ? mark.index : 0;
  }

  /** An entry was applied; its records end at `commitLogOffset`. */
  applied(mark: AppliedMark): void {
    if (this.#pending.length >= MAX_PENDING_MARKS) this.#pending.shift();
    this.#pending.push(mark);
  }

  /** Saves the newest mark whose records are flushed; returns it when the file changed. */
  save(flushedOffset: number): AppliedMark | undefined {
    const durable = this.#takeDurable(flushedOffset);
    if (durable === undefined) return undefined;
    this.#file.save(durable);
    this.#saved = durable;
    return durable;
  }

  /**
   * As save(), but the file is written and fsynced on libuv's thread pool, so the broker's main
   * loop never waits for the disk (a blocking fsync here cost 10-40 ms a second under load). One
   * save at a time; a call while one runs does nothing (the next one writes a newer mark).
   */
  async saveAsync(flushedOffset: number): Promise<AppliedMark | undefined> {
    if (this.#isSaving) return undefined;
    const durable = this.#takeDurable(flushedOffset);
    if (durable === undefined) return undefined;
    this.#isSaving = true;
    try {
      await writeFileAtomicAsync(this.#file.path, `${JSON.stringify(durable)}\n`);
      this.#saved = durable;
      return durable;
    } finally {
      this.#isSaving = false;
    }
  }

  #takeDurable(flushedOffset: number): AppliedMark | undefined {
    let durable: AppliedMark | undefined;
    while (this.#pending.length > 0 && this.#pending[0]!.commitLogOffset <= flushedOffset)
      durable = this.#pending.shift();
    if (durable === undefined || durable.index === this.#saved?.index) return undefined;
    return durable;
  }
}

/** writeFileAtomic's steps (server/config-file.ts) through node:fs/promises. */
async function writeFileAtomicAsync(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(text, 'utf8');
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
