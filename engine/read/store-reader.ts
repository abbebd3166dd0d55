// The read side of the store (RocketMQ: DefaultMessageStore.getMessage, lookMessageByOffset,
// getOffsetInQueueByTime). Runs on the main thread with its own descriptors: ConsumeQueue units are
// pread from their files; records come from the shared tail cache when recent, else from the
// segment files. Every record is checked (magic, lengths, position); one read from a segment file
// also has its body CRC checked (the tail cache holds what this run wrote, the file may have rotted
// since), so a damaged record is refused with E_CORRUPT_RECORD, never served.

import { assert } from '../../common/assert.js';
import { readInt64Buffer } from '../../common/bytes.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import {
  checkRecord,
  type DecodedMessage,
  decodeRecord,
  emptyLayout,
  MESSAGE_MAGIC_CODE,
  RecordCheck,
  RecordField,
} from '../../common/message-codec.js';
import { MessageProperty } from '../../common/message-properties.js';
import type { TailCache } from '../commitlog/tail-cache.js';
import { CQ_UNIT_SIZE, PRE_BLANK_SIZE } from '../consumequeue/consume-queue.js';
import type { ConsumeQueueTable } from '../dispatch/consume-queue-table.js';
import type { SegmentedFile } from '../mapped/segmented-file.js';
import { PositionSlot, type StorePositions } from '../store-positions.js';
import {
  type GetMessageDraft,
  type GetMessageRequest,
  type GetMessageResult,
  GetStatus,
} from './get-result.js';

const MAX_UNITS_PER_GET = 16_000;

export interface StoreReaderDeps {
  commitLog: SegmentedFile;
  queues: ConsumeQueueTable;
  tailCache: TailCache;
  positions: StorePositions;
  maxRecordBytes: number;
  /** xxhash64 of a body as 16 hex digits, for BODY_XXH64 checks. */
  hashBodyHex: (body: Uint8Array) => string;
}

export class StoreReader {
  #d: StoreReaderDeps;
  #units = Buffer.alloc(CQ_UNIT_SIZE * 1024);
  #header = Buffer.alloc(8);

  constructor(deps: StoreReaderDeps) {
    this.#d = deps;
  }

  maxOffsetInQueue(topic: string, queueId: number): number {
    return this.#d.queues.get(topic, queueId)?.maxOffset ?? 0;
  }

  /** Queue ids that have a ConsumeQueue for `topic`, ascending. */
  queueIdsOf(topic: string): number[] {
    return this.#d.queues
      .queuesOf(topic)
      .map((q) => q.queueId)
      .sort((a, b) => a - b);
  }

