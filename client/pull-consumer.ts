// PullConsumer: manual control. The caller picks the queues (fetchSubscribeMessageQueues), pulls
// from the offsets it wants (pull returns at once; pullBlockIfNotFound long-polls), and records
// progress with updateConsumeOffset; recorded offsets are committed to the brokers every
// persistConsumerOffsetIntervalMs and at shutdown (clustering semantics: one committed offset
// per group and queue). Pulls follow suggestWhichBrokerId and fall back to any broker of the
// group when the master is gone, as the push consumer does.
//
// RocketMQ: client/.../consumer/DefaultMQPullConsumer.java, client/.../impl/consumer/
// DefaultMQPullConsumerImpl.java (pullSyncImpl, updateConsumeOffset, fetchConsumeOffset,
// sendMessageBack), PullAPIWrapper.java.

import { ErrorCode, MqError } from '../common/errors.js';
import {
  ConsumeType,
  type HeartbeatData,
  type SubscriptionData,
} from '../protocol/bodies/heartbeat-data.js';
import type { RemotingCommand } from '../protocol/remoting-command.js';
import { type BodyChecksum, loadBodyChecksum } from './body-checksum.js';
import {
  buildPullRequest,
  consumerSendMessageBack,
  getMaxOffset,
  getMinOffset,
  heartbeatAll,
  type PullStatus,
  PullSysFlag,
  parsePullResponse,
  searchOffset,
  unregisterAll,
} from './broker-api.js';
import { ClientInstance, type Target } from './client-instance.js';
import { ConsumerOffsets } from './consumer-offsets.js';
import {
  ConsumeFromWhere,
  type ConsumerOptions,
  MessageModel,
  type ResolvedConsumerOptions,
  resolveConsumerOptions,
} from './consumer-options.js';
import type { MessageExt } from './message.js';
import { formatQueue, type MessageQueue, queueKey } from './message-queue.js';
import { PeriodicTask } from './periodic-task.js';
import { decodeMessages, matchesTags } from './pull-decoder.js';
import { buildSubscription, type SubscriptionExpression } from './subscription.js';
import {
  brokerAddresses,
  findMasterAddress,
  findSubscribeAddress,
  MASTER_ID,
  toSubscribeQueues,
} from './topic-route.js';

export interface PullResult {
  pullStatus: PullStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  suggestWhichBrokerId: number;
  /** Messages matching the expression (empty unless pullStatus is FOUND). */
  messages: MessageExt[];
}

const State = { CREATED: 'CREATED', RUNNING: 'RUNNING', CLOSED: 'CLOSED' } as const;
type State = (typeof State)[keyof typeof State];

export class PullConsumer {
  readonly #options: ResolvedConsumerOptions;
  readonly #instance: ClientInstance;
  readonly #offsets: ConsumerOffsets;
  readonly #suggested = new Map<string, number>();
  readonly #readFrom = new Map<string, number>();
  readonly #subscriptions = new Map<string, SubscriptionData>();
  readonly #tasks: PeriodicTask[];
  #checksum: BodyChecksum | null = null;
  #state: State = State.CREATED;

