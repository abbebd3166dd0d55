// The Raft index <-> CommitLog offset checkpoint of a DLedger member: the last applied Raft entry
// whose records are all durable in the CommitLog (its end offset is at or below the flushed
// position). A restarted member hands that index to the Raft host as appliedIndex, so only later
// entries are replayed (and those already in the CommitLog are skipped by their offsets); when the
// CommitLog recovered less than the checkpoint says (a torn tail), the whole log is replayed.
// File (JSON): {"index": n, "term": t, "commitLogOffset": o}, replaced atomically.

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
    let durable: AppliedMark | undefined;
    while (this.#pending.length > 0 && this.#pending[0]!.commitLogOffset <= flushedOffset)
      durable = this.#pending.shift();
    if (durable === undefined || durable.index === this.#saved?.index) return undefined;
    this.#file.save(durable);
    this.#saved = durable;
    return durable;
  }
}
