// The load of the Master/Slave fault scenarios, recorded in a History: logical producers that
// each send numbered messages one after another (id in the `id` property, body rebuilt from the
// id by message-bodies.ts), and a PushConsumer group whose deliveries are recorded with the
// broker they were read from.

import type { MessageExt } from '../../../client/message.js';
import { Producer } from '../../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../../client/push-consumer.js';
import { ErrorCode, MqError } from '../../../common/errors.js';
import { bodyFor } from '../../harness/message-bodies.js';
import type { History, SendOutcome } from './history.js';

export const BODY_BYTES = { min: 64, max: 1024 } as const;

/** The message id a delivery carries, or a marker the checker reports as unexpected. */
export function idOf(properties: Readonly<Record<string, string>>, body: Buffer): string {
  const id = properties['id'];
  if (id === undefined) return 'no-id';
  return body.equals(bodyFor(Number(id), BODY_BYTES.min, BODY_BYTES.max)) ? id : `corrupt-${id}`;
}

/** SEND_OK is acknowledged; a stored-but-not-replicated status or a lost answer is unknown. */
export function classify(result: { sendStatus: string } | unknown): [SendOutcome, string] {
  if (typeof result === 'object' && result !== null && 'sendStatus' in result) {
    const status = String(result.sendStatus);
    return [status === 'SEND_OK' ? 'ACKED' : 'UNKNOWN', status];
  }
  if (!(result instanceof MqError)) return ['UNKNOWN', String(result)];
  const code = result.details['responseCode'];
  const detail = code === undefined ? result.code : `${result.code}:${String(code)}`;
  // With no retries, these never reached a broker or were refused by it.
  const definite: string[] = [
    ErrorCode.NO_MASTER,
    ErrorCode.NO_ROUTE,
    ErrorCode.CONNECT_FAILED,
    ErrorCode.REMOTE_ERROR,
  ];
  return [definite.includes(result.code) ? 'FAILED' : 'UNKNOWN', detail];
}

export interface SendLoadOptions {
  namesrvAddr: string;
  topic: string;
  /** Logical producers, each a loop of sends one after another. */
  producers: number;
  /** Pause between two sends of one producer (bounds the rate). */
  pauseMs: number;
  /** Client budget of one send; above the broker's slave wait plus a second. */
  sendMsgTimeoutMs: number;
}

/** Logical producers p0..pN-1 over one Producer (no retries: one send, one outcome). */
export class SendLoad {
  readonly producer: Producer;
  readonly #history: History;
  readonly #o: SendLoadOptions;
  readonly #next: number[];
  #loops: Promise<void>[] = [];
  #running = false;
  #closed = false;

  constructor(history: History, options: SendLoadOptions) {
    this.#history = history;
    this.#o = options;
    this.#next = Array.from({ length: options.producers }, (_, i) => (i + 1) * 1_000_000);
    this.producer = new Producer({
      namesrvAddr: options.namesrvAddr,
      groupName: 'FaultPG',
      pollNameServerIntervalMs: 300,
      heartbeatBrokerIntervalMs: 1000,
      sendMsgTimeoutMs: options.sendMsgTimeoutMs,
      retryTimesWhenSendFailed: 0,
      autoCreateTopic: false,
    });
  }

  start(): void {
    this.#running = true;
    this.#loops = this.#next.map((_, i) => this.#loop(i));
  }

