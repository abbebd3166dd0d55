// An in-process stand-in for a NameServer and broker groups, small enough to reason about, for
// client tests that need exact control: routes set by the test (a group without its master),
// a master and a slave serving the same in-memory queues, injected send failures, long polling,
// send-back into %RETRY%<group>, consumer offsets and group membership with
// NOTIFY_CONSUMER_IDS_CHANGED. It is not a broker: no files, no delay levels (send-back is
// immediate), no HA protocol. Real-process tests live in test/integration/.

import { decodeBatchBody } from '../../client/batch-codec.js';
import { decodeMessages } from '../../client/pull-decoder.js';
import { javaHashCode } from '../../common/bytes.js';
import { encodeClusterInfo } from '../../protocol/bodies/cluster-info.js';
import { decodeHeartbeatData } from '../../protocol/bodies/heartbeat-data.js';
import {
  encodeConsumerOffsetTable,
  encodeConsumeStats,
  encodeTopicStatsTable,
} from '../../protocol/bodies/offset-tables.js';
import {
  encodeConsumerList,
  encodeKvTable,
  encodeTopicList,
} from '../../protocol/bodies/simple-bodies.js';
import {
  encodeTopicRouteData,
  type TopicRouteData,
} from '../../protocol/bodies/topic-route-data.js';
import { createOffsetMsgId } from '../../protocol/message-id.js';
import { decodeProperties } from '../../protocol/message-properties.js';
import {
  createRequest,
  createResponse,
  type RemotingCommand,
} from '../../protocol/remoting-command.js';
import type { RemotingConnection } from '../../protocol/remoting-connection.js';
import { RemotingServer } from '../../protocol/remoting-server.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import { encodeStoredRecord } from './stored-records.js';

interface StoredMessage {
  record: Buffer;
  tagsCode: number;
  commitLogOffset: number;
  keys: string[];
  uniqKey: string | undefined;
}

/** The message data of one broker group, shared by its master and slave. */
export class FakeStore {
  readonly queues = new Map<string, StoredMessage[]>();
  readonly byOffset = new Map<number, StoredMessage>();
  readonly offsets = new Map<string, number>();
  readonly topics = new Map<string, number>();
  #commitLogOffset = 0;
  readonly #arrivals = new Set<() => void>();

  queue(topic: string, queueId: number): StoredMessage[] {
    const key = `${topic}/${queueId}`;
    let list = this.queues.get(key);
    if (list === undefined) {
      list = [];
      this.queues.set(key, list);
    }
    return list;
  }

  append(
    topic: string,
    queueId: number,
    storeHost: string,
    message: {
      body: Buffer;
      properties: Record<string, string>;
      sysFlag: number;
      flag: number;
      reconsumeTimes: number;
    },
  ): { queueOffset: number; commitLogOffset: number } {
    const list = this.queue(topic, queueId);
    const commitLogOffset = this.#commitLogOffset;
    const record = encodeStoredRecord({
      topic,
      queueId,
      queueOffset: list.length,
      commitLogOffset,
      body: message.body,
      properties: message.properties,
      sysFlag: message.sysFlag,
      flag: message.flag,
      reconsumeTimes: message.reconsumeTimes,
      storeHost,
      storeTimestamp: Date.now(),
    });
    this.#commitLogOffset += record.length;
    const tags = message.properties['TAGS'];
    const stored: StoredMessage = {
      record,
      tagsCode: tags === undefined ? 0 : javaHashCode(tags),
      commitLogOffset,
      keys: (message.properties['KEYS'] ?? '').split(' ').filter((k) => k !== ''),
      uniqKey: message.properties['UNIQ_KEY'],
    };
    list.push(stored);
    this.byOffset.set(commitLogOffset, stored);
    for (const wake of [...this.#arrivals]) wake();
    return { queueOffset: list.length - 1, commitLogOffset };
  }

  waitForArrival(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#arrivals.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#arrivals.add(done);
    });
  }

