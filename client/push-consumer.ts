// PushConsumer: subscribes to topics (optionally by tag), owns queues by rebalancing with the other
// consumers of its group (clustering) or owns them all (broadcasting), pulls each owned queue with
// long polling, hands messages to the listener with bounded concurrency, and commits the lowest
// unprocessed offset of each queue. A failed message is sent back to the broker
// (CONSUMER_SEND_MSG_BACK) to come again through %RETRY%<group> after a delay; when send-back
// fails it is consumed again here later. Together: at-least-once delivery across failures,
// rebalances and restarts.
//
// Pulls follow suggestWhichBrokerId and, when a group's master is not in the route, read from
// another broker of the group (a slave); offsets then go to that broker.
//
// RocketMQ: client/.../consumer/DefaultMQPushConsumer.java, client/.../impl/consumer/
// DefaultMQPushConsumerImpl.java (pullMessage, PullCallback), RebalanceImpl.java,
// ConsumeMessageConcurrentlyService.java (processConsumeResult, sendMessageBack),
// PullAPIWrapper.java (updatePullFromWhichNode, recalculatePullFromWhichNode);
// ali-ons: lib/consumer/mq_push_consumer.js.

import { assert } from '../common/assert.js';
import { ErrorCode, MqError } from '../common/errors.js';
import {
  type ConsumerData,
  ConsumeType,
  type HeartbeatData,
  type SubscriptionData,
} from '../protocol/bodies/heartbeat-data.js';
import { createResponse, isOneway, type RemotingCommand } from '../protocol/remoting-command.js';
import { RequestCode } from '../protocol/request-code.js';
import { ResponseCode } from '../protocol/response-code.js';
import { allocateStrategyOf } from './allocate-strategy.js';
import { type BodyChecksum, loadBodyChecksum } from './body-checksum.js';
import {
  checkClientConfigAll,
  consumerSendMessageBack,
  getConsumerIdList,
  getMaxOffset,
  heartbeatAll,
  searchOffset,
  unregisterAll,
} from './broker-api.js';
import { ClientInstance, type Target } from './client-instance.js';
import { ConcurrentConsumption } from './concurrent-consumption.js';
import { ConsumeDispatcher } from './consume-dispatcher.js';
import { ConsumerOffsets } from './consumer-offsets.js';
import {
  MessageModel,
  type PushConsumerOptions,
  type ResolvedPushConsumerOptions,
  resolvePushConsumerOptions,
} from './consumer-options.js';
import { isRetryTopic, type MessageExt, retryTopicOf } from './message.js';
import { formatQueue, type MessageQueue, queueKey } from './message-queue.js';
import { OrderlyConsumption } from './orderly-consumption.js';
import { PeriodicTask } from './periodic-task.js';
import { ProcessQueue } from './process-queue.js';
import { Producer } from './producer.js';
import { PullLoop } from './pull-loop.js';
import { allocateTopic, diffQueues, planStartOffset } from './rebalance.js';
import {
  buildSubscription,
  isSqlSubscription,
  type SubscriptionExpression,
} from './subscription.js';
import {
  brokerAddresses,
  findMasterAddress,
  findSubscribeAddress,
  MASTER_ID,
  toSubscribeQueues,
} from './topic-route.js';
import type { TraceDispatcher } from './trace/trace-dispatcher.js';
import { consumeEntries } from './trace/trace-hooks.js';

export const ConsumeStatus = {
  CONSUME_SUCCESS: 'CONSUME_SUCCESS',
  RECONSUME_LATER: 'RECONSUME_LATER',
} as const;
export type ConsumeStatus = (typeof ConsumeStatus)[keyof typeof ConsumeStatus];

export interface ConsumeContext {
  messageQueue: MessageQueue;
  /** Delay level of the retry if this call fails: 0 lets the broker choose, -1 sends to the DLQ. */
  delayLevelWhenNextConsume: number;
}

