// Stamping for a replicated CommitLog (DLedger mode). The leader fills in every field that would
// otherwise differ between replicas (physical offset, queue offset, store timestamp) before the
// record is replicated, and says where the segment must be closed first; every replica then
// appends the same bytes through the raw-append path a slave uses, so all CommitLogs are
// byte-identical. RocketMQ does the same in DLedgerCommitLog.appendMessage (its encoder stamps
// the offsets before DLedgerServer.handleAppend).
//
// A stamped entry is [previousEnd int64 BE][record]: previousEnd is the end of the log before the
// entry; when the record's PHYSICALOFFSET is past it, the gap is the rest of the segment and is
// closed with a BLANK record, derived the same way on every replica.

import { assert } from '../../common/assert.js';
import { readInt64Buffer, writeInt64Buffer } from '../../common/bytes.js';
import {
  END_FILE_MIN_BLANK_LENGTH,
  encodeBlankRecord,
  RecordField,
  SysFlag,
  storeTimestampPosition,
  TRANSACTION_TYPE_MASK,
} from '../../common/message-codec.js';
import { parseRecordRoute } from '../commitlog/record-parse.js';

export const STAMPED_HEADER_BYTES = 8;

/** Where an applied or proposed record went, as the stamper needs to continue after it. */
export interface StampedRecord {
  previousEnd: number;
  commitLogOffset: number;
  queueOffset: number;
  length: number;
  topic: string;
  queueId: number;
  inQueue: boolean;
  storeTimestamp: number;
}

/** Reads a stamped entry's header and record fields (no copy). */
export function readStampedEntry(entry: Buffer): StampedRecord {
  assert(entry.byteLength > STAMPED_HEADER_BYTES + 8, 'stamped entry: too short');
  const previousEnd = readInt64Buffer(entry, 0);
  const length = entry.byteLength - STAMPED_HEADER_BYTES;
  const record = parseRecordRoute(entry, STAMPED_HEADER_BYTES, length);
  const tx = record.sysFlag & TRANSACTION_TYPE_MASK;
  return {
    previousEnd,
    commitLogOffset: readInt64Buffer(entry, STAMPED_HEADER_BYTES + RecordField.PHYSICALOFFSET),
    queueOffset: readInt64Buffer(entry, STAMPED_HEADER_BYTES + RecordField.QUEUEOFFSET),
    length,
    topic: record.topic,
    queueId: record.queueId,
    inQueue: tx !== SysFlag.TRANSACTION_PREPARED && tx !== SysFlag.TRANSACTION_ROLLBACK,
    storeTimestamp: readInt64Buffer(
      entry,
      STAMPED_HEADER_BYTES + storeTimestampPosition(record.sysFlag),
    ),
  };
}

/**
 * The raw CommitLog chunks an entry becomes: a BLANK record closing the segment when the record
 * starts in the next one (split so no chunk exceeds `maxChunkBytes`), then the record itself.
 */
export function rawChunksOf(
  entry: Buffer,
  stamped: StampedRecord,
  maxChunkBytes: number,
): Array<{ offset: number; bytes: Buffer }> {
  const chunks: Array<{ offset: number; bytes: Buffer }> = [];
  const gap = stamped.commitLogOffset - stamped.previousEnd;
  if (gap > 0) {
    for (let done = 0; done < gap; done += maxChunkBytes) {
      const bytes = Buffer.alloc(Math.min(maxChunkBytes, gap - done));
      if (done === 0) encodeBlankRecord(bytes, 0, gap);
      chunks.push({ offset: stamped.previousEnd + done, bytes });
    }
  }
  chunks.push({ offset: stamped.commitLogOffset, bytes: entry.subarray(STAMPED_HEADER_BYTES) });
  return chunks;
}

export interface StamperDeps {
  segmentBytes: number;
  /** The next queue offset the store itself knows of (its ConsumeQueue's max offset). */
  storedQueueEnd: (topic: string, queueId: number) => number;
}

export class RecordStamper {
  #d: StamperDeps;
  /** End of the log and queues as applied here (every replica reaches the same values). */
  #appliedEnd: number;
  #appliedQueues = new Map<string, number>();
  #appliedTimestamp = 0;
  /** The same, including what this leader proposed and is not applied yet; reset on failure. */
  #proposedEnd = 0;
  #proposedQueues = new Map<string, number>();
  #proposedTimestamp = 0;
  #undo: { end: number; key: string; queue: number | undefined; timestamp: number } | undefined;

