// Admin: the operator's view of a cluster, behind mqadmin. Topic creation on every master of a
// cluster (or one broker), topic lists and routes, per-queue offsets of a topic, the cluster's
// brokers with their runtime figures, a group's consumption progress and lag, message lookup by
// id or key, and a broker's runtime status. Every error is an MqError naming the NameServer or
// broker address and the response code.
//
// RocketMQ: tools/.../admin/DefaultMQAdminExtImpl.java (createAndUpdateTopicConfig,
// examineTopicStats, examineBrokerClusterInfo, examineConsumeStats, fetchBrokerRuntimeStats,
// viewMessage, queryMessage), client/.../impl/MQAdminImpl.java (queryMessage by key or unique
// key), tools/.../command/* (the subcommands).

import { ErrorCode, MqError } from '../common/errors.js';
import { type ClusterInfo, decodeClusterInfo } from '../protocol/bodies/cluster-info.js';
import { decodeConsumeStats, decodeTopicStatsTable } from '../protocol/bodies/offset-tables.js';
import { decodeKvTable, decodeTopicList } from '../protocol/bodies/simple-bodies.js';
import type { TopicRouteData } from '../protocol/bodies/topic-route-data.js';
import { CreateTopicRequestHeader } from '../protocol/headers/create-topic-request-header.js';
import { QueryMessageRequestHeader } from '../protocol/headers/query-message-request-header.js';
import { ViewMessageRequestHeader } from '../protocol/headers/view-message-request-header.js';
import { decodeOffsetMsgId } from '../protocol/message-id.js';
import { MessageProperty } from '../protocol/message-properties.js';
import { createRequest, type RemotingCommand } from '../protocol/remoting-command.js';
import { RequestCode } from '../protocol/request-code.js';
import { ResponseCode } from '../protocol/response-code.js';
import { ClientInstance, remoteError, type Target } from './client-instance.js';
import { type ClientOptions, resolveClientOptions } from './client-options.js';
import { checkGroup, checkTopic, type MessageExt, retryTopicOf } from './message.js';
import { compareQueues, type MessageQueue } from './message-queue.js';
import { decodeMessages } from './pull-decoder.js';
import { findMasterAddress, findSubscribeAddress, MASTER_ID, Perm } from './topic-route.js';

export type AdminOptions = ClientOptions;

export interface CreateTopicOptions {
  topic: string;
  /** Default 8, as mqadmin updateTopic. */
  readQueueNums?: number;
  writeQueueNums?: number;
  /** PermName bits; default 6 (read + write). */
  perm?: number;
  order?: boolean;
  /** Create on every master of this cluster. */
  clusterName?: string;
  /** Or on this one broker ("host:port"). */
  brokerAddr?: string;
}

export interface TopicQueueStatus {
  queue: MessageQueue;
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

export interface ClusterBroker {
  clusterName: string;
  brokerName: string;
  brokerId: number;
  address: string;
  /** GET_BROKER_RUNTIME_INFO, or null with `error` when the broker did not answer. */
  runtime: Record<string, string> | null;
  error: string | null;
}

export interface ConsumerQueueProgress {
  queue: MessageQueue;
  brokerOffset: number;
  consumerOffset: number;
  diff: number;
  lastTimestamp: number;
}

export interface ConsumerProgress {
  group: string;
  queues: ConsumerQueueProgress[];
  consumeTps: number;
  diffTotal: number;
}

const MAX_QUERY_MESSAGES = 64;

export class Admin {
  readonly #instance: ClientInstance;
  #isStarted = false;

  constructor(options: AdminOptions) {
    this.#instance = new ClientInstance(resolveClientOptions(options));
  }

  async start(): Promise<void> {
    this.#isStarted = true;
  }

  async shutdown(): Promise<void> {
    await this.#instance.close();
  }

  #check(): void {
    if (!this.#isStarted || this.#instance.isClosed) {
      throw new MqError(ErrorCode.CLIENT_STATE, 'Admin client is not started or is shut down');
    }
  }

