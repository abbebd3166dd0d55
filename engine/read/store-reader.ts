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
import { ReadBufferPool } from './read-buffer-pool.js';
import { RecordPlan } from './record-run.js';

const MAX_UNITS_PER_GET = 16_000;
/** Pull read buffers kept for reuse (1 MiB each): about one per response being written at once. */
const READ_BUFFERS_KEPT = 16;

/** What one getMessage has collected so far besides the records. */
interface CollectState {
  /** Bytes of the records planned or served, against maxBytes. */
  bytes: number;
  /** Planned records not served (holes, filtered out): their bytes went back to maxBytes. */
  rejected: number;
  removed: boolean;
  filtered: boolean;
  /** The queue offset of a damaged record that ends this read, or -1. */
  stopAt: number;
  /** Records ending past this CommitLog offset are not read (not confirmed by the replicas). */
  readEnd: number;
  /** Pooled buffers the records were read into, given back by the result's release(). */
  borrowed: Buffer[];
}

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
  readonly #plan = new RecordPlan();
  readonly #layout = emptyLayout();
  readonly #buffers = new ReadBufferPool(READ_BUFFERS_KEPT);

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
    const borrowed: Buffer[] = [];
    // FOUND exactly when records were collected (#collect), so the draft is a GetMessageResult.
    const result = this.#getMessage(req, readEnd, borrowed) as GetMessageResult;
    if (borrowed.length === 0) return result;
    const release = this.#releaser(borrowed);
    // Without records (every one read was a hole or filtered out) nothing refers to the buffers.
    if (result.status === GetStatus.FOUND) result.release = release;
    else release();
    return result;
  }

  /** Gives `borrowed` back to the pool once (a second call does nothing). */
  #releaser(borrowed: Buffer[]): () => void {
    return () => {
      for (const buffer of borrowed.splice(0)) this.#buffers.release(buffer);
    };
  }

  #getMessage(req: GetMessageRequest, readEnd: number, borrowed: Buffer[]): GetMessageDraft {
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
      { readEnd, borrowed },
      result,
    );
    return result;
  }

  #collect(
    req: GetMessageRequest,
    readUnits: (offset: number, count: number, target: Buffer) => number,
    available: number,
    reads: { readEnd: number; borrowed: Buffer[] },
    result: GetMessageDraft,
  ): void {
    const end = req.queueOffset + available;
    const state: CollectState = {
      bytes: 0,
      rejected: 0,
      removed: false,
      filtered: false,
      stopAt: -1,
      readEnd: reads.readEnd,
      borrowed: reads.borrowed,
    };
    const plan = this.#plan;
    plan.clear();
    let offset = req.queueOffset;
    while (offset < end && result.records.length < req.maxMsgNums && state.stopAt < 0) {
      const got = readUnits(offset, Math.min(1024, end - offset), this.#units);
      if (got === 0) break;
      const rejected = state.rejected;
      const used = this.#planUnits(req, offset, got, result, state);
      this.#serve(req, result, state);
      offset += used;
      // Planning stopped at a bound; records given back may have made room for more.
      if (used < got && state.rejected === rejected) break;
    }
    result.nextBeginOffset = state.stopAt >= 0 ? state.stopAt : offset;
    if (result.records.length > 0) result.status = GetStatus.FOUND;
    else if (state.filtered) result.status = GetStatus.NO_MATCHED_MESSAGE;
    else if (state.removed) result.status = GetStatus.MESSAGE_WAS_REMOVING;
    else result.status = GetStatus.OFFSET_FOUND_NULL;
  }

  /** Plans the wanted units of the `got` read at `offset`; returns how many units were used. */
  #planUnits(
    req: GetMessageRequest,
    offset: number,
    got: number,
    result: GetMessageDraft,
    state: CollectState,
  ): number {
    const minCommitLogOffset = this.#d.commitLog.minOffset();
    const plan = this.#plan;
    let i = 0;
    for (; i < got && result.records.length + plan.count < req.maxMsgNums; i++) {
      const pos = i * CQ_UNIT_SIZE;
      const commitLogOffset = readInt64Buffer(this.#units, pos);
      const size = this.#units.readInt32BE(pos + 8);
      if (size === PRE_BLANK_SIZE) continue;
      // Not confirmed by the replicas yet: neither it nor any later unit of the queue is read.
      if (commitLogOffset + size > state.readEnd) break;
      if (commitLogOffset < minCommitLogOffset) {
        state.removed = true;
        continue;
      }
      const isFirst = result.records.length + plan.count === 0;
      if (req.maxBytes !== undefined && !isFirst && state.bytes + size > req.maxBytes) break;
      if (!plan.hasRoomFor(size)) break;
      const tagsCode = this.#units.readInt32BE(pos + 16);
      if (req.tagsCodeFilter !== undefined && !req.tagsCodeFilter(tagsCode)) {
        state.filtered = true;
        continue;
      }
      assert(size > 0 && size <= this.#d.maxRecordBytes, 'reader: record size out of range');
      plan.add(commitLogOffset, size, offset + i);
      state.bytes += size;
    }
    return i;
  }

  /**
   * Reads the planned records into one buffer (one copy or pread per run) and adds them to
   * `result` as views of it.
   */
  #serve(req: GetMessageRequest, result: GetMessageDraft, state: CollectState): void {
    const plan = this.#plan;
    if (plan.count === 0) return;
    const bytes = this.#buffers.acquire(plan.bytes);
    if (this.#buffers.isPooled(plan.bytes)) state.borrowed.push(bytes);
    let pos = 0;
    for (let from = 0; from < plan.count && state.stopAt < 0; ) {
      const to = plan.runEnd(from, this.#d.commitLog.segmentBytes);
      let runBytes = 0;
      for (let k = from; k < to; k++) runBytes += plan.sizes[k] as number;
      const start = plan.commitLogOffsets[from] as number;
      const fromFile = this.#whileServable(result, state, plan.queueOffsets[from] as number, () =>
        this.#readSpan(start, runBytes, bytes, pos),
      );
      if (fromFile === null) break;
      for (let k = from; k < to && state.stopAt < 0; k++) {
        this.#serveRecord(req, result, state, { bytes, pos, index: k, fromFile });
        pos += plan.sizes[k] as number;
      }
      from = to;
    }
    plan.clear();
  }

  /** Checks the planned record `at.index`, read to `at.pos`, and adds it unless it is skipped. */
  #serveRecord(
    req: GetMessageRequest,
    result: GetMessageDraft,
    state: CollectState,
    at: { bytes: Buffer; pos: number; index: number; fromFile: boolean },
  ): void {
    const plan = this.#plan;
    const size = plan.sizes[at.index] as number;
    const queueOffset = plan.queueOffsets[at.index] as number;
    const commitLogOffset = plan.commitLogOffsets[at.index] as number;
    const record = this.#whileServable(result, state, queueOffset, () =>
      this.#checkedRecord(at.bytes, at.pos, commitLogOffset, size, at.fromFile),
    );
    if (record === null) return;
    // A unit that points at a record of another queue (a repair patched over the record it
    // pointed at) is a hole, not a message of this queue.
    // A record not served does not count towards maxBytes.
    if (
      record.readInt32BE(RecordField.QUEUEID) !== req.queueId ||
      readInt64Buffer(record, RecordField.QUEUEOFFSET) !== queueOffset
    ) {
      this.#reject(state, size);
      return;
    }
    if (req.recordFilter !== undefined && !req.recordFilter(record)) {
      state.filtered = true;
      this.#reject(state, size);
      return;
    }
    if (req.rawOnly !== true) result.messages.push(this.#decodeChecked(record, commitLogOffset));
    result.records.push(record);
    result.commitLogBytesBehind = this.#d.positions.get(PositionSlot.WROTE) - commitLogOffset;
  }

  #reject(state: CollectState, size: number): void {
    state.bytes -= size;
    state.rejected++;
  }

  /**
   * `read()`, or null when it failed on damage (MqError) after some records were collected: the
   * pull then ends at `queueOffset` with the records before it, and the next read starts there
   * (and fails there).
   */
  #whileServable<T>(
    result: GetMessageDraft,
    state: CollectState,
    queueOffset: number,
    read: () => T,
  ): T | null {
    try {
      return read();
    } catch (error) {
      if (result.records.length === 0 || !(error instanceof MqError)) throw error;
      state.stopAt = queueOffset;
      return null;
    }
  }

  /**
   * Copies [commitLogOffset, + length) to `target` at `at`, from the tail cache when it still holds
   * it, else from the file; true when it came from the file.
   */
  #readSpan(commitLogOffset: number, length: number, target: Buffer, at: number): boolean {
    const wroteNow = () => this.#d.positions.get(PositionSlot.WROTE);
    if (this.#d.tailCache.tryRead(commitLogOffset, length, target, at, wroteNow)) return false;
    const n = this.#d.commitLog.read(commitLogOffset, target, at, length);
    if (n !== length)
      throw new MqError(
        ErrorCode.IO_ERROR,
        `Cannot read ${length} bytes of records at CommitLog offset ${commitLogOffset}: got ${n}`,
        { commitLogOffset },
      );
    return true;
  }

  /** Reads and checks the record of `size` bytes at `commitLogOffset`. */
  readRecord(commitLogOffset: number, size: number): Buffer {
    assert(size > 0 && size <= this.#d.maxRecordBytes, 'reader: record size out of range');
    const record = Buffer.allocUnsafe(size);
    const fromFile = this.#readSpan(commitLogOffset, size, record, 0);
    return this.#checkedRecord(record, 0, commitLogOffset, size, fromFile);
  }

  /**
   * The record of `size` bytes at `pos` of `bytes` (CommitLog offset `commitLogOffset`) as a view,
   * once it checks out; the body CRC is checked when it was read from the file.
   */
  #checkedRecord(
    bytes: Buffer,
    pos: number,
    commitLogOffset: number,
    size: number,
    checkCrc: boolean,
  ): Buffer {
    const layout = this.#layout;
    const { check, reason } = checkRecord(
      bytes,
      pos,
      {
        available: size,
        expectedCommitLogOffset: commitLogOffset,
        checkCrc,
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
    return bytes.subarray(pos, pos + size);
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