  constructor(deps: StamperDeps, appliedEnd: number) {
    this.#d = deps;
    this.#appliedEnd = appliedEnd;
  }

  get appliedEnd(): number {
    return this.#appliedEnd;
  }

  /** Forgets proposals that may not have been applied (a failed proposal, a role change). */
  reset(): void {
    this.#proposedEnd = 0;
    this.#proposedQueues.clear();
    this.#proposedTimestamp = 0;
    this.#undo = undefined;
  }

  /** Takes back the last stamp: its proposal was refused with nothing appended. */
  undoLast(): void {
    const undo = this.#undo;
    assert(undo !== undefined, 'stamper: nothing to undo');
    this.#proposedEnd = undo.end;
    if (undo.queue === undefined) this.#proposedQueues.delete(undo.key);
    else this.#proposedQueues.set(undo.key, undo.queue);
    this.#proposedTimestamp = undo.timestamp;
    this.#undo = undefined;
  }

  /**
   * Stamps the record at record[STAMPED_HEADER_BYTES ..] in place and writes the entry header.
   * Returns the record's placement; the caller proposes the entry, and calls reset() if it fails.
   */
  stamp(entry: Buffer, nowMs: number): StampedRecord {
    const length = entry.byteLength - STAMPED_HEADER_BYTES;
    const segment = this.#d.segmentBytes;
    assert(length + END_FILE_MIN_BLANK_LENGTH <= segment, 'stamper: record larger than a segment');
    const previousEnd = Math.max(this.#proposedEnd, this.#appliedEnd);
    const left = segment - (previousEnd % segment);
    const commitLogOffset =
      length + END_FILE_MIN_BLANK_LENGTH <= left ? previousEnd : previousEnd + left;
    const record = parseRecordRoute(entry, STAMPED_HEADER_BYTES, length);
    const tx = record.sysFlag & TRANSACTION_TYPE_MASK;
    const inQueue = tx !== SysFlag.TRANSACTION_PREPARED && tx !== SysFlag.TRANSACTION_ROLLBACK;
    const key = `${record.topic}\u0001${record.queueId}`;
    const queueOffset = inQueue
      ? Math.max(
          this.#proposedQueues.get(key) ?? 0,
          this.#appliedQueues.get(key) ?? 0,
          this.#d.storedQueueEnd(record.topic, record.queueId),
        )
      : 0;
    const storeTimestamp = Math.max(nowMs, this.#proposedTimestamp, this.#appliedTimestamp);
    writeInt64Buffer(entry, 0, previousEnd);
    writeInt64Buffer(entry, STAMPED_HEADER_BYTES + RecordField.QUEUEOFFSET, queueOffset);
    writeInt64Buffer(entry, STAMPED_HEADER_BYTES + RecordField.PHYSICALOFFSET, commitLogOffset);
    const at = STAMPED_HEADER_BYTES + storeTimestampPosition(record.sysFlag);
    writeInt64Buffer(entry, at, storeTimestamp);
    this.#undo = {
      end: this.#proposedEnd,
      key,
      queue: this.#proposedQueues.get(key),
      timestamp: this.#proposedTimestamp,
    };
    this.#proposedEnd = commitLogOffset + length;
    if (inQueue) this.#proposedQueues.set(key, queueOffset + 1);
    this.#proposedTimestamp = storeTimestamp;
    return {
      previousEnd,
      commitLogOffset,
      queueOffset,
      length,
      topic: record.topic,
      queueId: record.queueId,
      inQueue,
      storeTimestamp,
    };
  }

  /** An entry was applied here (on every replica, the leader included). */
  applied(stamped: StampedRecord): void {
    this.#appliedEnd = stamped.commitLogOffset + stamped.length;
    if (stamped.inQueue)
      this.#appliedQueues.set(`${stamped.topic}\u0001${stamped.queueId}`, stamped.queueOffset + 1);
    this.#appliedTimestamp = Math.max(this.#appliedTimestamp, stamped.storeTimestamp);
  }
}
