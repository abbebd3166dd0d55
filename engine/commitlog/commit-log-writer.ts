// The CommitLog writer (RocketMQ: CommitLog.putMessage's in-lock part plus DefaultAppendMessageCallback).
// It takes encoded records whose offsets are still zero, assigns each its queue offset and physical
// offset, stamps the store time and fills BODYCRC (and the xxhash64 property when asked), copies it
// into the tail cache, and dispatches it. commitBatch() then writes everything with one pwrite per
// segment piece, writes the batch's ConsumeQueue units and index entries, and returns the new wrote
// position. It runs on the writer worker, or in-thread when `threads: false`; it never fsyncs.
//
// Invariants: wrotePosition only grows; a record never spans two segments (a BLANK record closes a
// segment that cannot hold the next record); bytes are on disk (page cache) before wrotePosition
// covers them; queue offsets per queue are contiguous.

import { assert } from '../../common/assert.js';
import { writeInt64Buffer } from '../../common/bytes.js';
import type { Clock } from '../../common/clock.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import {
  BLANK_MAGIC_CODE,
  checkRecord,
  END_FILE_MIN_BLANK_LENGTH,
  emptyLayout,
  encodeBlankRecord,
  RecordCheck,
  RecordField,
  SysFlag,
  storeTimestampPosition,
  TRANSACTION_TYPE_MASK,
} from '../../common/message-codec.js';
import type { ConsumeQueue } from '../consumequeue/consume-queue.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { SegmentedFile } from '../mapped/segmented-file.js';
import { parseRecordForDispatch } from './record-parse.js';
import type { TailCache } from './tail-cache.js';

export interface AppendResult {
  queueOffset: number;
  commitLogOffset: number;
}

/** A record of the batch written from its source (appendDirect) rather than the tail cache. */
interface DirectPiece {
  offset: number;
  src: Buffer;
  pos: number;
  length: number;
}

export class CommitLogWriter {
  #commitLog: SegmentedFile;
  #tail: TailCache;
  #dispatcher: Dispatcher;
  #clock: Clock;
  #wrote: number;
  #batchStart: number;
  #dispatched: number;
  #lastStoreTimestamp = 0;
  #maxRecordBytes: number;
  #reputScratch: Buffer | undefined;
  /** The batch's records left out of the tail cache, by offset; their sources must stay valid. */
  #direct: DirectPiece[] = [];

  constructor(
    deps: {
      commitLog: SegmentedFile;
      tailCache: TailCache;
      dispatcher: Dispatcher;
      clock: Clock;
      maxRecordBytes: number;
    },
    wrotePosition: number,
  ) {
    assert(Number.isSafeInteger(wrotePosition) && wrotePosition >= 0, 'writer: bad start position');
    this.#commitLog = deps.commitLog;
    this.#tail = deps.tailCache;
    this.#dispatcher = deps.dispatcher;
    this.#clock = deps.clock;
    this.#wrote = wrotePosition;
    this.#batchStart = wrotePosition;
    this.#dispatched = wrotePosition;
    this.#maxRecordBytes = deps.maxRecordBytes;
  }

  /** End of the last complete record dispatched (below appendedPosition only while a replicated record is partial). */
  get dispatchedPosition(): number {
    return this.#dispatched;
  }

  /** End of everything appended, committed or not. */
  get appendedPosition(): number {
    return this.#wrote;
  }

  /** Bytes appended since the last commitBatch. */
  get batchBytes(): number {
    return this.#wrote - this.#batchStart;
  }

  /**
   * True when a record of `length` bytes still fits the current batch (the tail cache safety
   * bound). Hosts commit first when it does not, and call closeSegmentFor() before append().
   */
  fitsBatch(length: number): boolean {
    return this.batchBytes + length <= this.#tail.maxBatchBytes;
  }

  /**
   * Closes the current segment with a BLANK record when a record of `length` bytes does not fit
   * in it; returns true if it did. The host commits right after, so a batch never holds both the
   * padding and a record: each stays within one largest record of the published position.
   */
  closeSegmentFor(length: number): boolean {
    const left = this.#commitLog.segmentBytes - (this.#wrote % this.#commitLog.segmentBytes);
    if (length + END_FILE_MIN_BLANK_LENGTH <= left) return false;
    this.#closeSegment(left);
    return true;
  }

  /** The batch holds records whose bytes are only in their sources (see appendDirect). */
  get hasDirect(): boolean {
    return this.#direct.length > 0;
  }

