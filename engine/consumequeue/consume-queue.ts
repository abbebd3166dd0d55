// One ConsumeQueue: the per-(topic, queueId) array of 20-byte units that consumers read by queue
// offset (RocketMQ: store/.../ConsumeQueue.java). Unit n lives at byte n * 20 of the queue's
// segmented byte space (files of mappedFileSizeConsumeQueue bytes under consumequeue/<topic>/<id>/).
//
// Unit, 20 bytes, big-endian:
// +--------------------------+----------------+---------------------------+
// | commitLogOffset (int64)  | size (int32)   | tagsCode (int64)          |
// +--------------------------+----------------+---------------------------+
// A "pre-blank" unit (0, 0x7fffffff, 0) fills positions below a queue's first real unit, so a
// queue can start at a non-zero offset (a slave that joins mid-stream, expired segments).
//
// Invariants: units are written in queue-offset order; a unit below maxOffset is never rewritten;
// maxOffset only moves back through truncateFrom (recovery).

import { assert } from '../../common/assert.js';
import { readInt64Buffer, writeInt64Buffer } from '../../common/bytes.js';
import type { FileIO } from '../io/file-io.js';
import { SegmentedFile } from '../mapped/segmented-file.js';

export const CQ_UNIT_SIZE = 20;
export const PRE_BLANK_SIZE = 0x7fffffff;

export interface CqUnit {
  commitLogOffset: number;
  size: number;
  tagsCode: number;
}

export function writeCqUnit(
  buf: Buffer,
  pos: number,
  commitLogOffset: number,
  size: number,
  tagsCode: number,
): void {
  writeInt64Buffer(buf, pos, commitLogOffset);
  buf.writeInt32BE(size, pos + 8);
  writeInt64Buffer(buf, pos + 12, tagsCode);
}

export function readCqUnit(buf: Buffer, pos: number): CqUnit {
  return {
    commitLogOffset: readInt64Buffer(buf, pos),
    size: buf.readInt32BE(pos + 8),
    tagsCode: readInt64Buffer(buf, pos + 12),
  };
}

function isUnitValid(buf: Buffer, pos: number): boolean {
  return buf.readInt32BE(pos) >= 0 && buf.readInt32BE(pos + 8) > 0;
}

/** Units a view reads ahead of its max offset in one catchUpWritten() call, and per read. */
/** Bytes of units read per recovery step: 13,107 units, about 256 KiB. */
const RECOVER_STEP_BYTES = 13_107 * CQ_UNIT_SIZE;
const CATCH_UP_UNITS = 1024;
const CATCH_UP_CHUNK_UNITS = 64;

function isPreBlank(buf: Buffer, pos: number): boolean {
  return buf.readInt32BE(pos + 8) === PRE_BLANK_SIZE;
}

export class ConsumeQueue {
  readonly topic: string;
  readonly queueId: number;
  #file: SegmentedFile;
  #maxOffset = 0;
  #minOffset = 0;
  #maxPhysicOffset = -1;
  #pending: Buffer;
  #pendingUnits = 0;
  #pendingFrom = 0;
  #gapUnits = 0;
  #syncedBytes = 0;
  readonly #followsWriter: boolean;

