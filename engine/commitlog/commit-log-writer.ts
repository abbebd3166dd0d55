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
import { crc32, writeInt64Buffer } from '../../common/bytes.js';
import type { Clock } from '../../common/clock.js';
import {
  END_FILE_MIN_BLANK_LENGTH,
  encodeBlankRecord,
  RecordField,
  SysFlag,
  storeTimestampPosition,
  TRANSACTION_TYPE_MASK,
} from '../../common/message-codec.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { SegmentedFile } from '../mapped/segmented-file.js';
import { parseRecordForDispatch } from './record-parse.js';
import type { TailCache } from './tail-cache.js';

/** Ring record flags set by the encoder, telling the writer what to fill in. */
export const AppendFlag = {
  FILL_BODY_CRC: 1,
  /** The properties end with "BODY_XXH64\u0001" + 16 placeholder digits + "\u0002". */
  FILL_BODY_XXH64: 2,
} as const;

export const XXH64_PLACEHOLDER_TAIL_BYTES = 17;

export type BodyHasher = (body: Uint8Array) => bigint;

export interface AppendResult {
  queueOffset: number;
  commitLogOffset: number;
}

export class CommitLogWriter {
  #commitLog: SegmentedFile;
  #tail: TailCache;
  #dispatcher: Dispatcher;
  #clock: Clock;
  #hashBody: BodyHasher | undefined;
  #wrote: number;
  #batchStart: number;
  #lastStoreTimestamp = 0;

  constructor(
    deps: {
      commitLog: SegmentedFile;
      tailCache: TailCache;
      dispatcher: Dispatcher;
      clock: Clock;
      hashBody?: BodyHasher;
    },
    wrotePosition: number,
  ) {
    assert(Number.isSafeInteger(wrotePosition) && wrotePosition >= 0, 'writer: bad start position');
    this.#commitLog = deps.commitLog;
    this.#tail = deps.tailCache;
    this.#dispatcher = deps.dispatcher;
    this.#clock = deps.clock;
    this.#hashBody = deps.hashBody;
    this.#wrote = wrotePosition;
    this.#batchStart = wrotePosition;
  }

  /** End of everything appended, committed or not. */
  get appendedPosition(): number {
    return this.#wrote;
  }

  /** Bytes appended since the last commitBatch. */
  get batchBytes(): number {
    return this.#wrote - this.#batchStart;
  }

  /** True when a record of `length` bytes still fits the current batch (tail cache safety bound). */
  fitsBatch(length: number): boolean {
    return (
      this.batchBytes + length + END_FILE_MIN_BLANK_LENGTH + this.#blankAhead(length) <=
      this.#tail.maxBatchBytes
    );
  }

  #blankAhead(length: number): number {
    const left = this.#commitLog.segmentBytes - (this.#wrote % this.#commitLog.segmentBytes);
    return length + END_FILE_MIN_BLANK_LENGTH > left ? left : 0;
  }

  /**
   * Appends the encoded record src[pos .. pos + length); patches it in place first (the caller's
   * buffer is scratch: the ring slot it came from). Returns its offsets through `out`.
   */
  append(src: Buffer, pos: number, length: number, flags: number, out: AppendResult): void {
    assert(src.readInt32BE(pos) === length, 'writer: record length disagrees with its TOTALSIZE');
    assert(
      length + END_FILE_MIN_BLANK_LENGTH <= this.#commitLog.segmentBytes,
      'writer: record larger than a segment',
    );
    const left = this.#commitLog.segmentBytes - (this.#wrote % this.#commitLog.segmentBytes);
    if (length + END_FILE_MIN_BLANK_LENGTH > left) this.#closeSegment(left);
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
    const body = src.subarray(record.bodyOffset, record.bodyOffset + record.bodyLength);
    if ((flags & AppendFlag.FILL_BODY_CRC) !== 0)
      src.writeInt32BE(crc32(body) | 0, pos + RecordField.BODYCRC);
    if ((flags & AppendFlag.FILL_BODY_XXH64) !== 0)
      this.#fillXxh64(src, pos + length - XXH64_PLACEHOLDER_TAIL_BYTES, body);
    this.#tail.put(this.#wrote, src, pos, length);
    record.queueOffset = queueOffset;
    record.commitLogOffset = this.#wrote;
    record.storeTimestamp = storeTimestamp;
    this.#dispatcher.dispatch(record, now);
    out.queueOffset = queueOffset;
    out.commitLogOffset = this.#wrote;
    this.#wrote += length;
  }

  #fillXxh64(src: Buffer, at: number, body: Uint8Array): void {
    assert(this.#hashBody !== undefined, 'writer: xxhash64 requested without a hasher');
    const hex = this.#hashBody(body).toString(16).padStart(16, '0');
    assert(
      src.readUInt8(at + 16) === 2,
      'writer: xxhash64 placeholder not at the end of the properties',
    );
    src.write(hex, at, 16, 'latin1');
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
    assert(
      this.#wrote % this.#commitLog.segmentBytes === 0,
      'writer: blank did not end the segment',
    );
  }

  /** pwrites everything appended since the last commit, then the dispatched units; returns the end. */
  commitBatch(): number {
    let offset = this.#batchStart;
    while (offset < this.#wrote) {
      const segmentEnd = this.#commitLog.segmentStartOf(offset) + this.#commitLog.segmentBytes;
      const { index, contiguousBytes } = this.#tail.locate(offset);
      const length = Math.min(this.#wrote - offset, segmentEnd - offset, contiguousBytes);
      this.#commitLog.write(offset, this.#tail.bytes, index, length);
      offset += length;
    }
    this.#dispatcher.flush();
    this.#batchStart = this.#wrote;
    return this.#wrote;
  }
}