  /**
   * As append(), but the record is left out of the tail cache: commitBatch() pwrites it from
   * src, which the caller keeps unchanged until then (or until copyDirectToCache()), and raises
   * the tail cache's floor past it, so readers take it from the file. A copy fewer per record.
   */
  appendDirect(src: Buffer, pos: number, length: number, out: AppendResult): void {
    const offset = this.#wrote;
    this.#append(src, pos, length, out, false);
    this.#direct.push({ offset, src, pos, length });
  }

  /** Copies the batch's direct records into the tail cache: their sources may be released. */
  copyDirectToCache(): void {
    for (const d of this.#direct) this.#tail.put(d.offset, d.src, d.pos, d.length);
    this.#direct.length = 0;
  }

  /**
   * Appends the encoded record src[pos .. pos + length); patches it in place first (the caller's
   * buffer is scratch: the ring slot it came from). Returns its offsets through `out`.
   */
  append(src: Buffer, pos: number, length: number, out: AppendResult): void {
    this.#append(src, pos, length, out, true);
  }

  #append(src: Buffer, pos: number, length: number, out: AppendResult, cache: boolean): void {
    assert(src.readInt32BE(pos) === length, 'writer: record length disagrees with its TOTALSIZE');
    assert(
      length + END_FILE_MIN_BLANK_LENGTH <= this.#commitLog.segmentBytes,
      'writer: record larger than a segment',
    );
    const left = this.#commitLog.segmentBytes - (this.#wrote % this.#commitLog.segmentBytes);
    assert(length + END_FILE_MIN_BLANK_LENGTH <= left, 'writer: closeSegmentFor was not called');
    const record = parseRecordForDispatch(src, pos, length);
    const tx = record.sysFlag & TRANSACTION_TYPE_MASK;
    const inQueue = tx !== SysFlag.TRANSACTION_PREPARED && tx !== SysFlag.TRANSACTION_ROLLBACK;
    const queueOffset = inQueue
      ? this.#dispatcher.nextQueueOffset(record.topic, record.queueId)
      : 0;
    const now = this.#clock.nowMs();
    const storeTimestamp = Math.max(now, this.#lastStoreTimestamp);
    this.#lastStoreTimestamp = storeTimestamp;
    writeInt64Buffer(src, pos + RecordField.QUEUEOFFSET, queueOffset);
    writeInt64Buffer(src, pos + RecordField.PHYSICALOFFSET, this.#wrote);
    writeInt64Buffer(src, pos + storeTimestampPosition(record.sysFlag), storeTimestamp);
    if (cache) this.#tail.put(this.#wrote, src, pos, length);
    record.queueOffset = queueOffset;
    record.commitLogOffset = this.#wrote;
    record.storeTimestamp = storeTimestamp;
    this.#dispatcher.dispatch(record, now);
    out.queueOffset = queueOffset;
    out.commitLogOffset = this.#wrote;
    this.#wrote += length;
    this.#dispatched = this.#wrote;
  }

  /** Writes a BLANK record over the `left` bytes that remain in the current segment. */
  #closeSegment(left: number): void {
    const zeros = Buffer.alloc(Math.min(left, 64 * 1024));
    for (let done = 0; done < left; done += zeros.byteLength) {
      this.#tail.put(this.#wrote + done, zeros, 0, Math.min(zeros.byteLength, left - done));
    }
    const blank = Buffer.alloc(END_FILE_MIN_BLANK_LENGTH);
    encodeBlankRecord(blank, 0, left);
    this.#tail.put(this.#wrote, blank, 0, END_FILE_MIN_BLANK_LENGTH);
    this.#wrote += left;
    this.#dispatched = this.#wrote;
    assert(
      this.#wrote % this.#commitLog.segmentBytes === 0,
      'writer: blank did not end the segment',
    );
  }

  /**
   * Appends raw CommitLog bytes replicated from a master (a slave's path). They must start at the
   * current end and stay inside one segment; records they complete are checked and dispatched by
   * commitBatch(). Returns false, appending nothing, on an offset mismatch.
   */
  appendRaw(commitLogOffset: number, src: Buffer, pos: number, length: number): boolean {
    if (commitLogOffset !== this.#wrote) return false;
    const segmentEnd =
      this.#commitLog.segmentStartOf(commitLogOffset) + this.#commitLog.segmentBytes;
    assert(
      commitLogOffset + length <= segmentEnd,
      'writer: replicated bytes cross a segment boundary',
    );
    assert(
      this.#wrote + length - this.#dispatched <= this.#tail.maxBatchBytes,
      'writer: undispatched replicated bytes exceed a batch',
    );
    this.#tail.put(this.#wrote, src, pos, length);
    this.#wrote += length;
    return true;
  }

  /** Dispatches every complete record between the dispatched and the appended position (reput). */
  #reput(nowMs: number): void {
    if (this.#reputScratch === undefined)
      this.#reputScratch = Buffer.allocUnsafe(this.#maxRecordBytes);
    const scratch = this.#reputScratch;
    const layout = emptyLayout();
    while (this.#wrote - this.#dispatched >= 8) {
      const at = this.#dispatched;
      this.#readTail(at, scratch, 8);
      const total = scratch.readInt32BE(0);
      if (scratch.readInt32BE(4) === BLANK_MAGIC_CODE) {
        const segmentEnd = this.#commitLog.segmentStartOf(at) + this.#commitLog.segmentBytes;
        if (at + total !== segmentEnd)
          throw this.#corrupt(at, `blank record of ${total} bytes does not end its segment`);
        this.#dispatched = segmentEnd;
        continue;
      }
      if (total <= 0 || total > this.#maxRecordBytes)
        throw this.#corrupt(at, `record size ${total} out of range`);
      if (at + total > this.#wrote) return;
      this.#readTail(at, scratch, total);
      const options = {
        available: total,
        expectedCommitLogOffset: at,
        checkCrc: true,
        maxRecordBytes: this.#maxRecordBytes,
      };
      const { check, reason } = checkRecord(scratch, 0, options, layout);
      if (check !== RecordCheck.OK) throw this.#corrupt(at, reason);
      const record = parseRecordForDispatch(scratch, 0, total);
      record.queueOffset = layout.queueOffset;
      record.commitLogOffset = at;
      record.storeTimestamp = layout.storeTimestamp;
      this.#dispatcher.dispatch(record, nowMs);
      this.#dispatched = at + total;
    }
  }

  #readTail(offset: number, target: Buffer, length: number): void {
    const { index, contiguousBytes } = this.#tail.locate(offset);
    const first = Math.min(length, contiguousBytes);
    this.#tail.bytes.copy(target, 0, index, index + first);
    if (first < length) this.#tail.bytes.copy(target, first, 0, length - first);
  }

  #corrupt(offset: number, reason: string): MqError {
    return new MqError(
      ErrorCode.CORRUPT_RECORD,
      `Replicated CommitLog data at offset ${offset} does not check out: ${reason}`,
      { offset, reason },
    );
  }

  /** pwrites everything appended since the last commit, then the dispatched units; returns the end. */
  commitBatch(onQueue?: (cq: ConsumeQueue) => void): number {
    if (this.#direct.length === 0) this.#writeCached(this.#batchStart, this.#wrote);
    else this.#writeWithDirect();
    if (this.#dispatched < this.#wrote) this.#reput(this.#clock.nowMs());
    this.#dispatcher.flush(onQueue);
    this.#batchStart = this.#wrote;
    return this.#wrote;
  }

  /**
   * pwritevs the batch, one call per segment: cached ranges from the tail cache, direct records
   * from their sources. Then raises the tail cache's floor past the last direct record, before
   * the caller publishes the wrote position that covers it.
   */
  #writeWithDirect(): void {
    const log = this.#commitLog;
    const pieces: Uint8Array[] = [];
    let piecesStart = this.#batchStart;
    let offset = this.#batchStart;
    const add = (piece: Uint8Array) => {
      if (log.segmentStartOf(offset) !== log.segmentStartOf(piecesStart)) {
        log.writev(piecesStart, pieces);
        pieces.length = 0;
        piecesStart = offset;
      }
      pieces.push(piece);
      offset += piece.byteLength;
    };
    const addCached = (to: number) => {
      for (const piece of this.#cachedPieces(offset, to)) add(piece);
    };
    for (const d of this.#direct) {
      addCached(d.offset);
      add(d.src.subarray(d.pos, d.pos + d.length));
    }
    const directEnd = offset;
    addCached(this.#wrote);
    log.writev(piecesStart, pieces);
    this.#tail.raiseFloor(directEnd);
    this.#direct.length = 0;
  }

  /** pwrites [from, to) from the tail cache, one call per piece. */
  #writeCached(from: number, to: number): void {
    let offset = from;
    for (const piece of this.#cachedPieces(from, to)) {
      this.#commitLog.write(offset, piece, 0, piece.byteLength);
      offset += piece.byteLength;
    }
  }

  /** The tail cache's bytes of [from, to) as views, each inside one segment and contiguous. */
  *#cachedPieces(from: number, to: number): Generator<Uint8Array> {
    let offset = from;
    while (offset < to) {
      const segmentEnd = this.#commitLog.segmentStartOf(offset) + this.#commitLog.segmentBytes;
      const { index, contiguousBytes } = this.#tail.locate(offset);
      const length = Math.min(to - offset, segmentEnd - offset, contiguousBytes);
      yield this.#tail.bytes.subarray(index, index + length);
      offset += length;
    }
  }
}