  constructor(
    io: FileIO,
    rootDir: string,
    topic: string,
    queueId: number,
    segmentBytes: number,
    options: { followsWriter?: boolean } = {},
  ) {
    assert(
      segmentBytes % CQ_UNIT_SIZE === 0,
      'consume queue segment size must be a multiple of 20',
    );
    this.topic = topic;
    this.queueId = queueId;
    this.#followsWriter = options.followsWriter === true;
    this.#file = new SegmentedFile(
      io,
      `${rootDir}/consumequeue/${topic}/${queueId}`,
      segmentBytes,
      options,
    );
    this.#pending = Buffer.alloc(CQ_UNIT_SIZE * 256);
  }

  get maxOffset(): number {
    return this.#maxOffset;
  }

  get minOffset(): number {
    return this.#minOffset;
  }

  /** End (offset + size) of the last record this queue references; -1 when empty. */
  get maxPhysicOffset(): number {
    return this.#maxPhysicOffset;
  }

  get gapUnits(): number {
    return this.#gapUnits;
  }

  get pendingUnits(): number {
    return this.#pendingUnits;
  }

  /** Queue offset the next appended unit gets. */
  get nextOffset(): number {
    return this.#maxOffset + this.#pendingUnits;
  }

  /** Opens a queue another component has already recovered, without scanning it again. */
  attach(state: { maxOffset: number; minOffset: number; maxPhysicOffset: number }): void {
    this.#file.load();
    this.#maxOffset = state.maxOffset;
    this.#minOffset = state.minOffset;
    this.#maxPhysicOffset = state.maxPhysicOffset;
  }

  /** Lists segments and finds the end of valid units (ConsumeQueue.recover), cutting a torn tail. */
  recover(): void {
    for (const steps = this.#recoverSteps(); !steps.next().done; );
  }

  /** As recover(), yielding to the event loop between reads of RECOVER_STEP_BYTES. */
  async recoverAsync(yieldToLoop: () => Promise<void>): Promise<void> {
    for (const steps = this.#recoverSteps(); !steps.next().done; ) await yieldToLoop();
  }

  *#recoverSteps(): Generator<void> {
    this.#file.load();
    const segments = this.#file.segments();
    const segmentBytes = this.#file.segmentBytes;
    const buf = Buffer.alloc(Math.min(segmentBytes, RECOVER_STEP_BYTES));
    let end = this.#file.minOffset();
    for (let i = Math.max(0, segments.length - 3); i < segments.length; i++) {
      const start = segments[i] ?? 0;
      let segmentPos = 0;
      let valid = true;
      while (valid && segmentPos < segmentBytes) {
        const read = this.#file.read(
          start + segmentPos,
          buf,
          0,
          Math.min(buf.byteLength, segmentBytes - segmentPos),
        );
        let pos = 0;
        while (pos + CQ_UNIT_SIZE <= read && isUnitValid(buf, pos)) {
          if (!isPreBlank(buf, pos))
            this.#maxPhysicOffset = readInt64Buffer(buf, pos) + buf.readInt32BE(pos + 8);
          pos += CQ_UNIT_SIZE;
        }
        segmentPos += pos;
        valid = pos === read && read > 0;
        yield;
      }
      end = start + segmentPos;
      if (segmentPos < segmentBytes) break;
    }
    this.#maxOffset = end / CQ_UNIT_SIZE;
    if (!this.#file.isEmpty()) this.#file.truncateFrom(end);
    this.#minOffset = this.#findMinOffset(0);
  }

  /** First unit at or after the oldest segment that is not a pre-blank and references >= minCommitLogOffset. */
  #findMinOffset(minCommitLogOffset: number): number {
    const first = this.#file.minOffset() / CQ_UNIT_SIZE;
    const unit = Buffer.alloc(CQ_UNIT_SIZE * 1024);
    for (let offset = first; offset < this.#maxOffset; ) {
      const count = Math.min(1024, this.#maxOffset - offset, this.#unitsLeftInSegment(offset));
      const read = this.read(offset, count, unit);
      for (let i = 0; i < read; i++) {
        const pos = i * CQ_UNIT_SIZE;
        if (!isPreBlank(unit, pos) && readInt64Buffer(unit, pos) >= minCommitLogOffset)
          return offset + i;
      }
      if (read === 0) break;
      offset += read;
    }
    return this.#maxOffset;
  }

  #unitsLeftInSegment(queueOffset: number): number {
    const byteOffset = queueOffset * CQ_UNIT_SIZE;
    return (
      (this.#file.segmentStartOf(byteOffset) + this.#file.segmentBytes - byteOffset) / CQ_UNIT_SIZE
    );
  }

  /**
   * Appends the unit for `queueOffset` (buffered until writePending). Returns false when that unit
   * is already present (idempotent re-dispatch after recovery).
   */
  append(queueOffset: number, commitLogOffset: number, size: number, tagsCode: number): boolean {
    const next = this.#maxOffset + this.#pendingUnits;
    if (queueOffset < next && this.#holds(queueOffset, commitLogOffset, size)) return false;
    if (queueOffset > next) this.#fillPreBlank(next, queueOffset);
    if (this.#pendingUnits === 0) this.#pendingFrom = queueOffset;
    if ((this.#pendingUnits + 1) * CQ_UNIT_SIZE > this.#pending.byteLength) this.#growPending();
    writeCqUnit(this.#pending, this.#pendingUnits * CQ_UNIT_SIZE, commitLogOffset, size, tagsCode);
    this.#pendingUnits++;
    this.#maxPhysicOffset = commitLogOffset + size;
    return true;
  }

  /**
   * A record dispatched again (recovery, a slave's reput) whose unit is already written: true when
   * the unit is right. A unit torn by a power loss (its file was not yet fdatasync'ed) is cut here
   * with everything after it, so the record's unit is written again.
   */
  #holds(queueOffset: number, commitLogOffset: number, size: number): boolean {
    if (
      this.#pendingUnits > 0 ||
      queueOffset >= this.#maxOffset ||
      queueOffset < this.#file.minOffset() / CQ_UNIT_SIZE
    )
      return true;
    const unit = Buffer.alloc(CQ_UNIT_SIZE);
    if (this.read(queueOffset, 1, unit) !== 1) return true;
    if (readInt64Buffer(unit, 0) === commitLogOffset && unit.readInt32BE(8) === size) return true;
    this.#file.truncateFrom(queueOffset * CQ_UNIT_SIZE);
    this.#maxOffset = queueOffset;
    this.#maxPhysicOffset = this.#lastPhysicEnd();
    if (this.#minOffset > queueOffset) this.#minOffset = queueOffset;
    return false;
  }

  /**
   * Fills [next, to) with pre-blank units. A queue with no segments yet starts its first segment
   * at the one holding `to` (fillPreBlank); a gap in a non-empty queue is counted, as it means a
   * unit was lost before it was dispatched again.
   */
  #fillPreBlank(next: number, to: number): void {
    this.writePending();
    let from = next;
    if (this.#file.isEmpty()) {
      from = this.#file.segmentStartOf(to * CQ_UNIT_SIZE) / CQ_UNIT_SIZE;
      this.#maxOffset = from;
      this.#minOffset = to;
    } else {
      this.#gapUnits += to - from;
    }
    for (let q = from; q < to; ) {
      const count = Math.min(to - q, 4096);
      if (count * CQ_UNIT_SIZE > this.#pending.byteLength)
        this.#pending = Buffer.alloc(count * CQ_UNIT_SIZE);
      for (let i = 0; i < count; i++)
        writeCqUnit(this.#pending, i * CQ_UNIT_SIZE, 0, PRE_BLANK_SIZE, 0);
      this.#pendingFrom = q;
      this.#pendingUnits = count;
      this.writePending();
      q += count;
    }
    assert(this.#maxOffset === to, 'consume queue: pre-blank fill ended at the wrong offset');
  }

  #growPending(): void {
    const bigger = Buffer.alloc(this.#pending.byteLength * 2);
    this.#pending.copy(bigger);
    this.#pending = bigger;
  }

  /** Writes buffered units with one pwrite per segment touched. */
  writePending(): void {
    let written = 0;
    while (written < this.#pendingUnits) {
      const queueOffset = this.#pendingFrom + written;
      const count = Math.min(this.#pendingUnits - written, this.#unitsLeftInSegment(queueOffset));
      this.#file.write(
        queueOffset * CQ_UNIT_SIZE,
        this.#pending,
        written * CQ_UNIT_SIZE,
        count * CQ_UNIT_SIZE,
      );
      written += count;
    }
    this.#maxOffset += this.#pendingUnits;
    this.#pendingUnits = 0;
    if (this.#pending.byteLength > CQ_UNIT_SIZE * 4096)
      this.#pending = Buffer.alloc(CQ_UNIT_SIZE * 256);
  }

  /** Reads up to `count` units from `queueOffset` into `target`; returns units read. */
  read(queueOffset: number, count: number, target: Buffer): number {
    assert(count * CQ_UNIT_SIZE <= target.byteLength, 'consume queue: target too small');
    const n = Math.min(count, this.#unitsLeftInSegment(queueOffset));
    const bytes = this.#file.read(queueOffset * CQ_UNIT_SIZE, target, 0, n * CQ_UNIT_SIZE);
    return Math.floor(bytes / CQ_UNIT_SIZE);
  }

  /**
   * A view on the main thread learns new units from the writer's completions, which can trail
   * what the writer has written (and what a slave already serves, since the HA sender follows the
   * wrote position, not the main thread). Before a reader is told it is past the end, the view
   * reads the units written after its max offset whose CommitLog bytes end at or below `wrote`.
   * At most CATCH_UP_UNITS per call; the writer's own queues (in-thread) are always exact.
   */
  catchUpWritten(wrote: number): void {
    if (!this.#followsWriter) return;
    const units = Buffer.alloc(CQ_UNIT_SIZE * CATCH_UP_CHUNK_UNITS);
    for (let left = CATCH_UP_UNITS; left > 0; ) {
      const read = this.read(this.#maxOffset, Math.min(CATCH_UP_CHUNK_UNITS, left), units);
      for (let pos = 0; pos < read * CQ_UNIT_SIZE; pos += CQ_UNIT_SIZE) {
        const size = units.readInt32BE(pos + 8);
        const written = size > 0 && readInt64Buffer(units, pos) + size <= wrote;
        if (!isPreBlank(units, pos) && !written) return;
        this.#maxOffset++;
      }
      if (read === 0) return;
      left -= read;
    }
  }

  /** Views on the main thread learn the max offset from the writer's completions. */
  raiseMaxOffset(maxOffset: number): void {
    if (maxOffset > this.#maxOffset) this.#maxOffset = maxOffset;
  }

  /** Drops units that reference CommitLog bytes at or beyond `commitLogEnd` (truncateDirtyLogicFiles). */
  truncateByCommitLogEnd(commitLogEnd: number): number {
    assert(this.#pendingUnits === 0, 'consume queue: truncate with pending units');
    const unit = Buffer.alloc(CQ_UNIT_SIZE);
    let end = this.#maxOffset;
    const first = this.#file.minOffset() / CQ_UNIT_SIZE;
    while (end > first) {
      if (this.read(end - 1, 1, unit) !== 1) break;
      if (!isPreBlank(unit, 0) && readInt64Buffer(unit, 0) < commitLogEnd) break;
      end--;
    }
    const dropped = this.#maxOffset - end;
    if (dropped > 0) {
      this.#file.truncateFrom(end * CQ_UNIT_SIZE);
      this.#maxOffset = end;
      this.#maxPhysicOffset = this.#lastPhysicEnd();
      if (this.#minOffset > end) this.#minOffset = end;
    }
    return dropped;
  }

  #lastPhysicEnd(): number {
    const unit = Buffer.alloc(CQ_UNIT_SIZE);
    for (let q = this.#maxOffset - 1; q >= this.#file.minOffset() / CQ_UNIT_SIZE; q--) {
      if (this.read(q, 1, unit) !== 1) break;
      if (!isPreBlank(unit, 0)) return readInt64Buffer(unit, 0) + unit.readInt32BE(8);
    }
    return -1;
  }

  /** After old CommitLog segments are deleted: the first unit still readable becomes the minimum. */
  correctMinOffset(minCommitLogOffset: number): void {
    this.#minOffset = this.#findMinOffset(minCommitLogOffset);
  }

  /** Deletes whole segments whose units all point below `minCommitLogOffset`; returns the count. */
  deleteExpiredSegments(minCommitLogOffset: number): number {
    let deleted = 0;
    const segments = this.#file.segments();
    const unitsPerSegment = this.#file.segmentBytes / CQ_UNIT_SIZE;
    while (segments.length > 1) {
      const lastUnitOfFirst = (segments[0] ?? 0) / CQ_UNIT_SIZE + unitsPerSegment - 1;
      const unit = Buffer.alloc(CQ_UNIT_SIZE);
      if (this.read(lastUnitOfFirst, 1, unit) !== 1) break;
      if (
        readInt64Buffer(unit, 0) + unit.readInt32BE(8) > minCommitLogOffset &&
        !isPreBlank(unit, 0)
      )
        break;
      this.#file.deleteOldest();
      deleted++;
    }
    this.correctMinOffset(minCommitLogOffset);
    return deleted;
  }

  /** Deletes every segment: the queue starts over (a slave wiped to resync from its master). */
  destroy(): void {
    assert(this.#pendingUnits === 0, 'consume queue: destroy with pending units');
    while (!this.#file.isEmpty()) this.#file.deleteOldest();
    this.#maxOffset = 0;
    this.#minOffset = 0;
    this.#maxPhysicOffset = -1;
    this.#syncedBytes = 0;
  }

  /** fdatasyncs the segments written since the last sync. */
  sync(): void {
    const end = this.#maxOffset * CQ_UNIT_SIZE;
    this.#file.sync(Math.max(this.#syncedBytes, this.#file.minOffset()), end);
    this.#syncedBytes = end;
  }

  /** Path of the newest segment, for the flusher. */
  newestSegmentPath(): string | undefined {
    const last = this.#file.segments().at(-1);
    return last === undefined ? undefined : this.#file.pathOf(last);
  }

  close(): void {
    this.#file.close();
  }
}