  wakeAll(): void {
    for (const wake of [...this.#arrivals]) wake();
  }
}

export interface FakeBrokerOptions {
  brokerName: string;
  brokerId: number;
  store: FakeStore;
  clusterName?: string;
}

/** One broker process stand-in (master or slave) on a loopback port. */
export class FakeBroker {
  readonly brokerName: string;
  readonly brokerId: number;
  readonly store: FakeStore;
  readonly server = new RemotingServer();
  address = '';
  /** Response codes the next sends get instead of being stored. */
  readonly sendFailures: number[] = [];
  /** Response codes the next send-backs get. */
  readonly sendBackFailures: number[] = [];
  /** suggestWhichBrokerId put on pull responses. */
  suggestWhichBrokerId = 0;
  readonly groups = new Map<string, Map<string, RemotingConnection>>();
  readonly requestCounts = new Map<number, number>();
  readonly sendBacks: { group: string; commitLogOffset: number; delayLevel: number }[] = [];
  /** Request codes answered with REQUEST_CODE_NOT_SUPPORTED, as an older broker would. */
  readonly unsupported = new Set<number>();

  constructor(options: FakeBrokerOptions) {
    this.brokerName = options.brokerName;
    this.brokerId = options.brokerId;
    this.store = options.store;
    const handlers: [
      number,
      (
        r: RemotingCommand,
        c: RemotingConnection,
      ) => Promise<RemotingCommand | null> | RemotingCommand | null,
    ][] = [
      [RequestCode.SEND_MESSAGE_V2, (r) => this.#send(r, false)],
      [RequestCode.SEND_BATCH_MESSAGE, (r) => this.#send(r, true)],
      [RequestCode.PULL_MESSAGE, (r) => this.#pull(r)],
      [RequestCode.HEART_BEAT, (r, c) => this.#heartbeat(r, c)],
      [RequestCode.UNREGISTER_CLIENT, (r) => this.#unregister(r)],
      [RequestCode.GET_CONSUMER_LIST_BY_GROUP, (r) => this.#consumerList(r)],
      [RequestCode.QUERY_CONSUMER_OFFSET, (r) => this.#queryOffset(r)],
      [RequestCode.UPDATE_CONSUMER_OFFSET, (r) => this.#updateOffset(r)],
      [RequestCode.GET_MAX_OFFSET, (r) => this.#maxOffset(r)],
      [RequestCode.GET_MIN_OFFSET, (r) => this.#offsetResponse(r, 0)],
      [RequestCode.CONSUMER_SEND_MSG_BACK, (r) => this.#sendBack(r)],
      [RequestCode.VIEW_MESSAGE_BY_ID, (r) => this.#view(r)],
      [RequestCode.QUERY_MESSAGE, (r) => this.#query(r)],
      [RequestCode.GET_TOPIC_STATS_INFO, (r) => this.#topicStats(r)],
      [RequestCode.GET_CONSUME_STATS, (r) => this.#consumeStats(r)],
      [RequestCode.GET_BROKER_RUNTIME_INFO, (r) => this.#runtime(r)],
      [RequestCode.UPDATE_AND_CREATE_TOPIC, (r) => this.#createTopic(r)],
      [RequestCode.GET_ALL_CONSUMER_OFFSET, (r) => this.#allOffsets(r)],
    ];
    for (const [code, handler] of handlers) {
      this.server.registerProcessor(code, (request, connection) => {
        this.requestCounts.set(code, (this.requestCounts.get(code) ?? 0) + 1);
        if (this.unsupported.has(code)) {
          return createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, 'not supported');
        }
        return handler(request, connection);
      });
    }
    this.server.onConnectionClose((connection) => {
      for (const [group, members] of this.groups) {
        for (const [clientId, c] of members) {
          if (c === connection) {
            members.delete(clientId);
            this.#notify(group);
          }
        }
      }
    });
  }

  async start(): Promise<void> {
    const { port } = await this.server.listen({ host: '127.0.0.1', port: 0 });
    this.address = `127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.store.wakeAll();
    await this.server.close();
  }

  count(code: number): number {
    return this.requestCounts.get(code) ?? 0;
  }

  #send(request: RemotingCommand, isBatch: boolean): RemotingCommand {
    const failure = this.sendFailures.shift();
    if (failure !== undefined) return createResponse(request, failure, 'injected failure');
    if (this.brokerId !== 0)
      return createResponse(request, ResponseCode.SERVICE_NOT_AVAILABLE, 'slave');
    const f = request.extFields;
    const topic = f['b'] ?? '';
    const queueId = Number(f['e']);
    const body = request.body ?? Buffer.alloc(0);
    const entries = isBatch
      ? decodeBatchBody(body).map((e) => ({
          body: e.body,
          properties: Object.fromEntries(decodeProperties(e.properties)),
          flag: e.flag,
        }))
      : [
          {
            body,
            properties: Object.fromEntries(decodeProperties(f['i'] ?? '')),
            flag: Number(f['h']),
          },
        ];
    const ids: string[] = [];
    let first = -1;
    for (const entry of entries) {
      const stored = this.store.append(topic, queueId, this.address, {
        ...entry,
        sysFlag: isBatch ? 0 : Number(f['f']),
        reconsumeTimes: Number(f['j'] ?? 0),
      });
      if (first < 0) first = stored.queueOffset;
      ids.push(
        createOffsetMsgId(
          { host: '127.0.0.1', port: Number(this.address.split(':')[1]) },
          stored.commitLogOffset,
        ),
      );
    }
    const response = createResponse(request, ResponseCode.SUCCESS);
    Object.assign(response.extFields, {
      msgId: ids.join(','),
      queueId: String(queueId),
      queueOffset: String(first),
    });
    return response;
  }

  async #pull(request: RemotingCommand): Promise<RemotingCommand> {
    const f = request.extFields;
    const topic = f['topic'] ?? '';
    const queueId = Number(f['queueId']);
    const offset = Number(f['queueOffset']);
    const maxNums = Number(f['maxMsgNums']);
    const sysFlag = Number(f['sysFlag']);
    const group = f['consumerGroup'] ?? '';
    if ((sysFlag & 1) !== 0 && this.brokerId === 0) {
      this.store.offsets.set(`${group}/${topic}/${queueId}`, Number(f['commitOffset']));
    }
    const sub = f['subscription'] ?? '*';
    const codes = sub === '*' ? null : new Set(sub.split('||').map((t) => javaHashCode(t.trim())));
    const suspend = (sysFlag & 2) !== 0 ? Number(f['suspendTimeoutMillis']) : 0;
    const list = this.store.queue(topic, queueId);
    if (offset >= list.length && suspend > 0) {
      await this.store.waitForArrival(Math.min(suspend, 2000));
    }
    const response = createResponse(request, ResponseCode.SUCCESS);
    const header = (code: number, next: number) => {
      response.code = code;
      Object.assign(response.extFields, {
        suggestWhichBrokerId: String(this.suggestWhichBrokerId),
        nextBeginOffset: String(next),
        minOffset: '0',
        maxOffset: String(list.length),
      });
      return response;
    };
    if (offset > list.length) return header(ResponseCode.PULL_OFFSET_MOVED, list.length);
    if (offset === list.length) return header(ResponseCode.PULL_NOT_FOUND, offset);
    const picked: Buffer[] = [];
    let next = offset;
    while (next < list.length && picked.length < maxNums) {
      const stored = list[next];
      next++;
      if (stored === undefined) break;
      if (codes === null || codes.has(stored.tagsCode)) picked.push(stored.record);
    }
    if (picked.length === 0) return header(ResponseCode.PULL_RETRY_IMMEDIATELY, next);
    response.body = Buffer.concat(picked);
    return header(ResponseCode.SUCCESS, next);
  }

  #heartbeat(request: RemotingCommand, connection: RemotingConnection): RemotingCommand {
    const data = decodeHeartbeatData(request.body);
    for (const consumer of data.consumerDataSet) {
      let members = this.groups.get(consumer.groupName);
      if (members === undefined) {
        members = new Map();
        this.groups.set(consumer.groupName, members);
      }
      const isNew = !members.has(data.clientID);
      members.set(data.clientID, connection);
      if (isNew) this.#notify(consumer.groupName);
    }
    return createResponse(request, ResponseCode.SUCCESS);
  }

  #notify(group: string): void {
    for (const connection of this.groups.get(group)?.values() ?? []) {
      if (!connection.isOpen) continue;
      void connection
        .invokeOneway(
          createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: group }),
        )
        .catch(() => undefined);
    }
  }

  #unregister(request: RemotingCommand): RemotingCommand {
    const group = request.extFields['consumerGroup'];
    const clientId = request.extFields['clientID'] ?? '';
    if (group !== undefined && this.groups.get(group)?.delete(clientId) === true)
      this.#notify(group);
    return createResponse(request, ResponseCode.SUCCESS);
  }

  #consumerList(request: RemotingCommand): RemotingCommand {
    const members = this.groups.get(request.extFields['consumerGroup'] ?? '');
    if (members === undefined || members.size === 0) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, 'no consumer for this group');
    }
    const response = createResponse(request, ResponseCode.SUCCESS);
    response.body = encodeConsumerList({ consumerIdList: [...members.keys()] });
    return response;
  }

  #queryOffset(request: RemotingCommand): RemotingCommand {
    const f = request.extFields;
    const stored = this.store.offsets.get(`${f['consumerGroup']}/${f['topic']}/${f['queueId']}`);
    if (stored === undefined)
      return createResponse(request, ResponseCode.QUERY_NOT_FOUND, 'not found');
    return this.#offsetResponse(request, stored);
  }

  #updateOffset(request: RemotingCommand): RemotingCommand {
    const f = request.extFields;
    this.store.offsets.set(
      `${f['consumerGroup']}/${f['topic']}/${f['queueId']}`,
      Number(f['commitOffset']),
    );
    return createResponse(request, ResponseCode.SUCCESS);
  }

  #maxOffset(request: RemotingCommand): RemotingCommand {
    const f = request.extFields;
    return this.#offsetResponse(
      request,
      this.store.queue(f['topic'] ?? '', Number(f['queueId'])).length,
    );
  }

  #offsetResponse(request: RemotingCommand, offset: number): RemotingCommand {
    const response = createResponse(request, ResponseCode.SUCCESS);
    response.extFields['offset'] = String(offset);
    return response;
  }

  #sendBack(request: RemotingCommand): RemotingCommand {
    const failure = this.sendBackFailures.shift();
    if (failure !== undefined) return createResponse(request, failure, 'injected failure');
    const f = request.extFields;
    const group = f['group'] ?? '';
    const commitLogOffset = Number(f['offset']);
    this.sendBacks.push({ group, commitLogOffset, delayLevel: Number(f['delayLevel']) });
    const stored = this.store.byOffset.get(commitLogOffset);
    if (stored === undefined)
      return createResponse(request, ResponseCode.SYSTEM_ERROR, 'no such message');
    const [original] = decodeMessages(stored.record, {
      brokerName: this.brokerName,
      checksum: null,
      maxRecordBytes: 1 << 24,
    });
    if (original === undefined)
      return createResponse(request, ResponseCode.SYSTEM_ERROR, 'bad record');
    const properties = { ...original.properties };
    properties['RETRY_TOPIC'] ??= f['originTopic'] ?? original.topic;
    properties['ORIGIN_MESSAGE_ID'] ??= f['originMsgId'] ?? original.msgId;
    const max = Number(f['maxReconsumeTimes'] ?? 16);
    const target = original.reconsumeTimes >= max ? `%DLQ%${group}` : `%RETRY%${group}`;
    this.store.append(target, 0, this.address, {
      body: original.body,
      properties,
      sysFlag: 0,
      flag: original.flag,
      reconsumeTimes: original.reconsumeTimes + 1,
    });
    return createResponse(request, ResponseCode.SUCCESS);
  }

  #view(request: RemotingCommand): RemotingCommand {
    const stored = this.store.byOffset.get(Number(request.extFields['offset']));
    if (stored === undefined)
      return createResponse(request, ResponseCode.SYSTEM_ERROR, 'no message');
    const response = createResponse(request, ResponseCode.SUCCESS);
    response.body = stored.record;
    return response;
  }

  #query(request: RemotingCommand): RemotingCommand {
    const f = request.extFields;
    const isUnique = f['_UNIQUE_KEY_QUERY'] === 'true';
    const key = f['key'] ?? '';
    const found: Buffer[] = [];
    for (const [name, list] of this.store.queues) {
      if (!name.startsWith(`${f['topic']}/`)) continue;
      for (const stored of list) {
        if (isUnique ? stored.uniqKey === key : stored.keys.includes(key))
          found.push(stored.record);
      }
    }
    if (found.length === 0)
      return createResponse(request, ResponseCode.QUERY_NOT_FOUND, 'not found');
    const response = createResponse(request, ResponseCode.SUCCESS);
    response.body = Buffer.concat(found);
    return response;
  }

  #topicStats(request: RemotingCommand): RemotingCommand {
    const topic = request.extFields['topic'] ?? '';
    const queueNums = this.store.topics.get(topic) ?? 0;
    const response = createResponse(request, ResponseCode.SUCCESS);
    response.body = encodeTopicStatsTable({
      offsetTable: Array.from({ length: queueNums }, (_, queueId) => ({
        messageQueue: { topic, brokerName: this.brokerName, queueId },
        value: {
          minOffset: 0,
          maxOffset: this.store.queue(topic, queueId).length,
          lastUpdateTimestamp: 0,
        },
      })),
    });
    return response;
  }

  #consumeStats(request: RemotingCommand): RemotingCommand {
    const group = request.extFields['consumerGroup'] ?? '';
    const offsetTable = [];
    for (const [key, offset] of this.store.offsets) {
      const [g, topic, queueId] = key.split('/');
      if (g !== group || topic === undefined) continue;
      offsetTable.push({
        messageQueue: { topic, brokerName: this.brokerName, queueId: Number(queueId) },
        value: {
          brokerOffset: this.store.queue(topic, Number(queueId)).length,
          consumerOffset: offset,
          lastTimestamp: 0,
        },
      });
    }
    const response = createResponse(request, ResponseCode.SUCCESS);
    response.body = encodeConsumeStats({ offsetTable, consumeTps: 0 });
    return response;
  }

  #allOffsets(request: RemotingCommand): RemotingCommand {
    const offsetTable: Record<string, Record<string, number>> = {};
    for (const [key, offset] of this.store.offsets) {
      const [group, topic, queueId] = key.split('/');
      const name = `${topic}@${group}`;
      offsetTable[name] = { ...(offsetTable[name] ?? {}), [String(queueId)]: offset };
    }
    const response = createResponse(request, ResponseCode.SUCCESS);
    response.body = encodeConsumerOffsetTable({ offsetTable });
    return response;
  }

  #runtime(request: RemotingCommand): RemotingCommand {
    const response = createResponse(request, ResponseCode.SUCCESS);
    response.body = encodeKvTable({
      table: { brokerVersionDesc: 'FAKE', putTps: '0.0', commitLogMaxOffset: '0' },
    });
    return response;
  }

  #createTopic(request: RemotingCommand): RemotingCommand {
    const f = request.extFields;
    this.store.topics.set(f['topic'] ?? '', Number(f['writeQueueNums']));
    return createResponse(request, ResponseCode.SUCCESS);
  }
}

/** A NameServer stand-in whose routes the test sets. */
export class FakeNameServer {
  readonly server = new RemotingServer();
  readonly routes = new Map<string, TopicRouteData>();
  address = '';
  clusterName = 'FakeCluster';

  constructor() {
    this.server.registerProcessor(RequestCode.GET_ROUTEINFO_BY_TOPIC, (request) => {
      const route = this.routes.get(request.extFields['topic'] ?? '');
      if (route === undefined)
        return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, 'No topic route info');
      const response = createResponse(request, ResponseCode.SUCCESS);
      response.body = encodeTopicRouteData(route);
      return response;
    });
    this.server.registerProcessor(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, (request) => {
      const response = createResponse(request, ResponseCode.SUCCESS);
      response.body = encodeTopicList({ topicList: [...this.routes.keys()] });
      return response;
    });
    this.server.registerProcessor(RequestCode.GET_BROKER_CLUSTER_INFO, (request) => {
      const brokerAddrTable: Record<string, TopicRouteData['brokerDatas'][number]> = {};
      for (const route of this.routes.values()) {
        for (const data of route.brokerDatas) brokerAddrTable[data.brokerName] = data;
      }
      const response = createResponse(request, ResponseCode.SUCCESS);
      response.body = encodeClusterInfo({
        brokerAddrTable,
        clusterAddrTable: { [this.clusterName]: Object.keys(brokerAddrTable).sort() },
      });
      return response;
    });
  }

  async start(): Promise<void> {
    const { port } = await this.server.listen({ host: '127.0.0.1', port: 0 });
    this.address = `127.0.0.1:${port}`;
  }

  /** Sets a topic's route: `queues` per group, with the given brokers (id -> broker). */
  setRoute(
    topic: string,
    groups: { brokers: FakeBroker[]; queues: number; perm?: number }[],
  ): void {
    this.routes.set(topic, {
      queueDatas: groups.map((g) => ({
        brokerName: g.brokers[0]?.brokerName ?? '',
        readQueueNums: g.queues,
        writeQueueNums: g.queues,
        perm: g.perm ?? 6,
        topicSysFlag: 0,
      })),
      brokerDatas: groups.map((g) => ({
        cluster: this.clusterName,
        brokerName: g.brokers[0]?.brokerName ?? '',
        brokerAddrs: Object.fromEntries(g.brokers.map((b) => [String(b.brokerId), b.address])),
      })),
      filterServerTable: {},
    });
    for (const g of groups) for (const b of g.brokers) b.store.topics.set(topic, g.queues);
  }

  async close(): Promise<void> {
    await this.server.close();
  }
}