  constructor(options: ConsumerOptions) {
    this.#options = resolveConsumerOptions(options);
    const o = this.#options;
    this.#instance = new ClientInstance(o);
    this.#offsets = new ConsumerOffsets({
      instance: this.#instance,
      groupName: o.groupName,
      messageModel: MessageModel.CLUSTERING,
      offsetStoreDir: null,
      readBrokerIdOf: (queue) => this.#readFrom.get(queueKey(queue)) ?? MASTER_ID,
    });
    this.#tasks = [
      new PeriodicTask('offset commit', o.persistConsumerOffsetIntervalMs, o.logger, () =>
        this.#commitLogged(),
      ),
      new PeriodicTask('heartbeat', o.heartbeatBrokerIntervalMs, o.logger, () => this.#heartbeat()),
      new PeriodicTask('route refresh', o.pollNameServerIntervalMs, o.logger, () =>
        this.#refreshRoutes(),
      ),
    ];
  }

  get clientId(): string {
    return this.#options.clientId;
  }

  async start(): Promise<void> {
    if (this.#state !== State.CREATED) {
      throw new MqError(ErrorCode.CLIENT_STATE, `Consumer ${this.clientId} was already started`);
    }
    if (this.#options.verifyBodyChecksum) this.#checksum = await loadBodyChecksum();
    this.#state = State.RUNNING;
    for (const task of this.#tasks) task.start();
  }

  /** Commits recorded offsets, unregisters and closes the connections. */
  async shutdown(): Promise<void> {
    if (this.#state === State.CLOSED) return;
    const wasRunning = this.#state === State.RUNNING;
    this.#state = State.CLOSED;
    await Promise.all(this.#tasks.map((t) => t.stop()));
    if (wasRunning) {
      await this.#commitLogged();
      await unregisterAll(this.#instance, this.#targets(), this.clientId, {
        consumerGroup: this.#options.groupName,
      });
    }
    await this.#instance.close();
  }

  /** The readable queues of `topic` (fetches its route). */
  async fetchSubscribeMessageQueues(topic: string): Promise<MessageQueue[]> {
    this.#checkRunning();
    const { route } = await this.#instance.refreshRoute(topic);
    if (route === null) {
      throw new MqError(ErrorCode.NO_ROUTE, `No route for topic ${topic}`, { topic });
    }
    this.#remember(topic, '*');
    return toSubscribeQueues(topic, route);
  }

  /** Pulls up to `maxNums` messages from `offset`, answering at once when there are none. */
  pull(
    queue: MessageQueue,
    expression: SubscriptionExpression,
    offset: number,
    maxNums: number,
  ): Promise<PullResult> {
    return this.#pull(queue, expression, offset, maxNums, false);
  }

  /** As pull, but the broker holds the request (brokerSuspendMaxTimeMs) until messages arrive. */
  pullBlockIfNotFound(
    queue: MessageQueue,
    expression: SubscriptionExpression,
    offset: number,
    maxNums: number,
  ): Promise<PullResult> {
    return this.#pull(queue, expression, offset, maxNums, true);
  }

  /** Records the offset to commit for `queue` (the next offset to consume). */
  updateConsumeOffset(queue: MessageQueue, offset: number): void {
    this.#checkRunning();
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`Offset ${offset} of ${formatQueue(queue)} is not a valid offset`);
    }
    this.#offsets.table.update(queue, offset, false);
  }

  /** The offset recorded here, or with `fromStore` the one committed on the broker (null if none). */
  async fetchConsumeOffset(queue: MessageQueue, fromStore: boolean): Promise<number | null> {
    this.#checkRunning();
    if (!fromStore) return this.#offsets.table.read(queue) ?? null;
    await this.#ensureRoute(queue.topic);
    return this.#offsets.readCommitted(queue);
  }

  /** Commits every recorded offset now. */
  async commitOffsets(): Promise<void> {
    this.#checkRunning();
    await this.#ensureDirtyRoutes();
    const errors = await this.#offsets.commitDirty();
    if (errors[0] !== undefined) throw errors[0];
  }

  /** Offsets may be recorded for queues never pulled here: their brokers come from the route. */
  async #ensureDirtyRoutes(): Promise<void> {
    const topics = new Set(this.#offsets.table.dirty().map((d) => d.queue.topic));
    for (const topic of topics) await this.#ensureRoute(topic);
  }

  async minOffset(queue: MessageQueue): Promise<number> {
    return getMinOffset(this.#instance, await this.#readTarget(queue), queue);
  }

  async maxOffset(queue: MessageQueue): Promise<number> {
    return getMaxOffset(this.#instance, await this.#readTarget(queue), queue);
  }

  async searchOffset(queue: MessageQueue, timestampMs: number): Promise<number> {
    return searchOffset(this.#instance, await this.#readTarget(queue), queue, timestampMs);
  }

  /** Sends a message back for redelivery through %RETRY%<group> (delay level 0: broker decides). */
  async sendMessageBack(
    message: MessageExt,
    delayLevel = 0,
    maxReconsumeTimes = 16,
  ): Promise<void> {
    this.#checkRunning();
    await this.#ensureRoute(message.topic);
    const master = findMasterAddress(this.#instance.brokerDatas(), message.brokerName);
    await consumerSendMessageBack(
      this.#instance,
      { address: master ?? message.storeHost, brokerName: message.brokerName },
      {
        group: this.#options.groupName,
        commitLogOffset: message.commitLogOffset,
        delayLevel,
        originMsgId: message.msgId,
        originTopic: message.topic,
        maxReconsumeTimes,
      },
    );
  }

  #checkRunning(): void {
    if (this.#state !== State.RUNNING) {
      throw new MqError(
        ErrorCode.CLIENT_STATE,
        `Consumer ${this.clientId} is ${this.#state === State.CREATED ? 'not started' : 'shut down'}`,
      );
    }
  }

  #remember(topic: string, expression: SubscriptionExpression): SubscriptionData {
    const data = buildSubscription(topic, expression, Math.floor(this.#options.clock.nowMs()));
    const known = this.#subscriptions.get(topic);
    const same =
      known !== undefined &&
      known.subString === data.subString &&
      known.expressionType === data.expressionType;
    if (same) return known;
    this.#subscriptions.set(topic, data);
    return data;
  }

  async #ensureRoute(topic: string): Promise<void> {
    if (this.#instance.route(topic) !== undefined) return;
    const { route } = await this.#instance.refreshRoute(topic);
    if (route === null) {
      throw new MqError(ErrorCode.NO_ROUTE, `No route for topic ${topic}`, { topic });
    }
    await this.#heartbeat();
  }

  async #readTarget(queue: MessageQueue): Promise<Target> {
    this.#checkRunning();
    await this.#ensureRoute(queue.topic);
    const found = findSubscribeAddress(this.#instance.brokerDatas(), queue.brokerName, MASTER_ID);
    if (found === null) {
      throw new MqError(ErrorCode.NO_ROUTE, `No broker of group ${queue.brokerName}`, {
        brokerName: queue.brokerName,
      });
    }
    return { address: found.address, brokerName: queue.brokerName };
  }

  async #pull(
    queue: MessageQueue,
    expression: SubscriptionExpression,
    offset: number,
    maxNums: number,
    isBlocking: boolean,
  ): Promise<PullResult> {
    this.#checkRunning();
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`Pull offset ${offset} is not a valid offset`);
    }
    if (!Number.isInteger(maxNums) || maxNums < 1 || maxNums > 1024) {
      throw new RangeError(`maxNums ${maxNums} is not in 1..1024`);
    }
    const subscription = this.#remember(queue.topic, expression);
    await this.#ensureRoute(queue.topic);
    const key = queueKey(queue);
    const found = findSubscribeAddress(
      this.#instance.brokerDatas(),
      queue.brokerName,
      this.#suggested.get(key) ?? MASTER_ID,
    );
    if (found === null) {
      this.#instance.forgetRoute(queue.topic);
      throw new MqError(ErrorCode.NO_ROUTE, `No broker of group ${queue.brokerName} in the route`, {
        brokerName: queue.brokerName,
      });
    }
    const target = { address: found.address, brokerName: queue.brokerName };
    const o = this.#options;
    const request = buildPullRequest({
      consumerGroup: o.groupName,
      queue,
      queueOffset: offset,
      maxMsgNums: maxNums,
      sysFlag: PullSysFlag.SUBSCRIPTION | (isBlocking ? PullSysFlag.SUSPEND : 0),
      commitOffset: 0,
      suspendTimeoutMs: isBlocking ? o.brokerSuspendMaxTimeMs : 0,
      subscription: subscription.subString,
      subVersion: subscription.subVersion,
      expressionType: subscription.expressionType,
    });
    const timeoutMs = isBlocking ? o.consumerTimeoutMsWhenSuspend : o.requestTimeoutMs;
    let response: RemotingCommand;
    try {
      response = await this.#instance.invoke(target, request, timeoutMs);
    } catch (error) {
      // The broker may be gone: read the route again before the next pull of this topic.
      if (error instanceof MqError && error.code === ErrorCode.CONNECT_FAILED) {
        this.#instance.forgetRoute(queue.topic);
      }
      throw error;
    }
    const pulled = parsePullResponse(target, request, response);
    this.#suggested.set(key, pulled.suggestWhichBrokerId);
    this.#readFrom.set(key, found.brokerId);
    const messages = decodeMessages(pulled.body, {
      brokerName: queue.brokerName,
      checksum: this.#checksum,
      maxRecordBytes: o.maxRecordBytes,
    }).filter((m) => matchesTags(m, subscription.tagsSet));
    return {
      pullStatus: pulled.status,
      nextBeginOffset: pulled.nextBeginOffset,
      minOffset: pulled.minOffset,
      maxOffset: pulled.maxOffset,
      suggestWhichBrokerId: pulled.suggestWhichBrokerId,
      messages,
    };
  }

  #targets(): Target[] {
    const routes = [...this.#subscriptions.keys()].flatMap((topic) => {
      const route = this.#instance.route(topic);
      return route === undefined ? [] : [route];
    });
    return brokerAddresses(routes, false);
  }

  async #heartbeat(): Promise<void> {
    const data: HeartbeatData = {
      clientID: this.clientId,
      producerDataSet: [],
      consumerDataSet: [
        {
          groupName: this.#options.groupName,
          consumeType: ConsumeType.CONSUME_ACTIVELY,
          messageModel: MessageModel.CLUSTERING,
          consumeFromWhere: ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET,
          subscriptionDataSet: [...this.#subscriptions.values()],
          unitMode: false,
        },
      ],
    };
    await heartbeatAll(this.#instance, this.#targets(), data);
  }

  async #refreshRoutes(): Promise<void> {
    for (const topic of this.#subscriptions.keys()) {
      await this.#instance
        .refreshRoute(topic)
        .catch((error: unknown) =>
          this.#options.logger.warn('Route refresh failed', { topic, error: String(error) }),
        );
    }
  }

  async #commitLogged(): Promise<void> {
    await this.#ensureDirtyRoutes().catch((error: unknown) =>
      this.#options.logger.warn('Route lookup before an offset commit failed', {
        error: String(error),
      }),
    );
    for (const error of await this.#offsets.commitDirty()) {
      this.#options.logger.warn('Offset commit failed', { error: error.message });
    }
  }
}