  /** Topics that have a ConsumeQueue. */
  topics(): string[] {
    const topics = new Set<string>();
    for (const cq of this.#d.queues.all()) topics.add(cq.topic);
    return [...topics];
  }

  minOffsetInQueue(topic: string, queueId: number): number {
    return this.#d.queues.get(topic, queueId)?.minOffset ?? 0;
  }

  /**
   * The queue's end counting only messages that end at or below CommitLog offset `end`: units are
   * in CommitLog order, so it scans back from the newest unit (the few not yet confirmed).
   */
  maxOffsetBelow(topic: string, queueId: number, end: number): number {
    const cq = this.#d.queues.get(topic, queueId);
    if (cq === undefined) return 0;
    let max = cq.maxOffset;
    while (max > cq.minOffset) {
      const count = Math.min(1024, max - cq.minOffset);
      if (cq.read(max - count, count, this.#units) !== count) return max;
      for (let i = count - 1; i >= 0; i--) {
        const pos = i * CQ_UNIT_SIZE;
        const size = this.#units.readInt32BE(pos + 8);
        if (size === PRE_BLANK_SIZE || readInt64Buffer(this.#units, pos) + size <= end)
          return max - count + i + 1;
      }
      max -= count;
    }
    return max;
  }

  /** Reads from a queue; with `readEnd`, only messages ending at or below that CommitLog offset. */
  getMessage(req: GetMessageRequest, readEnd = Number.POSITIVE_INFINITY): GetMessageResult {
    // FOUND exactly when records were collected (#collect), so the draft is a GetMessageResult.
    return this.#getMessage(req, readEnd) as GetMessageResult;
  }

  #getMessage(req: GetMessageRequest, readEnd: number): GetMessageDraft {
    const result: GetMessageDraft = {
      status: GetStatus.NO_MATCHED_LOGIC_QUEUE,
      messages: [],
      records: [],
      nextBeginOffset: 0,
      minOffset: 0,
      maxOffset: 0,
      commitLogBytesBehind: 0,
    };
    const cq = this.#d.queues.get(req.topic, req.queueId);
    if (cq === undefined) return result;
    // Beyond the view's end (a consumer that read the newest units on a slave): the writer may have
    // written more than its completions have told this thread yet.
    if (req.queueOffset > cq.maxOffset)
      cq.catchUpWritten(this.#d.positions.get(PositionSlot.WROTE));
    const min = cq.minOffset;
    const max = cq.maxOffset;
    result.minOffset = min;
    result.maxOffset = max;
    if (max === 0) return { ...result, status: GetStatus.NO_MESSAGE_IN_QUEUE };
    if (req.queueOffset < min)
      return { ...result, status: GetStatus.OFFSET_TOO_SMALL, nextBeginOffset: min };
    if (req.queueOffset === max)
      return { ...result, status: GetStatus.OFFSET_OVERFLOW_ONE, nextBeginOffset: max };
    if (req.queueOffset > max)
      return {
        ...result,
        status: GetStatus.OFFSET_OVERFLOW_BADLY,
        nextBeginOffset: min === 0 ? min : max,
      };
    this.#collect(
      req,
      cq.read.bind(cq),
      Math.min(max - req.queueOffset, MAX_UNITS_PER_GET),
      readEnd,
      result,
    );
    return result;
  }

  #collect(
    req: GetMessageRequest,
    readUnits: (offset: number, count: number, target: Buffer) => number,
    available: number,
    readEnd: number,
    result: GetMessageDraft,
  ): void {
    const maxMsgNums = req.maxMsgNums;
    const minCommitLogOffset = this.#d.commitLog.minOffset();
    const wrote = this.#d.positions.get(PositionSlot.WROTE);
    let offset = req.queueOffset;
    let bytes = 0;
    let removed = false;
    let filtered = false;
    while (offset < req.queueOffset + available && result.records.length < maxMsgNums) {
      const want = Math.min(1024, req.queueOffset + available - offset);
      const got = readUnits(offset, want, this.#units);
      if (got === 0) break;
      let i = 0;
      for (; i < got && result.records.length < maxMsgNums; i++) {
        const pos = i * CQ_UNIT_SIZE;
        const commitLogOffset = readInt64Buffer(this.#units, pos);
        const size = this.#units.readInt32BE(pos + 8);
        if (size === PRE_BLANK_SIZE) continue;
        // Not confirmed by the replicas yet: neither it nor any later unit of the queue is read.
        if (commitLogOffset + size > readEnd) break;
        if (commitLogOffset < minCommitLogOffset) {
          removed = true;
          continue;
        }
        if (req.maxBytes !== undefined && result.records.length > 0 && bytes + size > req.maxBytes)
          break;
        const tagsCode = this.#units.readInt32BE(pos + 16);
        if (req.tagsCodeFilter !== undefined && !req.tagsCodeFilter(tagsCode)) {
          filtered = true;
          continue;
        }
        let record: Buffer;
        try {
          record = this.readRecord(commitLogOffset, size);
        } catch (error) {
          // Serve the records before a damaged one; the next read starts at it (and fails there).
          if (result.records.length === 0 || !(error instanceof MqError)) throw error;
          break;
        }
        // A unit that points at a record of another queue (a repair patched over the record it
        // pointed at) is a hole, not a message of this queue.
        if (
          record.readInt32BE(RecordField.QUEUEID) !== req.queueId ||
          readInt64Buffer(record, RecordField.QUEUEOFFSET) !== offset + i
        )
          continue;
        if (req.recordFilter !== undefined && !req.recordFilter(record)) {
          filtered = true;
          continue;
        }
        result.records.push(record);
        if (req.rawOnly !== true)
          result.messages.push(this.#decodeChecked(record, commitLogOffset));
        bytes += size;
        result.commitLogBytesBehind = wrote - commitLogOffset;
      }
      offset += i;
      if (i < got) break;
    }
    result.nextBeginOffset = offset;
    if (result.records.length > 0) result.status = GetStatus.FOUND;
    else if (filtered) result.status = GetStatus.NO_MATCHED_MESSAGE;
    else if (removed) result.status = GetStatus.MESSAGE_WAS_REMOVING;
    else result.status = GetStatus.OFFSET_FOUND_NULL;
  }

  /** Reads and checks the record of `size` bytes at `commitLogOffset`. */
  readRecord(commitLogOffset: number, size: number): Buffer {
    assert(size > 0 && size <= this.#d.maxRecordBytes, 'reader: record size out of range');
    const record = Buffer.allocUnsafe(size);
    const wroteNow = () => this.#d.positions.get(PositionSlot.WROTE);
    const fromFile = !this.#d.tailCache.tryRead(commitLogOffset, size, record, 0, wroteNow);
    if (fromFile) {
      const n = this.#d.commitLog.read(commitLogOffset, record, 0, size);
      if (n !== size)
        throw new MqError(
          ErrorCode.IO_ERROR,
          `Cannot read ${size} bytes of the record at CommitLog offset ${commitLogOffset}: got ${n}`,
          { commitLogOffset },
        );
    }
    const layout = emptyLayout();
    const { check, reason } = checkRecord(
      record,
      0,
      {
        available: size,
        expectedCommitLogOffset: commitLogOffset,
        checkCrc: fromFile,
        maxRecordBytes: this.#d.maxRecordBytes,
      },
      layout,
    );
    if (check !== RecordCheck.OK || layout.totalSize !== size) {
      throw new MqError(
        ErrorCode.CORRUPT_RECORD,
        `The record at CommitLog offset ${commitLogOffset} does not check out: ${reason || `size ${layout.totalSize} where the queue says ${size}`}`,
        { commitLogOffset },
      );
    }
    return record;
  }

  /** Size of the record at `commitLogOffset`, read from its header; 0 when nothing is there. */
  recordSizeAt(commitLogOffset: number): number {
    if (
      commitLogOffset < this.#d.commitLog.minOffset() ||
      commitLogOffset >= this.#d.positions.get(PositionSlot.WROTE)
    )
      return 0;
    const wroteNow = () => this.#d.positions.get(PositionSlot.WROTE);
    if (!this.#d.tailCache.tryRead(commitLogOffset, 8, this.#header, 0, wroteNow)) {
      if (this.#d.commitLog.read(commitLogOffset, this.#header, 0, 8) !== 8) return 0;
    }
    return this.#header.readInt32BE(4) === MESSAGE_MAGIC_CODE ? this.#header.readInt32BE(0) : 0;
  }

  lookMessageByOffset(commitLogOffset: number): DecodedMessage | undefined {
    const size = this.recordSizeAt(commitLogOffset);
    if (size <= 0) return undefined;
    return this.#decodeChecked(this.readRecord(commitLogOffset, size), commitLogOffset);
  }

  #decodeChecked(record: Buffer, commitLogOffset: number): DecodedMessage {
    const message = decodeRecord(record, 0);
    const expected = message.properties[MessageProperty.BODY_XXH64];
    if (expected !== undefined && expected !== this.#d.hashBodyHex(message.body)) {
      throw new MqError(
        ErrorCode.CHECKSUM_MISMATCH,
        `Body checksum mismatch for the message at CommitLog offset ${commitLogOffset}`,
        { commitLogOffset, topic: message.topic, queueOffset: message.queueOffset },
      );
    }
    return message;
  }

  /**
   * The newest record ending at or before `end`, found through the ConsumeQueues' last units, with
   * what identifies it (size, BODYCRC, store time): a replica's fingerprint of its log.
   */
  lastRecordBefore(
    end: number,
  ): { offset: number; size: number; bodyCrc: number; storeTimestamp: number } | undefined {
    let best: { offset: number; size: number } | undefined;
    for (const cq of this.#d.queues.all()) {
      if (cq.maxOffset <= cq.minOffset || cq.read(cq.maxOffset - 1, 1, this.#units) !== 1) continue;
      const offset = readInt64Buffer(this.#units, 0);
      const size = this.#units.readInt32BE(8);
      if (size === PRE_BLANK_SIZE || offset + size > end) continue;
      if (best === undefined || offset > best.offset) best = { offset, size };
    }
    if (best === undefined) return undefined;
    const record = this.readRecord(best.offset, best.size);
    const m = decodeRecord(record, 0);
    return {
      offset: best.offset,
      size: best.size,
      bodyCrc: m.bodyCrc,
      storeTimestamp: m.storeTimestamp,
    };
  }

  /** Store time of the message at `queueOffset` of a queue, or undefined. */
  storeTimestampAt(topic: string, queueId: number, queueOffset: number): number | undefined {
    const cq = this.#d.queues.get(topic, queueId);
    if (cq === undefined || cq.read(queueOffset, 1, this.#units) !== 1) return undefined;
    const commitLogOffset = readInt64Buffer(this.#units, 0);
    const size = this.#units.readInt32BE(8);
    if (size === PRE_BLANK_SIZE || commitLogOffset < this.#d.commitLog.minOffset())
      return undefined;
    return decodeRecord(this.readRecord(commitLogOffset, size), 0).storeTimestamp;
  }

  /**
   * The first queue offset whose message was stored at or after `timestamp` (binary search over
   * the queue); maxOffset when every message is older, minOffset when every one is newer.
   */
  searchOffsetByTimestamp(topic: string, queueId: number, timestamp: number): number {
    const cq = this.#d.queues.get(topic, queueId);
    if (cq === undefined) return 0;
    let low = cq.minOffset;
    let high = cq.maxOffset;
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      const ts = this.storeTimestampAt(topic, queueId, mid);
      if (ts === undefined || ts < timestamp) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
