// Sends trace entries to the trace topic in the background, as RocketMQ's AsyncTraceDispatcher:
// entries queue up (bounded: beyond maxQueued they are dropped and counted), and every
// flushIntervalMs, or once a batch is full, they go out as trace messages (body = the encoded
// entries, KEYS = the traced message ids) through an internal producer of group
// _INNER_TRACE_PRODUCER-<group>. A trace never fails or slows the traced send or consumption.
//
// RocketMQ: client/.../trace/AsyncTraceDispatcher.java, TraceConstants.GROUP_NAME_PREFIX.

import type { Logger } from '../../protocol/logger.js';
import type { Message } from '../message.js';
import { encodeTraceEntry, type TraceEntry } from './trace-data.js';

/** The internal producer that sends trace messages (a Producer; typed here to avoid a cycle). */
export interface TraceSender {
  start(): Promise<void>;
  shutdown(): Promise<void>;
  send(message: Message): Promise<unknown>;
  readonly logger: Logger;
}

export interface TraceDispatcherOptions {
  traceTopic: string;
  maxQueued?: number;
  flushIntervalMs?: number;
}

/** The group of the internal producer of a traced client of `groupName`. */
export function traceProducerGroup(groupName: string): string {
  return `_INNER_TRACE_PRODUCER-${groupName}`;
}

/** Entries per trace message and bytes of body at most (RocketMQ: 128 KiB messages). */
const MAX_ENTRIES_PER_MESSAGE = 100;
const MAX_BODY_BYTES = 120 * 1024;

export class TraceDispatcher {
  readonly #producer: TraceSender;
  readonly #traceTopic: string;
  readonly #maxQueued: number;
  readonly #flushIntervalMs: number;
  readonly #queue: TraceEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  dropped = 0;
  sent = 0;

  constructor(sender: TraceSender, options: TraceDispatcherOptions) {
    this.#producer = sender;
    this.#traceTopic = options.traceTopic;
    this.#maxQueued = options.maxQueued ?? 10_000;
    this.#flushIntervalMs = options.flushIntervalMs ?? 100;
  }

  async start(): Promise<void> {
    await this.#producer.start();
    this.#timer = setInterval(() => this.flush(), this.#flushIntervalMs);
    this.#timer.unref();
  }

  /** Queues an entry; drops it when the queue is full. */
  record(entry: TraceEntry): void {
    if (this.#queue.length >= this.#maxQueued) {
      this.dropped++;
      return;
    }
    this.#queue.push(entry);
  }

  /** Sends what is queued (one flush at a time); resolves when it is out. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#sendQueued());
    return this.#flushing;
  }

  async shutdown(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    await this.#producer.shutdown();
  }

  async #sendQueued(): Promise<void> {
    while (this.#queue.length > 0) {
      let body = '';
      const keys = new Set<string>();
      let count = 0;
      while (count < MAX_ENTRIES_PER_MESSAGE && this.#queue.length > 0) {
        const entry = this.#queue[0] as TraceEntry;
        const encoded = encodeTraceEntry(entry);
        if (count > 0 && body.length + encoded.length > MAX_BODY_BYTES) break;
        this.#queue.shift();
        body += encoded;
        keys.add(entry.msgId);
        if (entry.offsetMsgId !== '') keys.add(entry.offsetMsgId);
        count++;
      }
      try {
        await this.#producer.send({ topic: this.#traceTopic, body, keys: [...keys] });
        this.sent += count;
      } catch (error) {
        this.dropped += count;
        this.#producer.logger.warn('Trace data not sent', { count, error: String(error) });
        return;
      }
    }
  }
}