/** Returns (or resolves to) RECONSUME_LATER, or throws, to have the messages delivered again. */
export type MessageListener = (
  messages: MessageExt[],
  context: ConsumeContext,
) => ConsumeStatus | undefined | Promise<ConsumeStatus | undefined>;

interface Subscription {
  data: SubscriptionData;
  listener: MessageListener | null;
}

const State = { CREATED: 'CREATED', RUNNING: 'RUNNING', CLOSED: 'CLOSED' } as const;
type State = (typeof State)[keyof typeof State];

export interface PushConsumerSnapshot {
  clientId: string;
  groupName: string;
  state: State;
  queues: {
    queue: MessageQueue;
    nextPullOffset: number;
    consumedOffset: number;
    pending: number;
    inFlight: number;
    readBrokerId: number;
  }[];
  consumedCount: number;
  failedCount: number;
  sentBackCount: number;
  localRetryCount: number;
  droppedCount: number;
  errorCount: number;
  /** Broker (and NameServer) addresses with an open connection now. */
  connectedTo: string[];
}

export class PushConsumer {
  readonly #options: ResolvedPushConsumerOptions;
  readonly #instance: ClientInstance;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #queues = new Map<string, { pq: ProcessQueue<MessageExt>; loop: PullLoop }>();
  readonly #offsets: ConsumerOffsets;
  readonly #dispatcher: ConsumeDispatcher<MessageExt>;
  readonly #orderly: OrderlyConsumption | null;
  readonly #concurrent: ConcurrentConsumption;
  readonly #trace: TraceDispatcher | null;
  readonly #tasks: PeriodicTask[];
  readonly #rebalanceTask: PeriodicTask;
  readonly #routeTask: PeriodicTask;
  #lastRouteTriggerMs = Number.NEGATIVE_INFINITY;
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #defaultListener: MessageListener | null = null;
  #checksum: BodyChecksum | null = null;
  #state: State = State.CREATED;
  #errorCount = 0;

