// Delayed delivery. A message sent with DELAY=n (or given back by a consumer) is stored in
// SCHEDULE_TOPIC_XXXX, queue n-1, with its real topic and queue in REAL_TOPIC / REAL_QID. This
// service reads each level's queue in order and, once a message's delay has passed, stores it
// again in its real topic and queue (without DELAY). Within one level every message has the same
// delay, so the queue is in due order: reading stops at the first message not yet due.
// Progress per level (the next queue offset to deliver) is kept in memory and persisted to
// <storePathRootDir>/config/delayOffset.json with the consumer offsets; after a crash the
// messages after the last persisted offset are delivered again (at-least-once).
//
// RocketMQ: store/.../schedule/ScheduleMessageService.java (DeliverDelayedMessageTimerTask,
// messageTimeup, delayOffset.json), 4.x layout. Only a master delivers.
//
// Bounds: at most batchSize messages per level per tick; one tick runs at a time.

import { assert } from '../common/assert.js';
import type { Clock } from '../common/clock.js';
import type { DecodedMessage } from '../common/message-codec.js';
import { SystemTopic } from '../common/topic-rules.js';
import type {
  GetMessageRequest,
  GetMessageResult,
  PutMessageInput,
  PutResult,
} from '../engine/index.js';
import { type Logger, MessageProperty, parseFastjson } from '../protocol/index.js';
import { delayLevelToQueueId, deliverTimestampMs, queueIdToDelayLevel } from './delay-levels.js';
import type { StateStore } from './topic-config-manager.js';

export interface ScheduleStore {
  getMessage(request: GetMessageRequest): Promise<GetMessageResult>;
  putMessage(message: PutMessageInput): Promise<PutResult>;
  getMinOffsetInQueue(topic: string, queueId: number): number;
}

/** Put statuses under which the message was written (perhaps not yet flushed or replicated). */
export const STORED: ReadonlySet<string> = new Set([
  'PUT_OK',
  'FLUSH_DISK_TIMEOUT',
  'FLUSH_SLAVE_TIMEOUT',
  'SLAVE_NOT_AVAILABLE',
]);

export type DelayOffsetTable = Record<string, number>;

export function parseDelayOffsetTable(text: string): DelayOffsetTable {
  const root = parseFastjson(text) as { offsetTable?: Record<string, unknown> };
  const out: DelayOffsetTable = {};
  for (const [level, offset] of Object.entries(root.offsetTable ?? {})) {
    const value = Number(offset);
    if (!/^\d+$/.test(level) || !Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`offsetTable.${level} is not a delay offset`);
    }
    out[level] = value;
  }
  return out;
}

export function renderDelayOffsetTable(table: DelayOffsetTable): string {
  return `${JSON.stringify({ offsetTable: table }, null, 2)}\n`;
}

export interface ScheduleOptions {
  store: ScheduleStore;
  offsets: StateStore<DelayOffsetTable>;
  /** Delay of each level in ms, level 1 first. */
  levels: readonly number[];
  clock: Clock;
  logger: Logger;
  /** Whether this broker delivers (masters only). */
  isActive: () => boolean;
  batchSize?: number;
}

/** A stored delayed message as it goes back to its real topic. */
export function toRealMessage(m: DecodedMessage): PutMessageInput | undefined {
  const realTopic = m.properties[MessageProperty.REAL_TOPIC];
  const realQueueId = Number(m.properties[MessageProperty.REAL_QID]);
  if (realTopic === undefined || !Number.isSafeInteger(realQueueId) || realQueueId < 0) {
    return undefined;
  }
  const properties = { ...m.properties };
  delete properties[MessageProperty.DELAY];
  return {
    topic: realTopic,
    queueId: realQueueId,
    body: m.body,
    properties,
    flag: m.flag,
    sysFlag: m.sysFlag,
    bornTimestamp: m.bornTimestamp,
    bornHost: m.bornHost,
    reconsumeTimes: m.reconsumeTimes,
    waitStoreMsgOK: false,
  };
}

export class ScheduleMessageService {
  readonly #o: ScheduleOptions;
  readonly #batchSize: number;
  /** level -> next queue offset to deliver. */
  readonly #offsets = new Map<number, number>();
  /** level -> monotonic time before which the level need not be read again. */
  readonly #notBeforeMs = new Map<number, number>();
  #isDirty = false;
  #isTicking = false;

