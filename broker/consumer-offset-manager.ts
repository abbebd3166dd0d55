// Committed consumer offsets: for each (topic, consumer group, queue), the next queue offset the
// group will consume. Updated by UPDATE_CONSUMER_OFFSET and by pulls that carry a commit offset,
// held in memory and written to <storePathRootDir>/config/consumerOffset.json every
// flushConsumerOffsetInterval and at shutdown, atomically (config-file.ts): a crash leaves the
// previous file whole, so a restarted consumer resumes from the last persisted offsets and at
// worst receives again what it consumed after them (at-least-once).
//
// RocketMQ: broker/.../offset/ConsumerOffsetManager.java (commitOffset, queryOffset, key
// "topic@group"), ConsumerOffsetSerializeWrapper.
// File: {"offsetTable":{"TopicA@GroupA":{"0":12,"1":7}}} (Java writes the inner keys unquoted;
// we read both and write standard JSON).

import { assert } from '../common/assert.js';
import { parseFastjson } from '../protocol/index.js';
import type { StateStore } from './topic-config-manager.js';

export type OffsetTable = Record<string, Record<string, number>>;

/** (topic@group, queue) entries at most; commits for new entries beyond it are dropped. */
export const MAX_OFFSET_ENTRIES = 1_000_000;

const TOPIC_GROUP_SEPARATOR = '@';

export function parseOffsetTable(text: string): OffsetTable {
  const root = parseFastjson(text) as { offsetTable?: Record<string, Record<string, unknown>> };
  const table: OffsetTable = {};
  for (const [key, queues] of Object.entries(root.offsetTable ?? {})) {
    const row: Record<string, number> = {};
    for (const [queueId, offset] of Object.entries(queues ?? {})) {
      const value = Number(offset);
      if (!Number.isSafeInteger(value) || !/^\d+$/.test(queueId)) {
        throw new RangeError(`offsetTable.${key}.${queueId} is not a queue offset`);
      }
      row[queueId] = value;
    }
    table[key] = row;
  }
  return table;
}

export function renderOffsetTable(table: OffsetTable): string {
  return `${JSON.stringify({ offsetTable: table }, null, 2)}\n`;
}

export class ConsumerOffsetManager {
  readonly #store: StateStore<OffsetTable>;
  readonly #table = new Map<string, Map<number, number>>();
  #entries = 0;
  #isDirty = false;

  constructor(store: StateStore<OffsetTable>) {
    this.#store = store;
  }

  load(): void {
    const loaded = this.#store.load();
    if (loaded === undefined) return;
    for (const [key, row] of Object.entries(loaded)) {
      const queues = new Map<number, number>();
      for (const [queueId, offset] of Object.entries(row)) queues.set(Number(queueId), offset);
      this.#table.set(key, queues);
      this.#entries += queues.size;
    }
  }

  /** Stores an offset; false when the table is full and the entry is new. */
  commit(group: string, topic: string, queueId: number, offset: number): boolean {
    assert(Number.isSafeInteger(offset) && offset >= 0, 'committed offset is not negative');
    const key = topic + TOPIC_GROUP_SEPARATOR + group;
    let queues = this.#table.get(key);
    const isNew = queues?.has(queueId) !== true;
    if (isNew && this.#entries >= MAX_OFFSET_ENTRIES) return false;
    if (queues === undefined) {
      queues = new Map();
      this.#table.set(key, queues);
    }
    queues.set(queueId, offset);
    if (isNew) this.#entries++;
    this.#isDirty = true;
    return true;
  }

  /**
   * Takes every offset of `table` that is ahead of ours. Offsets only move forward between a
   * master and its slaves: a consumer that committed on the slave while the master was away keeps
   * its progress when the master returns (and the reverse), instead of the last copy winning.
   * Returns how many entries moved.
   */
  mergeMax(table: OffsetTable): number {
    let moved = 0;
    for (const [key, row] of Object.entries(table)) {
      const at = key.indexOf(TOPIC_GROUP_SEPARATOR);
      if (at <= 0) continue;
      const topic = key.slice(0, at);
      const group = key.slice(at + 1);
      for (const [queueId, offset] of Object.entries(row)) {
        if (!Number.isSafeInteger(offset) || offset < 0) continue;
        if (
          offset > this.query(group, topic, Number(queueId)) &&
          this.commit(group, topic, Number(queueId), offset)
        )
          moved++;
      }
    }
    return moved;
  }

  /** Forgets every offset a group committed (DELETE_SUBSCRIPTIONGROUP with removeOffset). */
  removeGroup(group: string): number {
    let removed = 0;
    for (const [key, queues] of this.#table) {
      if (!key.endsWith(TOPIC_GROUP_SEPARATOR + group)) continue;
      this.#entries -= queues.size;
      removed += queues.size;
      this.#table.delete(key);
      this.#isDirty = true;
    }
    return removed;
  }

  /** The committed offset, or -1 when the group never committed one for this queue. */
  query(group: string, topic: string, queueId: number): number {
    return this.#table.get(topic + TOPIC_GROUP_SEPARATOR + group)?.get(queueId) ?? -1;
  }

  snapshot(): OffsetTable {
    const out: OffsetTable = {};
    for (const [key, queues] of this.#table) {
      const row: Record<string, number> = {};
      for (const [queueId, offset] of [...queues].sort((a, b) => a[0] - b[0])) {
        row[String(queueId)] = offset;
      }
      out[key] = row;
    }
    return out;
  }

  /** Writes the table when it changed since the last write. */
  persist(): void {
    if (!this.#isDirty) return;
    this.#isDirty = false;
    try {
      this.#store.save(this.snapshot());
    } catch (error) {
      this.#isDirty = true;
      throw error;
    }
  }
}