  constructor(options: PushConsumerOptions) {
    this.#options = resolvePushConsumerOptions(options);
    const o = this.#options;
    this.#instance = new ClientInstance(o, (request) => this.#onServerRequest(request));
    this.#offsets = new ConsumerOffsets({
      instance: this.#instance,
      groupName: o.groupName,
      messageModel: o.messageModel,
      offsetStoreDir: o.offsetStoreDir,
      readBrokerIdOf: (queue) => this.#queues.get(queueKey(queue))?.pq.lastReadBrokerId ?? 0,
    });
    this.#orderly = o.consumeOrderly ? this.#orderlyConsumption() : null;
    this.#concurrent = new ConcurrentConsumption({
      options: o,
      listenerOf: (message) => this.#listenerOf(message),
      callListener: (listener, messages, context) =>
        this.#callListener(listener, messages, context),
      sendBack: (message, delayLevel) => this.#sendBack(message, delayLevel),
      recordOffset: (pq) => this.#recordOffset(pq),
      notify: (pq) => this.#dispatcher.notify(pq),
      report: (error, what) => this.#report(error, what),
      timers: this.#retryTimers,
    });
    this.#trace =
      options.enableMsgTrace === true ? Producer.traceDispatcher(options, o.groupName) : null;
    this.#dispatcher = new ConsumeDispatcher<MessageExt>({
      maxConcurrentBatches: o.consumeConcurrency,
      maxInFlightPerQueue: o.maxInFlightPerQueue,
      batchMaxSize: o.consumeMessageBatchMaxSize,
      oneBatchPerQueue: o.consumeOrderly,
      run: (pq, batch) =>
        this.#orderly === null
          ? this.#concurrent.consume(pq, batch)
          : this.#orderly.consume(pq, batch),
    });
    this.#rebalanceTask = new PeriodicTask('rebalance', o.rebalanceIntervalMs, o.logger, () =>
      this.#rebalance(),
    );
    this.#routeTask = new PeriodicTask('route refresh', o.pollNameServerIntervalMs, o.logger, () =>
      this.#refreshRoutes(),
    );
    this.#tasks = [
      this.#routeTask,
      new PeriodicTask('heartbeat', o.heartbeatBrokerIntervalMs, o.logger, () => this.#heartbeat()),
      new PeriodicTask('offset commit', o.persistConsumerOffsetIntervalMs, o.logger, () =>
        this.#commitOffsets(),
      ),
      this.#rebalanceTask,
    ];
    const orderly = this.#orderly;
    if (orderly !== null) {
      this.#tasks.push(
        new PeriodicTask('queue lock renewal', o.lockIntervalMs, o.logger, () =>
          orderly.renewAll(),
        ),
      );
    }
  }

  #orderlyConsumption(): OrderlyConsumption {
    return new OrderlyConsumption({
      instance: this.#instance,
      options: this.#options,
      clientId: this.#options.clientId,
      ownedQueues: () => [...this.#queues.values()].map(({ pq }) => pq),
      consumeBatch: async (pq, batch) => {
        const listener = this.#listenerOf(batch[0] as MessageExt);
        if (listener === null) return false;
        const context = { messageQueue: { ...pq.queue }, delayLevelWhenNextConsume: -1 };
        return this.#callListener(listener, batch, context);
      },
      sendToDlq: (message) => this.#sendBack(message, -1),
      recordOffset: (pq) => this.#recordOffset(pq),
      notify: (pq) => this.#dispatcher.notify(pq),
      report: (error, what) => this.#report(error, what),
      timers: this.#retryTimers,
    });
  }

  get clientId(): string {
    return this.#options.clientId;
  }

  get groupName(): string {
    return this.#options.groupName;
  }

  /** The listener for subscriptions made without their own. */
  registerMessageListener(listener: MessageListener): void {
    this.#defaultListener = listener;
  }

  /**
   * Subscribes to `topic` with a TAG expression ("*", "TagA", "TagA || TagB") or an SQL92 one
   * (`bySql("a > 5")`, or ali-ons's `{ expressionType: 'SQL92', subString }`). May be called before
   * or after start(). A malformed SQL92 expression throws E_FILTER_EXPRESSION_INVALID here.
   */
  subscribe(
    topic: string,
    expression: SubscriptionExpression = '*',
    listener?: MessageListener,
  ): void {
    if (this.#state === State.CLOSED) {
      throw new MqError(ErrorCode.CLIENT_STATE, `Consumer ${this.clientId} is shut down`);
    }
    const subVersion = Math.floor(this.#options.clock.nowMs());
    this.#subscriptions.set(topic, {
      data: buildSubscription(topic, expression, subVersion),
      listener: listener ?? null,
    });
    if (this.#state === State.RUNNING)
      void this.#refreshRoutes().then(() => this.#rebalanceTask.trigger());
  }

  async start(): Promise<void> {
    if (this.#state !== State.CREATED) {
      throw new MqError(ErrorCode.CLIENT_STATE, `Consumer ${this.clientId} was already started`);
    }
    if (this.#subscriptions.size === 0) throw new TypeError('Subscribe to a topic before start()');
    for (const [topic, sub] of this.#subscriptions) {
      if (sub.listener === null && this.#defaultListener === null) {
        throw new TypeError(`No listener for topic ${topic}: pass one to subscribe()`);
      }
    }
    if (this.#options.messageModel === MessageModel.CLUSTERING) this.#subscribeRetryTopic();
    if (this.#options.verifyBodyChecksum) this.#checksum = await loadBodyChecksum();
    await this.#trace?.start();
    await this.#offsets.load();
    this.#state = State.RUNNING;
    await this.#refreshRoutes();
    await this.#checkSqlSubscriptions();
    await this.#heartbeat();
    await this.#rebalanceTask.runNow();
    for (const task of this.#tasks) task.start();
    // The broker creates %RETRY%<group> on the first heartbeat and registers it shortly after:
    // look again soon rather than a whole poll interval later.
    const isMissing = [...this.#subscriptions.keys()].some((t) => !this.#instance.route(t));
    if (isMissing) this.#routeTask.trigger(Math.min(1000, this.#options.pollNameServerIntervalMs));
  }

  /**
   * Stops pulling, waits (up to shutdownTimeoutMs) for running listener calls, commits offsets,
   * unregisters from the brokers and closes the connections.
   */
  async shutdown(): Promise<void> {
    if (this.#state === State.CLOSED) return;
    const wasRunning = this.#state === State.RUNNING;
    this.#state = State.CLOSED;
    await Promise.all(this.#tasks.map((t) => t.stop()));
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    for (const { loop } of this.#queues.values()) loop.stop();
    if (wasRunning) {
      await this.#waitForListeners();
      for (const { pq } of this.#queues.values()) this.#recordOffset(pq);
      for (const { pq } of this.#queues.values()) pq.drop();
      await this.#commitOffsets();
      if (this.#orderly !== null) {
        for (const { pq } of this.#queues.values()) await this.#orderly.unlock(pq.queue);
      }
      await this.#unregister();
    }
    await this.#trace?.shutdown();
    await this.#instance.close();
    await Promise.all([...this.#queues.values()].map(({ loop }) => loop.done));
    this.#queues.clear();
  }

  inspect(): PushConsumerSnapshot {
    return {
      clientId: this.clientId,
      groupName: this.groupName,
      state: this.#state,
      queues: [...this.#queues.values()].map(({ pq }) => ({
        queue: { ...pq.queue },
        nextPullOffset: pq.nextPullOffset,
        consumedOffset: pq.consumedOffset(),
        pending: pq.pendingCount,
        inFlight: pq.inFlightCount,
        readBrokerId: pq.lastReadBrokerId,
      })),
      consumedCount: this.#concurrent.stats.consumed,
      failedCount: this.#concurrent.stats.failed,
      sentBackCount: this.#concurrent.stats.sentBack,
      localRetryCount: this.#concurrent.stats.localRetry,
      droppedCount: this.#concurrent.stats.dropped,
      errorCount: this.#errorCount,
      connectedTo: this.#instance.connectedAddresses(),
    };
  }

  // ---- background errors ----

  #report(error: unknown, what: string): void {
    this.#errorCount++;
    const err = error instanceof Error ? error : new Error(String(error));
    this.#options.logger.warn(what, { group: this.groupName, error: err.message });
    if (this.#options.onError !== null) this.#options.onError(err);
  }

  /** Brokers tell consumers their group changed; other broker requests are not served. */
  #onServerRequest(request: RemotingCommand): RemotingCommand | null {
    if (request.code === RequestCode.NOTIFY_CONSUMER_IDS_CHANGED) {
      this.#rebalanceTask.trigger();
      return isOneway(request) ? null : createResponse(request, ResponseCode.SUCCESS);
    }
    if (isOneway(request)) return null;
    return createResponse(
      request,
      ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
      ` request type ${request.code} not supported`,
    );
  }

  // ---- routes, heartbeat, membership ----

  #subscribeRetryTopic(): void {
    const topic = retryTopicOf(this.groupName);
    if (this.#subscriptions.has(topic)) return;
    this.#subscriptions.set(topic, {
      data: {
        topic,
        subString: '*',
        tagsSet: [],
        codeSet: [],
        subVersion: Math.floor(this.#options.clock.nowMs()),
        classFilterMode: false,
        expressionType: 'TAG',
      },
      listener: null,
    });
  }

  async #refreshRoutes(): Promise<void> {
    let changed = false;
    for (const topic of this.#subscriptions.keys()) {
      try {
        const result = await this.#instance.refreshRoute(topic);
        if (result.changed) changed = true;
      } catch (error) {
        this.#options.logger.warn('Route refresh failed', { topic, error: String(error) });
      }
    }
    if (changed && this.#state === State.RUNNING) {
      // Register with any new broker first, so its consumer list includes this client.
      await this.#heartbeat();
      this.#rebalanceTask.trigger();
    }
  }

  /** A broker of a queue is unreachable or gone: look at the route again, at most once a second. */
  #refreshRoutesSoon(): void {
    const nowMs = this.#options.clock.monotonicMs();
    if (nowMs - this.#lastRouteTriggerMs < 1000) return;
    this.#lastRouteTriggerMs = nowMs;
    this.#routeTask.trigger();
  }

  #heartbeatData(): HeartbeatData {
    const consumer: ConsumerData = {
      groupName: this.groupName,
      consumeType: ConsumeType.CONSUME_PASSIVELY,
      messageModel: this.#options.messageModel,
      consumeFromWhere: this.#options.consumeFromWhere,
      subscriptionDataSet: [...this.#subscriptions.values()].map((s) => s.data),
      unitMode: false,
    };
    return { clientID: this.clientId, producerDataSet: [], consumerDataSet: [consumer] };
  }

  #brokerTargets(): Target[] {
    const routes = [...this.#subscriptions.keys()].flatMap((t) => {
      const route = this.#instance.route(t);
      return route === undefined ? [] : [route];
    });
    return brokerAddresses(routes, false);
  }

  /** SQL92 subscriptions are asked of every broker of their topics; a refusal fails start(). */
  async #checkSqlSubscriptions(): Promise<void> {
    for (const { data } of this.#subscriptions.values()) {
      if (!isSqlSubscription(data)) continue;
      const route = this.#instance.route(data.topic);
      const targets = route === undefined ? [] : brokerAddresses([route], false);
      try {
        await checkClientConfigAll(this.#instance, targets, {
          clientId: this.clientId,
          group: this.groupName,
          subscriptionData: data,
        });
      } catch (error) {
        this.#state = State.CREATED;
        throw error;
      }
    }
  }

  async #heartbeat(): Promise<void> {
    await heartbeatAll(this.#instance, this.#brokerTargets(), this.#heartbeatData());
  }

  async #unregister(): Promise<void> {
    await unregisterAll(this.#instance, this.#brokerTargets(), this.clientId, {
      consumerGroup: this.groupName,
    });
  }

  // ---- rebalance ----

  async #clientIds(topic: string): Promise<string[] | null> {
    const route = this.#instance.route(topic);
    const data = route?.brokerDatas
      .slice()
      .sort((a, b) => (a.brokerName < b.brokerName ? -1 : 1))
      .find((b) => findSubscribeAddress([b], b.brokerName, MASTER_ID) !== null);
    if (data === undefined) return null;
    const found = findSubscribeAddress([data], data.brokerName, MASTER_ID);
    assert(found !== null, 'rebalance: group has an address');
    return getConsumerIdList(
      this.#instance,
      { address: found.address, brokerName: data.brokerName },
      this.groupName,
    );
  }

  async #rebalance(): Promise<void> {
    if (this.#state !== State.RUNNING) return;
    const strategy = allocateStrategyOf(this.#options.allocateStrategy);
    for (const topic of this.#subscriptions.keys()) {
      const route = this.#instance.route(topic);
      if (route === undefined) continue;
      let clientIds: string[] = [];
      if (this.#options.messageModel === MessageModel.CLUSTERING) {
        try {
          clientIds = (await this.#clientIds(topic)) ?? [];
        } catch (error) {
          this.#report(error, `Cannot list the consumers of ${this.groupName} for ${topic}`);
          continue;
        }
        if (clientIds.length === 0) continue;
      }
      const queues = toSubscribeQueues(topic, route);
      const target = allocateTopic(this.#options.messageModel, strategy, this.clientId, {
        topic,
        queues,
        clientIds,
      });
      await this.#applyAssignment(topic, target);
    }
    for (const { pq } of [...this.#queues.values()]) {
      if (!this.#subscriptions.has(pq.queue.topic)) await this.#removeQueue(pq.queue);
    }
  }

  async #applyAssignment(topic: string, target: MessageQueue[]): Promise<void> {
    const current = [...this.#queues.values()]
      .map(({ pq }) => pq.queue)
      .filter((q) => q.topic === topic);
    const { added, removed } = diffQueues(current, target);
    for (const queue of removed) await this.#removeQueue(queue);
    // The new queues look up their start offsets together: each starts pulling as soon as its
    // own is known, not after every queue before it.
    await Promise.all(added.map((queue) => this.#startQueue(queue)));
    if (added.length > 0 || removed.length > 0) {
      this.#options.logger.info('Rebalanced', {
        group: this.groupName,
        topic,
        added: added.map(formatQueue),
        removed: removed.map(formatQueue),
      });
    }
  }

  async #startQueue(queue: MessageQueue): Promise<void> {
    if (this.#state !== State.RUNNING) return;
    try {
      if (this.#orderly !== null && !(await this.#orderly.lock(queue))) {
        this.#options.logger.info(
          'Queue locked by another consumer; retrying at the next rebalance',
          {
            group: this.groupName,
            queue: formatQueue(queue),
          },
        );
        return;
      }
      const start = await this.#startOffset(queue);
      if (this.#state !== State.RUNNING || this.#queues.has(queueKey(queue))) return;
      this.#addQueue(queue, start);
    } catch (error) {
      this.#report(error, `Cannot start ${formatQueue(queue)}; retrying at the next rebalance`);
    }
  }

  async #startOffset(queue: MessageQueue): Promise<number> {
    const committed = await this.#offsets.readCommitted(queue);
    const plan = planStartOffset(
      this.#options.consumeFromWhere,
      committed,
      isRetryTopic(queue.topic),
    );
    if (plan.kind === 'offset') return plan.offset;
    const found = findSubscribeAddress(this.#instance.brokerDatas(), queue.brokerName, MASTER_ID);
    if (found === null) {
      throw new MqError(ErrorCode.NO_ROUTE, `No broker for ${formatQueue(queue)}`, {
        brokerName: queue.brokerName,
      });
    }
    const target = { address: found.address, brokerName: queue.brokerName };
    return plan.kind === 'maxOffset'
      ? getMaxOffset(this.#instance, target, queue)
      : searchOffset(this.#instance, target, queue, this.#options.consumeTimestampMs);
  }

  #addQueue(queue: MessageQueue, startOffset: number): void {
    const o = this.#options;
    const pq = new ProcessQueue<MessageExt>(queue, startOffset, o.pullThresholdForQueue);
    pq.locked = this.#orderly !== null;
    pq.lastLockMs = o.clock.monotonicMs();
    this.#offsets.table.update(queue, startOffset, false);
    const sub = this.#subscriptions.get(queue.topic);
    assert(sub !== undefined, 'queue of a subscribed topic');
    const loop = new PullLoop({
      options: o,
      instance: this.#instance,
      pq,
      subscription: sub.data,
      checksum: this.#checksum,
      commitOffset: () => this.#offsets.table.read(queue) ?? 0,
      onMessages: () => {
        this.#recordOffset(pq);
        this.#dispatcher.notify(pq);
      },
      onOffsetMoved: () => this.#recordOffset(pq, false),
      onError: (error, what) => this.#report(error, what),
      onRouteMissing: () => this.#refreshRoutesSoon(),
      ...(this.#orderly === null ? {} : { mayPull: () => this.#orderly?.holdsLock(pq) ?? true }),
    });
    this.#queues.set(queueKey(queue), { pq, loop });
    loop.start();
  }

  async #removeQueue(queue: MessageQueue): Promise<void> {
    const key = queueKey(queue);
    const entry = this.#queues.get(key);
    if (entry === undefined) return;
    this.#queues.delete(key);
    entry.loop.stop();
    // Orderly: the batch in the listener finishes first, so the next owner starts after it.
    if (this.#orderly !== null) await this.#finishInFlight(entry.pq);
    this.#recordOffset(entry.pq);
    entry.pq.drop();
    try {
      await this.#offsets.commitQueue(queue);
    } catch (error) {
      this.#report(error, `Cannot commit the offset of released queue ${formatQueue(queue)}`);
    }
    if (this.#offsets.isRemote) this.#offsets.table.remove(queue);
    await this.#orderly?.unlock(queue);
  }

  /**
   * Waits (bounded by shutdownTimeoutMs) until no message of `pq` is in the listener. The check
   * repeats after each wake: the dispatcher may hand the queue a new batch before this resumes, and
   * only a zero seen here, followed synchronously by the offset record and drop, is final.
   */
  async #finishInFlight(pq: ProcessQueue<MessageExt>): Promise<void> {
    const o = this.#options;
    const deadline = o.clock.monotonicMs() + o.shutdownTimeoutMs;
    while (pq.inFlightCount > 0 && o.clock.monotonicMs() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadline - o.clock.monotonicMs());
      });
      await Promise.race([pq.whenNoneInFlight(), timedOut]);
      clearTimeout(timer);
    }
  }

  // ---- consumption ----

  #recordOffset(pq: ProcessQueue<MessageExt>, increaseOnly = true): void {
    if (pq.isDropped) return;
    this.#offsets.table.update(pq.queue, pq.consumedOffset(), increaseOnly);
  }

  #listenerOf(message: MessageExt): MessageListener | null {
    return this.#subscriptions.get(message.topic)?.listener ?? this.#defaultListener;
  }

  async #callListener(
    listener: MessageListener,
    messages: MessageExt[],
    context: ConsumeContext,
  ): Promise<boolean> {
    const trace = this.#trace === null ? null : consumeEntries(this.groupName, messages);
    for (const entry of trace?.before ?? []) this.#trace?.record(entry);
    const startMs = performance.now();
    const ok = await this.#runListener(listener, messages, context);
    for (const entry of trace?.after(ok, performance.now() - startMs) ?? [])
      this.#trace?.record(entry);
    return ok;
  }

  async #runListener(
    listener: MessageListener,
    messages: MessageExt[],
    context: ConsumeContext,
  ): Promise<boolean> {
    try {
      const status = await listener(messages, context);
      return status !== ConsumeStatus.RECONSUME_LATER;
    } catch (error) {
      this.#options.logger.warn('Message listener failed', {
        group: this.groupName,
        queue: formatQueue(context.messageQueue),
        error: String(error),
      });
      return false;
    }
  }

  async #sendBack(message: MessageExt, delayLevel: number): Promise<void> {
    const master = findMasterAddress(this.#instance.brokerDatas(), message.brokerName);
    const target: Target = {
      address: master ?? message.storeHost,
      brokerName: message.brokerName,
    };
    await consumerSendMessageBack(this.#instance, target, {
      group: this.groupName,
      commitLogOffset: message.commitLogOffset,
      delayLevel,
      originMsgId: message.msgId,
      originTopic: message.topic,
      maxReconsumeTimes: this.#options.maxReconsumeTimes,
    });
  }

  async #waitForListeners(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#options.shutdownTimeoutMs);
    });
    const outcome = await Promise.race([this.#dispatcher.whenIdle().then(() => 'idle'), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.#options.logger.warn(
        'Listener calls still running at shutdown; their messages will be delivered again',
        {
          running: this.#dispatcher.runningBatches,
        },
      );
    }
  }

  async #commitOffsets(): Promise<void> {
    for (const { pq } of this.#queues.values()) this.#recordOffset(pq);
    const errors = await this.#offsets.commitDirty();
    for (const error of errors) this.#report(error, 'Offset commit failed');
  }
}