  async #namesrv(request: RemotingCommand): Promise<RemotingCommand> {
    const { response, target } = await this.#instance.invokeNameServer(request);
    if (response.code !== ResponseCode.SUCCESS) throw remoteError(target, request, response);
    return response;
  }

  async clusterInfo(): Promise<ClusterInfo> {
    this.#check();
    const response = await this.#namesrv(createRequest(RequestCode.GET_BROKER_CLUSTER_INFO));
    return decodeClusterInfo(response.body);
  }

  /** Creates or updates a topic on every master of a cluster, or on one broker. */
  async createTopic(options: CreateTopicOptions): Promise<Target[]> {
    this.#check();
    checkTopic(options.topic);
    const targets = await this.#createTargets(options);
    const header = CreateTopicRequestHeader.encode({
      topic: options.topic,
      defaultTopic: 'TBW102',
      readQueueNums: options.readQueueNums ?? 8,
      writeQueueNums: options.writeQueueNums ?? 8,
      perm: options.perm ?? Perm.READ | Perm.WRITE,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: options.order ?? false,
    });
    for (const target of targets) {
      await this.#instance.invokeOk(
        target,
        createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, header),
      );
    }
    return targets;
  }

  async #createTargets(options: CreateTopicOptions): Promise<Target[]> {
    if (options.brokerAddr !== undefined) {
      return [{ address: options.brokerAddr, brokerName: options.brokerAddr }];
    }
    const info = await this.clusterInfo();
    const clusters = Object.keys(info.clusterAddrTable);
    const clusterName = options.clusterName ?? (clusters.length === 1 ? clusters[0] : undefined);
    if (clusterName === undefined) {
      throw new TypeError(`Name a cluster (one of ${clusters.join(', ') || 'none'}) or a broker`);
    }
    const brokerNames = info.clusterAddrTable[clusterName];
    if (brokerNames === undefined) {
      throw new MqError(
        ErrorCode.NO_ROUTE,
        `Cluster ${clusterName} is not known to the NameServer`,
        {
          clusterName,
        },
      );
    }
    const datas = Object.values(info.brokerAddrTable);
    const targets: Target[] = [];
    for (const brokerName of [...brokerNames].sort()) {
      const address = findMasterAddress(datas, brokerName);
      if (address !== null) targets.push({ address, brokerName });
    }
    if (targets.length === 0) {
      throw new MqError(
        ErrorCode.NO_MASTER,
        `Cluster ${clusterName} has no master to create the topic on`,
        {
          clusterName,
        },
      );
    }
    return targets;
  }

  async topicList(): Promise<string[]> {
    this.#check();
    const response = await this.#namesrv(
      createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER),
    );
    return decodeTopicList(response.body).topicList.sort();
  }

  async topicRoute(topic: string): Promise<TopicRouteData> {
    this.#check();
    const route = await this.#instance.fetchRoute(topic);
    if (route === null) {
      const namesrv = this.#instance.options.namesrvAddrs.join(';');
      throw new MqError(
        ErrorCode.NO_ROUTE,
        `No route for topic ${topic} on NameServer ${namesrv}`,
        {
          topic,
          address: namesrv,
        },
      );
    }
    return route;
  }

  /** Min and max offset of every queue of a topic, from each group's master (or any broker). */
  async topicStatus(topic: string): Promise<TopicQueueStatus[]> {
    const route = await this.topicRoute(topic);
    const rows: TopicQueueStatus[] = [];
    for (const data of route.brokerDatas) {
      const found = findSubscribeAddress([data], data.brokerName, MASTER_ID);
      if (found === null) continue;
      const target = { address: found.address, brokerName: data.brokerName };
      const request = createRequest(RequestCode.GET_TOPIC_STATS_INFO, { topic });
      const response = await this.#instance.invokeOk(target, request);
      for (const entry of decodeTopicStatsTable(response.body).offsetTable) {
        rows.push({ queue: entry.messageQueue, ...entry.value });
      }
    }
    return rows.sort((a, b) => compareQueues(a.queue, b.queue));
  }

  async brokerRuntimeInfo(target: Target): Promise<Record<string, string>> {
    this.#check();
    const response = await this.#instance.invokeOk(
      target,
      createRequest(RequestCode.GET_BROKER_RUNTIME_INFO),
    );
    return decodeKvTable(response.body).table;
  }

  /** Any request to one broker; the response as it came (its code is the caller's to judge). */
  async brokerRequest(target: Target, request: RemotingCommand): Promise<RemotingCommand> {
    this.#check();
    return this.#instance.invoke(target, request, this.#instance.options.requestTimeoutMs);
  }

  /** GET_BROKER_RUNTIME_INFO of one broker ("host:port"). */
  brokerStatus(brokerAddr: string): Promise<Record<string, string>> {
    return this.brokerRuntimeInfo({ address: brokerAddr, brokerName: brokerAddr });
  }

  /** Every broker of every cluster, with its runtime figures where it answers. */
  async clusterList(): Promise<ClusterBroker[]> {
    const info = await this.clusterInfo();
    const rows: ClusterBroker[] = [];
    for (const clusterName of Object.keys(info.clusterAddrTable).sort()) {
      for (const brokerName of [...(info.clusterAddrTable[clusterName] ?? [])].sort()) {
        const data = info.brokerAddrTable[brokerName];
        if (data === undefined) continue;
        for (const id of Object.keys(data.brokerAddrs).sort((a, b) => Number(a) - Number(b))) {
          const address = data.brokerAddrs[id] ?? '';
          const row: ClusterBroker = {
            clusterName,
            brokerName,
            brokerId: Number(id),
            address,
            runtime: null,
            error: null,
          };
          try {
            row.runtime = await this.brokerRuntimeInfo({ address, brokerName });
          } catch (error) {
            row.error = error instanceof Error ? error.message : String(error);
          }
          rows.push(row);
        }
      }
    }
    return rows;
  }

  /**
   * Offsets and lag of a consumer group on every broker that serves its retry topic (or the
   * given topic).
   */
  async consumerProgress(group: string, topic?: string): Promise<ConsumerProgress> {
    this.#check();
    checkGroup(group);
    const route = await this.topicRoute(topic ?? retryTopicOf(group));
    const queues: ConsumerQueueProgress[] = [];
    let consumeTps = 0;
    for (const data of route.brokerDatas) {
      const found = findSubscribeAddress([data], data.brokerName, MASTER_ID);
      if (found === null) continue;
      const target = { address: found.address, brokerName: data.brokerName };
      const header: Record<string, string> = { consumerGroup: group };
      if (topic !== undefined) header['topic'] = topic;
      const request = createRequest(RequestCode.GET_CONSUME_STATS, header);
      const response = await this.#instance.invokeOk(target, request);
      const stats = decodeConsumeStats(response.body);
      consumeTps += stats.consumeTps;
      for (const entry of stats.offsetTable) {
        const { brokerOffset, consumerOffset, lastTimestamp } = entry.value;
        queues.push({
          queue: entry.messageQueue,
          brokerOffset,
          consumerOffset,
          diff: Math.max(0, brokerOffset - consumerOffset),
          lastTimestamp,
        });
      }
    }
    queues.sort((a, b) => compareQueues(a.queue, b.queue));
    const diffTotal = queues.reduce((sum, q) => sum + q.diff, 0);
    return { group, queues, consumeTps, diffTotal };
  }

  async #viewByOffsetId(msgId: string): Promise<MessageExt | null> {
    let decoded: ReturnType<typeof decodeOffsetMsgId>;
    try {
      decoded = decodeOffsetMsgId(msgId);
    } catch {
      return null;
    }
    if (decoded.port < 1 || decoded.port > 65535) return null;
    const address = decoded.host.includes(':')
      ? `[${decoded.host}]:${decoded.port}`
      : `${decoded.host}:${decoded.port}`;
    const target = { address, brokerName: address };
    const request = createRequest(
      RequestCode.VIEW_MESSAGE_BY_ID,
      ViewMessageRequestHeader.encode({ offset: decoded.commitLogOffset }),
    );
    const response = await this.#instance.invokeOk(target, request);
    return (
      decodeMessages(response.body, {
        brokerName: (await this.#brokerNameOf(address)) ?? address,
        checksum: null,
        maxRecordBytes: 64 * 1024 * 1024,
      })[0] ?? null
    );
  }

  /**
   * The group of the broker at `address`, from the NameServer's cluster table (an offset message
   * id names only the address); null when the NameServer does not list it or does not answer.
   */
  async #brokerNameOf(address: string): Promise<string | null> {
    let info: ClusterInfo;
    try {
      info = await this.clusterInfo();
    } catch {
      return null;
    }
    for (const data of Object.values(info.brokerAddrTable)) {
      if (Object.values(data.brokerAddrs).includes(address)) return data.brokerName;
    }
    return null;
  }

  /**
   * A message by its offset message id (asks the broker named in the id), or by its unique id
   * (UNIQ_KEY, needs the topic).
   * @throws MqError E_NO_ROUTE when neither form finds it.
   */
  async queryMsgById(msgId: string, topic?: string): Promise<MessageExt> {
    this.#check();
    let offsetError: unknown = null;
    try {
      const byOffset = await this.#viewByOffsetId(msgId);
      if (byOffset !== null) return byOffset;
    } catch (error) {
      offsetError = error;
    }
    if (topic !== undefined) {
      const found = await this.#queryIndex(topic, msgId, true);
      const first = found[0];
      if (first !== undefined) return first;
    }
    if (offsetError !== null) throw offsetError;
    throw new MqError(
      ErrorCode.NO_ROUTE,
      `No message with id ${msgId}${topic === undefined ? ' (give the topic to search by unique id)' : ` in ${topic}`}`,
      {
        msgId,
      },
    );
  }

  /** Messages of `topic` whose unique id (UNIQ_KEY) is `msgId`, from every group's index. */
  queryMsgByUniqueKey(topic: string, msgId: string): Promise<MessageExt[]> {
    this.#check();
    return this.#queryIndex(topic, msgId, true);
  }

  /** Messages of `topic` whose KEYS contain `key` (from every group's index). */
  queryMsgByKey(topic: string, key: string, maxNum = MAX_QUERY_MESSAGES): Promise<MessageExt[]> {
    this.#check();
    return this.#queryIndex(topic, key, false, maxNum);
  }

  async #queryIndex(
    topic: string,
    key: string,
    isUniqueKey: boolean,
    maxNum = MAX_QUERY_MESSAGES,
  ): Promise<MessageExt[]> {
    const route = await this.topicRoute(topic);
    const header: Record<string, string> = QueryMessageRequestHeader.encode({
      topic,
      key,
      maxNum,
      beginTimestamp: 0,
      endTimestamp: Number.MAX_SAFE_INTEGER,
    });
    if (isUniqueKey) header['_UNIQUE_KEY_QUERY'] = 'true';
    const found: MessageExt[] = [];
    for (const data of route.brokerDatas) {
      const address = findSubscribeAddress([data], data.brokerName, MASTER_ID);
      if (address === null) continue;
      const target = { address: address.address, brokerName: data.brokerName };
      const request = createRequest(RequestCode.QUERY_MESSAGE, header);
      const timeoutMs = this.#instance.options.requestTimeoutMs;
      const response = await this.#instance.invoke(target, request, timeoutMs);
      if (response.code === ResponseCode.QUERY_NOT_FOUND) continue;
      if (response.code !== ResponseCode.SUCCESS) throw remoteError(target, request, response);
      const messages = decodeMessages(response.body, {
        brokerName: data.brokerName,
        checksum: null,
        maxRecordBytes: 64 * 1024 * 1024,
      });
      for (const message of messages) {
        const matches = isUniqueKey
          ? message.properties[MessageProperty.UNIQ_KEY] === key
          : message.keys.includes(key);
        if (matches) found.push(message);
      }
    }
    return found.sort((a, b) => a.storeTimestamp - b.storeTimestamp).slice(0, maxNum);
  }
}