  constructor(options: ScheduleOptions) {
    assert(options.levels.length > 0, 'at least one delay level');
    this.#o = options;
    this.#batchSize = options.batchSize ?? 32;
  }

  load(): void {
    const loaded = this.#o.offsets.load();
    for (const [level, offset] of Object.entries(loaded ?? {})) {
      this.#offsets.set(Number(level), offset);
    }
  }

  /** Delivery progress per level (GET_ALL_DELAY_OFFSET). */
  offsetTable(): DelayOffsetTable {
    const out: DelayOffsetTable = {};
    for (const [level, offset] of [...this.#offsets].sort((a, b) => a[0] - b[0])) {
      out[String(level)] = offset;
    }
    return out;
  }

  /** A slave follows its master's delivery progress, never moving a level back. */
  mergeOffsets(table: DelayOffsetTable): void {
    for (const [level, offset] of Object.entries(table)) {
      if (offset > (this.#offsets.get(Number(level)) ?? -1)) {
        this.#offsets.set(Number(level), offset);
        this.#isDirty = true;
      }
    }
  }

  persist(): void {
    if (!this.#isDirty) return;
    this.#isDirty = false;
    this.#o.offsets.save(this.offsetTable());
  }

  /** One pass over every level; delivers what is due. Returns how many were delivered. */
  async tick(): Promise<number> {
    if (this.#isTicking || !this.#o.isActive()) return 0;
    this.#isTicking = true;
    try {
      let delivered = 0;
      for (let level = 1; level <= this.#o.levels.length; level++) {
        if ((this.#notBeforeMs.get(level) ?? 0) > this.#o.clock.monotonicMs()) continue;
        delivered += await this.#deliverLevel(level);
      }
      return delivered;
    } finally {
      this.#isTicking = false;
    }
  }

  async #deliverLevel(level: number): Promise<number> {
    const queueId = delayLevelToQueueId(level);
    assert(queueIdToDelayLevel(queueId) === level, 'level and queue id agree');
    const topic = SystemTopic.SCHEDULE_TOPIC;
    const min = this.#o.store.getMinOffsetInQueue(topic, queueId);
    const from = Math.max(this.#offsets.get(level) ?? 0, min);
    const result = await this.#o.store.getMessage({
      topic,
      queueId,
      queueOffset: from,
      maxMsgNums: this.#batchSize,
    });
    if (result.status !== 'FOUND') {
      if (result.status === 'OFFSET_TOO_SMALL' || result.status === 'OFFSET_OVERFLOW_BADLY') {
        this.#advance(level, result.nextBeginOffset);
      }
      return 0;
    }
    let delivered = 0;
    for (const message of result.messages) {
      const dueMs = deliverTimestampMs(message.storeTimestamp, level, this.#o.levels);
      const waitMs = dueMs - this.#o.clock.nowMs();
      if (waitMs > 0) {
        this.#notBeforeMs.set(level, this.#o.clock.monotonicMs() + waitMs);
        return delivered;
      }
      if (!(await this.#deliver(level, message))) return delivered;
      this.#advance(level, message.queueOffset + 1);
      delivered++;
    }
    return delivered;
  }

  /** Stores `message` in its real topic; false when it should be tried again later. */
  async #deliver(level: number, message: DecodedMessage): Promise<boolean> {
    const real = toRealMessage(message);
    if (real === undefined) {
      this.#o.logger.error('Delayed message without a real topic: dropped', {
        level,
        queueOffset: message.queueOffset,
      });
      return true;
    }
    const put = await this.#o.store.putMessage(real);
    if (STORED.has(put.status)) return true;
    if (put.status === 'MESSAGE_ILLEGAL' || put.status === 'PROPERTIES_SIZE_EXCEEDED') {
      this.#o.logger.error('Delayed message refused by the store: dropped', {
        level,
        topic: real.topic,
        reason: put.reason,
      });
      return true;
    }
    this.#o.logger.warn('Delayed message not delivered; retrying in 1 s', {
      level,
      status: put.status,
      reason: put.reason,
    });
    this.#notBeforeMs.set(level, this.#o.clock.monotonicMs() + 1000);
    return false;
  }

  #advance(level: number, offset: number): void {
    // Offsets normally move forward; they move back only when the store lost the queue's tail.
    assert(Number.isSafeInteger(offset) && offset >= 0, 'delay offset is a queue offset');
    this.#offsets.set(level, offset);
    this.#isDirty = true;
  }
}
