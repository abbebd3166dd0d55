// Dispatch ("reput"): turns each stored record into its ConsumeQueue unit and index entries
// (RocketMQ: DefaultMessageStore.ReputMessageService, CommitLogDispatcherBuildConsumeQueue and
// CommitLogDispatcherBuildIndex). Units and entries are buffered per batch and written by flush().
// Prepared and rolled-back transaction records get no ConsumeQueue unit, as in RocketMQ.

import { assert } from '../../common/assert.js';
import { javaHashCode } from '../../common/bytes.js';
import { SysFlag, TRANSACTION_TYPE_MASK } from '../../common/message-codec.js';
import type { ConsumeQueue } from '../consumequeue/consume-queue.js';
import type { IndexService } from '../index/index-service.js';
import type { ConsumeQueueTable } from './consume-queue-table.js';

/** Value of `key` in a properties string, or '' (no allocation beyond the result). */
export function propertyValue(properties: string, key: string): string {
  let at = properties.startsWith(`${key}\u0001`) ? 0 : properties.indexOf(`\u0002${key}\u0001`);
  if (at === -1) return '';
  at += at === 0 ? key.length + 1 : key.length + 2;
  const end = properties.indexOf('\u0002', at);
  return properties.slice(at, end === -1 ? properties.length : end);
}

/** Tags hash code stored in a ConsumeQueue unit: Java hashCode of the TAGS string, or 0. */
export function tagsCodeOf(tags: string): number {
  return tags === '' ? 0 : javaHashCode(tags);
}

/** Index entries kept in memory before one pwrite (20 bytes each). */
export const INDEX_WRITE_RUN = 8192;

export interface DispatchRecord {
  topic: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  size: number;
  sysFlag: number;
  storeTimestamp: number;
  properties: string;
}

export class Dispatcher {
  #queues: ConsumeQueueTable;
  #index: IndexService | undefined;
  #touched = new Set<ConsumeQueue>();
  #unsynced = new Set<ConsumeQueue>();
  #lastStoreTimestamp = 0;

  constructor(queues: ConsumeQueueTable, index: IndexService | undefined) {
    this.#queues = queues;
    this.#index = index;
  }

  /** Store timestamp of the newest record dispatched. */
  get lastStoreTimestamp(): number {
    return this.#lastStoreTimestamp;
  }

  /** Next queue offset of a queue (what the writer assigns to the next message). */
  nextQueueOffset(topic: string, queueId: number): number {
    return this.#queues.getOrCreate(topic, queueId).nextOffset;
  }

  dispatch(r: DispatchRecord, nowMs: number): void {
    const tx = r.sysFlag & TRANSACTION_TYPE_MASK;
    if (tx !== SysFlag.TRANSACTION_PREPARED && tx !== SysFlag.TRANSACTION_ROLLBACK) {
      const cq = this.#queues.getOrCreate(r.topic, r.queueId);
      // Paired with recovery, which cuts every queue back to the CommitLog's end: a unit only ever
      // points at a record after the last one its queue references.
      assert(
        r.queueOffset < cq.nextOffset || r.commitLogOffset >= cq.maxPhysicOffset,
        'dispatch: a new unit points before the last record its queue references',
      );
      if (
        cq.append(
          r.queueOffset,
          r.commitLogOffset,
          r.size,
          tagsCodeOf(propertyValue(r.properties, 'TAGS')),
        )
      ) {
        this.#touched.add(cq);
      }
    }
    if (this.#index !== undefined && tx !== SysFlag.TRANSACTION_ROLLBACK) {
      const uniqKey = propertyValue(r.properties, 'UNIQ_KEY');
      const keys = propertyValue(r.properties, 'KEYS');
      if (uniqKey !== '' || keys !== '')
        this.#index.putRecord(r.topic, uniqKey, keys, r.commitLogOffset, r.storeTimestamp, nowMs);
    }
    this.#lastStoreTimestamp = r.storeTimestamp;
  }

  /**
   * Writes the batch's ConsumeQueue units (readers pread them as soon as the wrote position covers
   * them). Index entries are only read through this thread, so they are written in larger runs:
   * once INDEX_WRITE_RUN are pending, and always by syncLogics().
   */
  flush(onQueue?: (cq: ConsumeQueue) => void): void {
    for (const cq of this.#touched) {
      cq.writePending();
      this.#unsynced.add(cq);
      onQueue?.(cq);
    }
    this.#touched.clear();
    if ((this.#index?.pendingEntries ?? 0) >= INDEX_WRITE_RUN) this.#index?.writePending();
  }

  /** fdatasyncs every ConsumeQueue written since the last call, and the index. */
  syncLogics(): void {
    for (const cq of this.#unsynced) cq.sync();
    this.#unsynced.clear();
    this.#index?.flush();
  }
}