  /** Stops the loops; resolves once every send has its outcome. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  /** Stops the loops and the producer: a failed scenario leaves nothing running. */
  async close(): Promise<void> {
    await this.stop();
    if (this.#closed) return;
    this.#closed = true;
    await this.producer.shutdown();
  }

  /** Sends one message now (outside the loops); returns its outcome detail. */
  async sendOne(producerIndex: number): Promise<string> {
    const id = this.#next[producerIndex] ?? 0;
    this.#next[producerIndex] = id + 1;
    const key = String(id);
    this.#history.attempted(key);
    const body = bodyFor(id, BODY_BYTES.min, BODY_BYTES.max);
    const result = await this.producer
      .send({ topic: this.#o.topic, body, properties: { id: key } })
      .catch((error: unknown) => error);
    const [outcome, detail] = classify(result);
    this.#history.completed(key, outcome, detail);
    return detail;
  }

  async #loop(index: number): Promise<void> {
    while (this.#running) {
      await this.sendOne(index);
      await new Promise((resolve) => setTimeout(resolve, this.#o.pauseMs));
    }
  }
}

export interface ConsumerLoadOptions {
  namesrvAddr: string;
  topic: string;
  group: string;
}

/** One PushConsumer of the group; every delivery goes to the history with the broker read. */
export class ConsumerLoad {
  readonly consumer: PushConsumer;
  readonly #history: History;
  readonly #topic: string;
  /** The consumer's own reports of queue changes: rebalances and moved pull offsets. */
  readonly queueEvents: string[] = [];
  #held: { gate: Promise<void>; open: () => void } | undefined;

  constructor(history: History, o: ConsumerLoadOptions) {
    this.#history = history;
    this.#topic = o.topic;
    this.consumer = new PushConsumer({
      namesrvAddr: o.namesrvAddr,
      groupName: o.group,
      pollNameServerIntervalMs: 300,
      heartbeatBrokerIntervalMs: 1000,
      rebalanceIntervalMs: 300,
      brokerSuspendMaxTimeMs: 1000,
      consumerTimeoutMsWhenSuspend: 3000,
      pullTimeDelayMsWhenException: 100,
      persistConsumerOffsetIntervalMs: 200,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      pullBatchSize: 8,
      pullThresholdForQueue: 16,
      consumeConcurrency: 1,
      logger: {
        debug: () => undefined,
        error: () => undefined,
        info: (message, fields) => this.#note(message, fields),
        warn: (message, fields) => this.#note(message, fields),
      },
    });
    this.consumer.subscribe(o.topic, '*', async (messages) => {
      for (const m of messages) {
        await this.#held?.gate;
        this.#record(m);
      }
      return ConsumeStatus.CONSUME_SUCCESS;
    });
  }

  #note(message: string, fields: Readonly<Record<string, unknown>> | undefined): void {
    if (message === 'Rebalanced' || message === 'Pull offset moved')
      this.queueEvents.push(`${new Date().toISOString()} ${message} ${JSON.stringify(fields)}`);
  }

  /**
   * Stops handing messages to the listener: pulls go on until pullThresholdForQueue messages per
   * queue wait, so a backlog builds up on the broker.
   */
  hold(): void {
    if (this.#held !== undefined) return;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.#held = { gate, open };
  }

  release(): void {
    this.#held?.open();
    this.#held = undefined;
  }

  #record(m: MessageExt): void {
    const queue = this.consumer
      .inspect()
      .queues.find((q) => q.queue.topic === this.#topic && q.queue.queueId === m.queueId);
    this.#history.delivered({
      id: idOf(m.properties, m.body),
      queue: `${m.brokerName}:${m.queueId}`,
      queueOffset: m.queueOffset,
      broker: `brokerId=${queue?.readBrokerId ?? -1}`,
    });
  }

  /** Per queue ("broker:queueId"), the next offset it pulls: what lies past it is not fetched yet. */
  pullFrontier(): Map<string, number> {
    return new Map(
      this.consumer
        .inspect()
        .queues.filter((q) => q.queue.topic === this.#topic)
        .map((q) => [`${q.queue.brokerName}:${q.queue.queueId}`, q.nextPullOffset]),
    );
  }
}

/** A started SendLoad of 4 producers, one send every 15 ms each unless `pauseMs` says otherwise. */
export async function startSendLoad(
  history: History,
  namesrvAddr: string,
  topic: string,
  o: { sendMsgTimeoutMs: number; pauseMs?: number },
): Promise<SendLoad> {
  const load = new SendLoad(history, {
    namesrvAddr,
    topic,
    producers: 4,
    pauseMs: o.pauseMs ?? 15,
    sendMsgTimeoutMs: o.sendMsgTimeoutMs,
  });
  await load.producer.start();
  return load;
}

/** A started ConsumerLoad of `group` on `topic`. */
export async function startConsumerLoad(
  history: History,
  namesrvAddr: string,
  topic: string,
  group: string,
): Promise<ConsumerLoad> {
  const consumer = new ConsumerLoad(history, { namesrvAddr, topic, group });
  await consumer.consumer.start();
  return consumer;
}
