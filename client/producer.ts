// Producer: sends messages to the masters of a topic's broker groups, synchronously (await
// send), asynchronously (sendAsync with a callback, bounded in flight), one way (no answer), in
// order (a queue selector, never moved to another queue), or as a batch (SEND_BATCH_MESSAGE).
// A failed send is retried on a queue of another broker group, within retryTimesWhenSendFailed
// and sendMsgTimeoutMs (send-policy.ts). Groups without a master are left out of the queue list;
// when no queue is left the send fails at once with E_NO_MASTER (or E_NO_ROUTE when the topic
// has no route at all).
//
// RocketMQ: client/.../producer/DefaultMQProducer.java, client/.../impl/producer/
// DefaultMQProducerImpl.java (sendDefaultImpl, sendSelectImpl, sendKernelImpl,
// tryToFindTopicPublishInfo), client/.../impl/producer/TopicPublishInfo.java.

import { randomUUID } from 'node:crypto';
import { assert } from '../common/assert.js';
import { ErrorCode, MqError } from '../common/errors.js';
import type { TopicRouteData } from '../protocol/bodies/topic-route-data.js';
import type { Logger } from '../protocol/logger.js';
import { MessageProperty } from '../protocol/message-properties.js';
import type { RemotingCommand } from '../protocol/remoting-command.js';
import type { RequestHandler } from '../protocol/remoting-connection.js';
import { RequestCode } from '../protocol/request-code.js';
import { buildSendRequest, heartbeatAll, parseSendResponse, unregisterAll } from './broker-api.js';
import { ClientInstance, type Target } from './client-instance.js';
import type { ClientOptions } from './client-options.js';
import type { Message, MessageExt } from './message.js';
import type { MessageQueue } from './message-queue.js';
import { PeriodicTask } from './periodic-task.js';
import {
  type ProducerOptions,
  type ResolvedProducerOptions,
  resolveProducerOptions,
} from './producer-options.js';
import { type MessageQueueSelector, RoundRobinQueueSelector } from './queue-selector.js';
import { REPLY_MESSAGE_FLAG, ReplyWaiter } from './request-reply.js';
import { SendBatcher } from './send-batcher.js';
import { type AttemptOutcome, decideAfterAttempt, type SendStatus } from './send-policy.js';
import { type BatchEntry, type PreparedSend, SendPreparation } from './send-preparation.js';
import {
  brokerAddresses,
  findMasterAddress,
  type PublishInfo,
  toPublishInfo,
} from './topic-route.js';
import { DEFAULT_TRACE_TOPIC } from './trace/trace-data.js';
import { TraceDispatcher, traceProducerGroup } from './trace/trace-dispatcher.js';
import { pubEntry } from './trace/trace-hooks.js';

export type { ProducerOptions } from './producer-options.js';

export interface SendResult {
  sendStatus: SendStatus;
  /** UNIQ_KEY set by this producer (comma-joined for a batch). */
  msgId: string;
  /** The broker's offset message id (comma-joined for a batch). */
  offsetMsgId: string;
  messageQueue: MessageQueue;
  queueOffset: number;
}

export interface SendOptions {
  /** Ordered send: the queue is chosen by the selector and never changed on failure. */
  selector?: MessageQueueSelector;
  /** Passed to the selector (e.g. an order id). */
  arg?: unknown;
  /** Send to exactly this queue (no retry elsewhere). */
  messageQueue?: MessageQueue;
}

export type SendCallback = (error: Error | null, result: SendResult | null) => void;

/** One message of a batch, ready for the batch body. */
interface TopicPublish {
  info: PublishInfo;
  route: TopicRouteData;
}

const State = { CREATED: 'CREATED', RUNNING: 'RUNNING', CLOSED: 'CLOSED' } as const;
type State = (typeof State)[keyof typeof State];

export interface ProducerSnapshot {
  clientId: string;
  state: State;
  topics: { topic: string; queues: number; groupsWithoutMaster: string[] }[];
  asyncSendsInFlight: number;
}

export class Producer {
  readonly #options: ResolvedProducerOptions;
  readonly #instance: ClientInstance;
  readonly #selector: RoundRobinQueueSelector;
  readonly #preparation: SendPreparation;
  readonly #replies: ReplyWaiter;
  readonly #trace: TraceDispatcher | null;
  readonly #publish = new Map<string, TopicPublish>();
  readonly #routeTask: PeriodicTask;
  readonly #heartbeatTask: PeriodicTask;
  #state: State = State.CREATED;
  #asyncInFlight = 0;
  readonly #batcher: SendBatcher<BatchEntry, SendResult> | null;

