// What the power-loss simulation checks after each recovery, against its model of every record the
// write path was handed (bytes as stored, offsets, and whether the store acknowledged it durably):
// - the recovered CommitLog is a contiguous run of records the model holds, byte for byte (no
//   phantom, no duplicate, no gap), with per-queue queue offsets contiguous;
// - nothing durable was lost: the log reaches the highest `flushed` position the store published
//   (ASYNC_FLUSH loses only what came after it) and every SYNC_FLUSH put acknowledged PUT_OK is
//   there, unless expiry had deleted its segment;
// - every ConsumeQueue unit points at the record with its topic, queue and queue offset, every
//   record has its unit, and the index finds every record by its key.

import { BLANK_MAGIC_CODE } from '../../../common/message-codec.js';
import { CQ_UNIT_SIZE, readCqUnit } from '../../../engine/consumequeue/consume-queue.js';
import type { RecoveredStore } from '../../../engine/recovery/store-recovery.js';

export interface ModelRecord {
  offset: number;
  size: number;
  bytes: Buffer;
  topic: string;
  queueId: number;
  queueOffset: number;
  key: string;
  /** The store acknowledged it as durable (SYNC_FLUSH, PUT_OK). */
  acked: boolean;
}

export interface DurabilityClaims {
  /** Highest `flushed` position published before the power loss. */
  reportedFlushed: number;
  /** Highest minimum CommitLog offset expiry reached (records below may be gone). */
  expiredBelow: number;
}

/** Returns the first violation found, or undefined; `found` receives the records recovered. */
export function checkRecovered(
  recovered: RecoveredStore,
  model: ReadonlyMap<number, ModelRecord>,
  claims: DurabilityClaims,
  found: ModelRecord[],
): string | undefined {
  const { commitLog, index } = recovered;
  const end = recovered.endOffset;
  const min = commitLog.minOffset();
  if (end < claims.reportedFlushed)
    return `lost flushed data: the log ends at ${end}, below the published flushed position ${claims.reportedFlushed}`;
  const header = Buffer.alloc(8);
  const lastQueueOffset = new Map<string, number>();
  for (let at = min; at < end; ) {
    commitLog.read(at, header, 0, 8);
    if (header.readInt32BE(4) === BLANK_MAGIC_CODE) {
      at = commitLog.segmentStartOf(at) + commitLog.segmentBytes;
      continue;
    }
    const record = model.get(at);
    if (record === undefined)
      return `phantom record at ${at}: the write path never wrote one there`;
    const bytes = Buffer.alloc(record.size);
    commitLog.read(at, bytes, 0, record.size);
    if (!bytes.equals(record.bytes)) return `record at ${at} differs from the bytes written`;
    const queueKey = `${record.topic}/${record.queueId}`;
    const previous = lastQueueOffset.get(queueKey);
    if (previous !== undefined && record.queueOffset !== previous + 1)
      return `queue ${queueKey}: queue offset ${record.queueOffset} at ${at} follows ${previous}`;
    lastQueueOffset.set(queueKey, record.queueOffset);
    found.push(record);
    at += record.size;
  }
  const floor = Math.max(min, claims.expiredBelow);
  for (const record of model.values()) {
    if (record.acked && record.offset >= floor && record.offset + record.size > end)
      return `acknowledged SYNC_FLUSH put at ${record.offset} (${record.topic}/${record.queueId}#${record.queueOffset}) was lost; the log ends at ${end}`;
  }
  if (
    min > claims.expiredBelow &&
    [...model.values()].some((r) => r.acked && r.offset < min && r.offset >= claims.expiredBelow)
  )
    return `acknowledged records below ${min} vanished without expiry (expired below ${claims.expiredBelow})`;
  return checkQueues(recovered, found) ?? checkIndex(recovered, found, index !== undefined);
}

function checkQueues(recovered: RecoveredStore, found: readonly ModelRecord[]): string | undefined {
  const byOffset = new Map(found.map((r) => [r.offset, r]));
  const min = recovered.commitLog.minOffset();
  const unit = Buffer.alloc(CQ_UNIT_SIZE);
  for (const cq of recovered.queues.all()) {
    for (let qo = cq.minOffset; qo < cq.maxOffset; qo++) {
      if (cq.read(qo, 1, unit) !== 1)
        return `queue ${cq.topic}/${cq.queueId}: unit ${qo} unreadable`;
      const u = readCqUnit(unit, 0);
      if (u.commitLogOffset < min) continue;
      const record = byOffset.get(u.commitLogOffset);
      if (record === undefined)
        return `queue ${cq.topic}/${cq.queueId}: unit ${qo} points at ${u.commitLogOffset}, where no record starts`;
      if (
        record.topic !== cq.topic ||
        record.queueId !== cq.queueId ||
        record.queueOffset !== qo ||
        record.size !== u.size
      )
        return `queue ${cq.topic}/${cq.queueId}: unit ${qo} (${u.size} bytes at ${u.commitLogOffset}) points at ${record.topic}/${record.queueId}#${record.queueOffset} (${record.size} bytes)`;
    }
  }
  for (const record of found) {
    const cq = recovered.queues.get(record.topic, record.queueId);
    if (cq === undefined || record.queueOffset >= cq.maxOffset)
      return `record at ${record.offset} (${record.topic}/${record.queueId}#${record.queueOffset}) has no ConsumeQueue unit`;
    if (record.queueOffset < cq.minOffset) continue;
    cq.read(record.queueOffset, 1, unit);
    if (readCqUnit(unit, 0).commitLogOffset !== record.offset)
      return `record at ${record.offset}: its ConsumeQueue unit points elsewhere`;
  }
  return undefined;
}

function checkIndex(
  recovered: RecoveredStore,
  found: readonly ModelRecord[],
  enabled: boolean,
): string | undefined {
  if (!enabled) return undefined;
  for (const record of found) {
    const offsets =
      recovered.index?.query(record.topic, record.key, 64, 0, Number.MAX_SAFE_INTEGER) ?? [];
    if (!offsets.includes(record.offset))
      return `the index does not find key ${record.key} (record at ${record.offset})`;
  }
  return undefined;
}
