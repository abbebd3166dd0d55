// What the broker counts on its hot paths for the metrics: messages and stored bytes put and
// got per topic (and consumer group), the size of each stored message, the latency of each
// request, and how far each consumer has pulled. Each record is a Map lookup and a few additions
// on plain numbers; prom-client reads the totals only when Prometheus scrapes (broker-metrics.ts).
// Bounded: at most maxSeries keys per table; records for further keys are counted as dropped.
//
// RocketMQ 5: BrokerMetricsManager (messagesInTotal, throughputInTotal, messageSize, ...), which
// records through OpenTelemetry on the request path.

import { BatchedHistogram } from '../../server/metrics/batched-histogram.js';

export const MessageType = { NORMAL: 'Normal', DELAY: 'Delay' } as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export interface InTotals {
  topic: string;
  messageType: MessageType;
  messages: number;
  bytes: number;
  /** When the first message came (for statsAll's windows). */
  sinceMs: number;
}

export interface OutTotals {
  topic: string;
  group: string;
  messages: number;
  bytes: number;
  /** Pulls that returned messages, and when the first came (for statsAll's windows). */
  pulls: number;
  sinceMs: number;
}

/** RocketMQ 5's message size buckets (bytes). */
const MESSAGE_SIZE_BOUNDS = [1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304];
/** RocketMQ 5's rpc latency buckets (ms). */
const RPC_LATENCY_BOUNDS_MS = [1, 3, 5, 10, 50, 100, 200, 500, 1000, 3000];

export class BrokerTraffic {
  readonly #in = new Map<string, InTotals>();
  readonly #out = new Map<string, OutTotals>();
  /** topic@group -> queueId -> the next offset the group's last pull of that queue returned. */
  readonly #pulled = new Map<string, Map<number, number>>();
  readonly #maxSeries: number;
  #dropped = 0;
  readonly messageSize: BatchedHistogram;
  readonly rpcLatency: BatchedHistogram;

  readonly #nowMs: () => number;

  constructor(maxSeries = 10_000, nowMs: () => number = Date.now) {
    this.#maxSeries = maxSeries;
    this.#nowMs = nowMs;
    this.messageSize = new BatchedHistogram(
      'rocketmq_message_size',
      'Size of each stored message in bytes (the stored record, as RocketMQ counts it).',
      MESSAGE_SIZE_BOUNDS,
      maxSeries,
    );
    this.rpcLatency = new BatchedHistogram(
      'rocketmq_rpc_latency',
      'Time from a request arriving to its response being ready, in milliseconds.',
      RPC_LATENCY_BOUNDS_MS,
      maxSeries,
    );
  }

  /** A message stored for `topic` (the real topic of a delayed message); bytes as written. */
  recordPut(topic: string, messageType: MessageType, wroteBytes: number): void {
    const key = `${topic}\u0001${messageType}`;
    let totals = this.#in.get(key);
    if (totals === undefined) {
      if (this.#in.size >= this.#maxSeries) {
        this.#dropped++;
        return;
      }
      totals = { topic, messageType, messages: 0, bytes: 0, sinceMs: this.#nowMs() };
      this.#in.set(key, totals);
    }
    totals.messages++;
    totals.bytes += wroteBytes;
    this.messageSize.observe(key, () => ({ topic, message_type: messageType }), wroteBytes);
  }

  /** A pull answered with `messages` records of `bytes` in total; the group is now at nextOffset. */
  recordGet(
    topic: string,
    group: string,
    queueId: number,
    messages: number,
    bytes: number,
    nextOffset: number,
  ): void {
    const key = `${topic}@${group}`;
    let totals = this.#out.get(key);
    if (totals === undefined) {
      if (this.#out.size >= this.#maxSeries) {
        this.#dropped++;
        return;
      }
      totals = { topic, group, messages: 0, bytes: 0, pulls: 0, sinceMs: this.#nowMs() };
      this.#out.set(key, totals);
      this.#pulled.set(key, new Map());
    }
    totals.messages += messages;
    totals.bytes += bytes;
    totals.pulls++;
    this.#pulled.get(key)?.set(queueId, nextOffset);
  }

  /** A request with `code` answered `responseCode` after `latencyMs`. */
  recordRpc(code: number, responseCode: number, latencyMs: number): void {
    this.rpcLatency.observe(
      `${code}\u0001${responseCode}`,
      () => ({
        protocol_type: 'remoting',
        request_code: String(code),
        response_code: String(responseCode),
      }),
      latencyMs,
    );
  }

  inTotals(): Iterable<Readonly<InTotals>> {
    return this.#in.values();
  }

  outTotals(): Iterable<Readonly<OutTotals>> {
    return this.#out.values();
  }

  /** A topic's puts (both message types), or undefined before its first. */
  topicIn(topic: string): InTotals | undefined {
    const normal = this.#in.get(`${topic}\u0001${MessageType.NORMAL}`);
    const delay = this.#in.get(`${topic}\u0001${MessageType.DELAY}`);
    if (normal === undefined || delay === undefined) return normal ?? delay;
    return {
      topic,
      messageType: MessageType.NORMAL,
      messages: normal.messages + delay.messages,
      bytes: normal.bytes + delay.bytes,
      sinceMs: Math.min(normal.sinceMs, delay.sinceMs),
    };
  }

  /** A group's pulls of a topic, or undefined before its first. */
  groupOut(topic: string, group: string): OutTotals | undefined {
    return this.#out.get(`${topic}@${group}`);
  }

  /** Where the group's pulls of a queue have reached, or undefined before its first pull here. */
  pulledOffset(topic: string, group: string, queueId: number): number | undefined {
    return this.#pulled.get(`${topic}@${group}`)?.get(queueId);
  }

  /** Records refused because a table was full. */
  get dropped(): number {
    return this.#dropped + this.messageSize.dropped + this.rpcLatency.dropped;
  }
}