  /** `onServerRequest` answers requests brokers send to this producer (transaction checks). */
  constructor(options: ProducerOptions, onServerRequest?: RequestHandler) {
    this.#options = resolveProducerOptions(options);
    const o = this.#options;
    this.#replies = new ReplyWaiter(o.maxAsyncSendsInFlight);
    this.#trace =
      options.enableMsgTrace === true ? Producer.traceDispatcher(options, o.groupName) : null;
    this.#instance = new ClientInstance(o, (request, connection) =>
      request.code === RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT
        ? this.#replies.onPush(request)
        : (onServerRequest?.(request, connection) ?? null),
    );
    this.#selector = new RoundRobinQueueSelector(o.prng);
    this.#preparation = new SendPreparation(o);
    this.#routeTask = new PeriodicTask('route refresh', o.pollNameServerIntervalMs, o.logger, () =>
      this.#refreshRoutes(),
    );
    this.#heartbeatTask = new PeriodicTask('heartbeat', o.heartbeatBrokerIntervalMs, o.logger, () =>
      this.#heartbeat(),
    );
    this.#batcher =
      o.batchMaxMessages < 2
        ? null
        : new SendBatcher(
            {
              batchMaxMessages: o.batchMaxMessages,
              // Half of the request limit leaves room for each message's framing and properties.
              batchMaxBytes: Math.min(o.batchMaxBytes, Math.floor(o.maxMessageSizeBytes / 2)),
              batchMaxDelayMs: o.batchMaxDelayMs,
            },
            (topic, batch) => this.#sendAutoBatch(topic, batch),
          );
  }

  /** A dispatcher of trace entries for a traced client of `groupName` (its own producer). */
  static traceDispatcher(
    options: ClientOptions & { customizedTraceTopic?: string },
    groupName: string,
  ): TraceDispatcher {
    const { customizedTraceTopic, ...client } = options;
    const sender = new Producer({
      ...client,
      groupName: traceProducerGroup(groupName),
      addBodyChecksum: false,
      enableMsgTrace: false,
    });
    return new TraceDispatcher(sender, { traceTopic: customizedTraceTopic ?? DEFAULT_TRACE_TOPIC });
  }

  get groupName(): string {
    return this.#options.groupName;
  }

  get logger(): Logger {
    return this.#options.logger;
  }

  /**
   * Sends a request to the master of `brokerName` (as the last route names it) and checks that it
   * succeeded; transactional producers end transactions with it.
   */
  async invokeOnMaster(brokerName: string, request: RemotingCommand): Promise<void> {
    const address = findMasterAddress(this.#instance.brokerDatas(), brokerName);
    if (address === null) {
      throw new MqError(ErrorCode.NO_MASTER, `Broker group ${brokerName} has no master`, {
        brokerName,
      });
    }
    await this.#instance.invokeOk({ address, brokerName }, request);
  }

  get clientId(): string {
    return this.#options.clientId;
  }

  async start(): Promise<void> {
    if (this.#state !== State.CREATED) {
      throw new MqError(ErrorCode.CLIENT_STATE, `Producer ${this.clientId} was already started`);
    }
    await this.#preparation.start();
    await this.#trace?.start();
    this.#state = State.RUNNING;
    this.#routeTask.start();
    this.#heartbeatTask.start();
  }

  /**
   * Loads the routes of `topics` and heartbeats to their masters at once, so those brokers know
   * this producer before it sends (transaction checks reach a producer only through them).
   */
  async learnRoutes(topics: readonly string[]): Promise<void> {
    this.#checkRunning();
    for (const topic of topics) await this.#publishFor(topic);
    await this.#heartbeat();
  }

  /**
   * Request/reply: sends `message` and resolves with the reply a consumer sends with
   * createReplyMessage(), or rejects with E_REQUEST_TIMEOUT after `timeoutMs`.
   */
  async request(message: Message, timeoutMs = 3000): Promise<MessageExt> {
    this.#checkRunning();
    const correlationId = randomUUID();
    const properties = {
      ...(message.properties ?? {}),
      [MessageProperty.CORRELATION_ID]: correlationId,
      [MessageProperty.REPLY_TO_CLIENT]: this.clientId,
      [MessageProperty.TTL]: String(timeoutMs),
    };
    // The brokers must know this client before the reply comes back through one of them.
    if (!this.#publish.has(message.topic)) await this.learnRoutes([message.topic]);
    const reply = this.#replies.wait(correlationId, timeoutMs);
    try {
      await this.send({ ...message, properties });
    } catch (error) {
      this.#replies.cancel(correlationId, error as Error);
    }
    return reply;
  }

  /**
   * Sends and resolves once a broker stored the message (or answered a non-OK store status).
   * @throws MqError E_NO_ROUTE, E_NO_MASTER, E_REMOTE_ERROR (with the broker and code),
   *   E_REQUEST_TIMEOUT, E_CONNECT_FAILED, E_CONNECTION_CLOSED; TypeError/RangeError for a bad message.
   */
  async send(message: Message, options: SendOptions = {}): Promise<SendResult> {
    this.#checkRunning();
    if (this.#batcher !== null && this.#canAutoBatch(message, options)) {
      const entry = this.#preparation.batchEntry(message);
      return this.#batcher.add(message.topic, entry, entry.body.length);
    }
    const prepared = this.#preparation.single(message);
    if (this.#trace === null) return this.#sendPrepared(prepared, options, false);
    const startMs = performance.now();
    let result: SendResult | null = null;
    try {
      result = await this.#sendPrepared(prepared, options, false);
      return result;
    } finally {
      const costMs = performance.now() - startMs;
      this.#trace.record(
        pubEntry(this.#options.groupName, message, prepared.uniqKey, result, costMs),
      );
    }
  }

  /** Ordered send: messages with the same `arg` go to the same queue (hash by default). */
  sendOrderly(message: Message, selector: MessageQueueSelector, arg: unknown): Promise<SendResult> {
    return this.send(message, { selector, arg });
  }

  /**
   * Sends in the background and calls `callback` once with the result or the error. At most
   * maxAsyncSendsInFlight at once; beyond that the callback gets E_TOO_MANY_PENDING_REQUESTS.
   */
  sendAsync(message: Message, callback: SendCallback, options: SendOptions = {}): void {
    if (this.#asyncInFlight >= this.#options.maxAsyncSendsInFlight) {
      const error = new MqError(
        ErrorCode.TOO_MANY_PENDING_REQUESTS,
        `Producer ${this.clientId} already has ${this.#asyncInFlight} async sends in flight`,
      );
      queueMicrotask(() => callback(error, null));
      return;
    }
    this.#asyncInFlight++;
    this.send(message, options).then(
      (result) => {
        this.#asyncInFlight--;
        callback(null, result);
      },
      (error: unknown) => {
        this.#asyncInFlight--;
        callback(error instanceof Error ? error : new Error(String(error)), null);
      },
    );
  }

  /** Writes the message to one broker without waiting for an answer (no retry, no result). */
  async sendOneway(message: Message): Promise<void> {
    this.#checkRunning();
    const prepared = this.#preparation.single(message);
    const publish = await this.#publishFor(prepared.topic);
    const queue = this.#selector.select(publish.info.queues, null);
    const target = this.#masterTarget(publish, queue);
    await this.#instance.invokeOneway(target, this.#request(prepared, queue, false));
  }

  /**
   * Sends several messages of one topic as one SEND_BATCH_MESSAGE to one queue. They are stored
   * together, in order, with consecutive queue offsets.
   */
  async sendBatch(messages: readonly Message[], options: SendOptions = {}): Promise<SendResult> {
    this.#checkRunning();
    return this.#sendPrepared(this.#preparation.batch(messages), options, true);
  }

  /** Stops the periodic tasks, unregisters from the brokers and closes the connections. */
  async shutdown(): Promise<void> {
    if (this.#state === State.CLOSED) return;
    const wasRunning = this.#state === State.RUNNING;
    this.#state = State.CLOSED;
    this.#replies.close();
    await this.#trace?.shutdown();
    await this.#batcher?.flushAll();
    await this.#routeTask.stop();
    await this.#heartbeatTask.stop();
    if (wasRunning) await this.#unregister();
    await this.#instance.close();
  }

  inspect(): ProducerSnapshot {
    return {
      clientId: this.clientId,
      state: this.#state,
      topics: [...this.#publish.entries()].map(([topic, p]) => ({
        topic,
        queues: p.info.queues.length,
        groupsWithoutMaster: [...p.info.groupsWithoutMaster],
      })),
      asyncSendsInFlight: this.#asyncInFlight,
    };
  }

  #checkRunning(): void {
    if (this.#state !== State.RUNNING) {
      throw new MqError(
        ErrorCode.CLIENT_STATE,
        `Producer ${this.clientId} is ${this.#state === State.CREATED ? 'not started' : 'shut down'}`,
      );
    }
  }

  /** Sends that automatic batching takes: nothing a batch would change the meaning of. */
  #canAutoBatch(message: Message, options: SendOptions): boolean {
    return (
      options.selector === undefined &&
      options.messageQueue === undefined &&
      (message.delayTimeLevel ?? 0) <= 0 &&
      message.waitStoreMsgOK !== false &&
      // Half messages and replies travel alone (a batch cannot carry them).
      message.properties?.[MessageProperty.TRAN_MSG] === undefined &&
      message.properties?.[MessageProperty.MSG_TYPE] !== REPLY_MESSAGE_FLAG &&
      message.body.length < this.#options.compressMsgBodyOverHowmuchBytes
    );
  }

  /** Sends an automatic batch; each message gets its own ids and queue offset back. */
  async #sendAutoBatch(topic: string, entries: BatchEntry[]): Promise<SendResult[]> {
    assert(entries.length > 0, 'an automatic batch is not empty');
    const result = await this.#sendPrepared(
      this.#preparation.batchPrepared(topic, entries, true),
      {},
      true,
    );
    const offsetMsgIds = result.offsetMsgId.split(',');
    return entries.map((entry, i) => ({
      sendStatus: result.sendStatus,
      msgId: entry.uniqKey,
      offsetMsgId: offsetMsgIds[i] ?? '',
      messageQueue: result.messageQueue,
      queueOffset: result.queueOffset + i,
    }));
  }

  #select(publish: TopicPublish, options: SendOptions): MessageQueue {
    const selector = options.selector;
    assert(selector !== undefined, 'selector given');
    const queues = publish.info.queues;
    const queue = selector(queues, options.arg);
    const known = queues.some(
      (q) => q.brokerName === queue?.brokerName && q.queueId === queue.queueId,
    );
    if (queue === undefined || !known) {
      throw new TypeError('The queue selector returned a queue that is not in the queue list');
    }
    return queue;
  }

  async #publishFor(topic: string): Promise<TopicPublish> {
    let publish = this.#publish.get(topic);
    if (publish === undefined || publish.info.queues.length === 0) {
      publish = await this.#loadPublish(topic);
    }
    if (publish.info.queues.length > 0) return publish;
    if (publish.info.groupsWithoutMaster.length > 0) {
      throw new MqError(
        ErrorCode.NO_MASTER,
        `No master to send ${topic} to: broker group(s) ${publish.info.groupsWithoutMaster.join(', ')} have no master (brokerId 0) in the route`,
        { topic, brokerNames: publish.info.groupsWithoutMaster },
      );
    }
    throw new MqError(ErrorCode.NO_ROUTE, `Topic ${topic} has no writable queue in its route`, {
      topic,
    });
  }

  async #loadPublish(topic: string): Promise<TopicPublish> {
    const { route } = await this.#instance.refreshRoute(topic);
    if (route !== null) {
      const publish = { info: toPublishInfo(topic, route), route };
      this.#publish.set(topic, publish);
      return publish;
    }
    const o = this.#options;
    const template = o.autoCreateTopic ? await this.#instance.fetchRoute(o.createTopicKey) : null;
    if (template === null) {
      throw new MqError(
        ErrorCode.NO_ROUTE,
        `No route for topic ${topic} on NameServer ${o.namesrvAddrs.join(';')}`,
        { topic },
      );
    }
    const capped: TopicRouteData = {
      ...template,
      queueDatas: template.queueDatas.map((q) => ({
        ...q,
        readQueueNums: Math.min(q.readQueueNums, o.defaultTopicQueueNums),
        writeQueueNums: Math.min(q.writeQueueNums, o.defaultTopicQueueNums),
      })),
    };
    return { info: toPublishInfo(topic, capped), route: capped };
  }

  #masterTarget(publish: TopicPublish, queue: MessageQueue): Target {
    const address = findMasterAddress(publish.route.brokerDatas, queue.brokerName);
    if (address === null) {
      throw new MqError(
        ErrorCode.NO_MASTER,
        `Broker group ${queue.brokerName} has no master for ${queue.topic}`,
        { brokerName: queue.brokerName, topic: queue.topic },
      );
    }
    return { address, brokerName: queue.brokerName };
  }

  #request(prepared: PreparedSend, queue: MessageQueue, isBatch: boolean): RemotingCommand {
    const o = this.#options;
    return buildSendRequest(
      {
        producerGroup: o.groupName,
        topic: prepared.topic,
        queueId: queue.queueId,
        sysFlag: prepared.sysFlag,
        bornTimestamp: Math.floor(o.clock.nowMs()),
        flag: prepared.flag,
        properties: prepared.properties,
        defaultTopic: o.createTopicKey,
        defaultTopicQueueNums: o.defaultTopicQueueNums,
        isBatch,
        isReply: prepared.isReply === true,
      },
      prepared.body,
    );
  }

  /** To the queue the options name or select, once; otherwise with retries across brokers. */
  async #sendPrepared(
    prepared: PreparedSend,
    options: SendOptions,
    isBatch: boolean,
  ): Promise<SendResult> {
    const startedMs = this.#options.clock.monotonicMs();
    const publish = await this.#publishFor(prepared.topic);
    if (options.messageQueue !== undefined || options.selector !== undefined) {
      const queue = options.messageQueue ?? this.#select(publish, options);
      return this.#sendOnce(prepared, publish, queue, this.#options.sendMsgTimeoutMs, isBatch);
    }
    return this.#sendWithRetries(prepared, publish, startedMs, isBatch);
  }

  async #sendOnce(
    prepared: PreparedSend,
    publish: TopicPublish,
    queue: MessageQueue,
    timeoutMs: number,
    isBatch: boolean,
  ): Promise<SendResult> {
    const target = this.#masterTarget(publish, queue);
    const request = this.#request(prepared, queue, isBatch);
    const response = await this.#instance.invoke(target, request, timeoutMs);
    const parsed = parseSendResponse(target, request, response);
    return {
      sendStatus: parsed.status,
      msgId: prepared.uniqKey,
      offsetMsgId: parsed.offsetMsgId,
      messageQueue: { ...queue, queueId: parsed.queueId },
      queueOffset: parsed.queueOffset,
    };
  }

  async #sendWithRetries(
    prepared: PreparedSend,
    initial: TopicPublish,
    startedMs: number,
    isBatch: boolean,
  ): Promise<SendResult> {
    const o = this.#options;
    let publish = initial;
    let avoid: string | null = null;
    for (let attempt = 1; ; attempt++) {
      const elapsedMs = o.clock.monotonicMs() - startedMs;
      const remainingMs = Math.max(1, Math.floor(o.sendMsgTimeoutMs - elapsedMs));
      const queue = this.#selector.select(publish.info.queues, avoid);
      let outcome: AttemptOutcome;
      let result: SendResult | null = null;
      try {
        result = await this.#sendOnce(prepared, publish, queue, remainingMs, isBatch);
        outcome = { kind: 'stored', status: result.sendStatus };
      } catch (error) {
        outcome = { kind: 'failed', error };
      }
      const decision = decideAfterAttempt(o, attempt, o.clock.monotonicMs() - startedMs, outcome);
      if (decision === 'return') {
        assert(result !== null, 'send: return decision has a result');
        return result;
      }
      if (decision === 'throw') {
        assert(outcome.kind === 'failed', 'send: throw decision follows a failure');
        throw outcome.error;
      }
      o.logger.debug('Retrying send on another broker group', {
        topic: prepared.topic,
        brokerName: queue.brokerName,
        attempt,
        error: outcome.kind === 'failed' ? String(outcome.error) : outcome.status,
      });
      avoid = queue.brokerName;
      publish = await this.#publishFor(prepared.topic).catch((error: unknown) => {
        o.logger.warn('Route lookup between send attempts failed; keeping the last route', {
          topic: prepared.topic,
          error: String(error),
        });
        return publish;
      });
    }
  }

  async #refreshRoutes(): Promise<void> {
    for (const topic of [...this.#publish.keys()]) {
      try {
        await this.#loadPublish(topic);
      } catch (error) {
        this.#options.logger.warn('Route refresh failed', { topic, error: String(error) });
      }
    }
    this.#instance.closeUnusedConnections();
  }

  #masterTargets(): Target[] {
    const routes = [...this.#publish.values()].map((p) => p.route);
    return brokerAddresses(routes, true);
  }

  async #heartbeat(): Promise<void> {
    await heartbeatAll(this.#instance, this.#masterTargets(), {
      clientID: this.clientId,
      producerDataSet: [{ groupName: this.#options.groupName }],
      consumerDataSet: [],
    });
  }

  async #unregister(): Promise<void> {
    await unregisterAll(this.#instance, this.#masterTargets(), this.clientId, {
      producerGroup: this.#options.groupName,
    });
  }
}
