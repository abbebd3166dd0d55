// The NameServer's request processors: broker registration and liveness, topic routes, cluster
// and topic listings, and the KV config. Each handler decodes its typed header (a bad one gets
// SYSTEM_ERROR naming the field, as in Java) and answers from the route table.
//
// RocketMQ: namesrv/.../processor/DefaultRequestProcessor.java and
// ClusterTestRequestProcessor.java (not ported: cluster-test mode).
//
// One deliberate difference for legacy clients: ali-ons (and other clients that announce version
// V3_4_9 or older) only fall back to the default topic TBW102 — and so only auto-create a topic
// on its first send — when a route query answers SUCCESS without a body. A Java NameServer answers
// TOPIC_NOT_EXIST, so ali-ons cannot send to a topic that does not exist yet. For those clients,
// when some live master offers TBW102 with the INHERIT permission (autoCreateTopicEnable=true), we
// answer SUCCESS with no body; every other client gets TOPIC_NOT_EXIST as from Java.

import { MqError } from '../common/errors.js';
import { SystemTopic } from '../common/topic-rules.js';
import type { Logger } from '../protocol/index.js';
import {
  DeleteKVConfigRequestHeader,
  DeleteTopicFromNamesrvRequestHeader,
  decodeDataVersion,
  decodeJsonBody,
  decodeRegisterBrokerBody,
  encodeClusterInfo,
  encodeJsonBody,
  encodeKvTable,
  encodeTopicList,
  encodeTopicRouteData,
  GetKVConfigRequestHeader,
  GetKVListByNamespaceRequestHeader,
  GetRouteInfoRequestHeader,
  GetTopicsByClusterRequestHeader,
  MqVersion,
  PutKVConfigRequestHeader,
  QueryDataVersionRequestHeader,
  type RegisterBrokerBody,
  RegisterBrokerRequestHeader,
  type RemotingCommand,
  type RemotingConnection,
  type RemotingServer,
  RequestCode,
  ResponseCode,
  registerBrokerBodyCrc32,
  UnRegisterBrokerRequestHeader,
  WipeWritePermOfBrokerRequestHeader,
} from '../protocol/index.js';
import { decodeRequestHeader, failure, success } from '../server/request-kit.js';
import { type KvConfig, NAMESPACE_ORDER_TOPIC_CONFIG } from './kv-config.js';
import type { RouteInfoTable } from './route-info-table.js';

export interface NamesrvContext {
  routes: RouteInfoTable;
  kv: KvConfig;
  orderMessageEnable: boolean;
  logger: Logger;
}

type Handler = (request: RemotingCommand, connection: RemotingConnection) => RemotingCommand;

/** Registers every NameServer request code on `server`. */
export function registerNamesrvProcessors(server: RemotingServer, ctx: NamesrvContext): void {
  const handlers: Array<[number, Handler]> = [
    [RequestCode.PUT_KV_CONFIG, (r) => putKvConfig(ctx, r)],
    [RequestCode.GET_KV_CONFIG, (r) => getKvConfig(ctx, r)],
    [RequestCode.DELETE_KV_CONFIG, (r) => deleteKvConfig(ctx, r)],
    [RequestCode.GET_KVLIST_BY_NAMESPACE, (r) => getKvList(ctx, r)],
    [RequestCode.REGISTER_BROKER, (r, c) => registerBroker(ctx, r, c)],
    [RequestCode.UNREGISTER_BROKER, (r) => unregisterBroker(ctx, r)],
    [RequestCode.QUERY_DATA_VERSION, (r) => queryDataVersion(ctx, r)],
    [RequestCode.GET_ROUTEINFO_BY_TOPIC, (r) => getRouteInfo(ctx, r)],
    [
      RequestCode.GET_BROKER_CLUSTER_INFO,
      (r) => success(r, {}, encodeClusterInfo(ctx.routes.clusterInfo())),
    ],
    [RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, (r) => topicList(r, ctx.routes.allTopics())],
    [RequestCode.GET_TOPICS_BY_CLUSTER, (r) => topicsByCluster(ctx, r)],
    [RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS, (r) => systemTopics(ctx, r)],
    [RequestCode.DELETE_TOPIC_IN_NAMESRV, (r) => deleteTopic(ctx, r)],
    [RequestCode.WIPE_WRITE_PERM_OF_BROKER, (r) => wipeWritePerm(ctx, r)],
    [RequestCode.ADD_WRITE_PERM_OF_BROKER, (r) => addWritePerm(ctx, r)],
  ];
  for (const [code, handler] of handlers) server.registerProcessor(code, handler);
}

function topicList(request: RemotingCommand, topics: string[]): RemotingCommand {
  return success(request, {}, encodeTopicList({ topicList: topics }));
}

function putKvConfig(ctx: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, PutKVConfigRequestHeader);
  if (!h.ok) return h.response;
  if (!ctx.kv.put(h.header.namespace, h.header.key, h.header.value)) {
    return failure(request, ResponseCode.SYSTEM_ERROR, 'The KV config is full');
  }
  return success(request);
}

function getKvConfig(ctx: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, GetKVConfigRequestHeader);
  if (!h.ok) return h.response;
  const value = ctx.kv.get(h.header.namespace, h.header.key);
  if (value === undefined) {
    return failure(
      request,
      ResponseCode.QUERY_NOT_FOUND,
      `No config item, Namespace: ${h.header.namespace} Key: ${h.header.key}`,
    );
  }
  return success(request, { value });
}

function deleteKvConfig(ctx: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, DeleteKVConfigRequestHeader);
  if (!h.ok) return h.response;
  ctx.kv.delete(h.header.namespace, h.header.key);
  return success(request);
}

function getKvList(ctx: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, GetKVListByNamespaceRequestHeader);
  if (!h.ok) return h.response;
  const table = ctx.kv.list(h.header.namespace);
  if (table === undefined) {
    return failure(
      request,
      ResponseCode.QUERY_NOT_FOUND,
      `No config item, Namespace: ${h.header.namespace}`,
    );
  }
  return success(request, {}, encodeKvTable({ table }));
}

function decodeRegisterBody(
  request: RemotingCommand,
  compressed: boolean,
): RegisterBrokerBody | undefined {
  if (request.body === null || request.body.length === 0) return undefined;
  return decodeRegisterBrokerBody(request.body, { compressed });
}

function registerBroker(
  ctx: NamesrvContext,
  request: RemotingCommand,
  connection: RemotingConnection,
): RemotingCommand {
  const h = decodeRequestHeader(request, RegisterBrokerRequestHeader);
  if (!h.ok) return h.response;
  const header = h.header;
  const crc = header.bodyCrc32 ?? 0;
  if (crc !== 0 && request.body !== null && registerBrokerBodyCrc32(request.body) !== crc) {
    ctx.logger.warn('Register broker: body CRC32 does not match', { broker: header.brokerAddr });
    return failure(request, ResponseCode.SYSTEM_ERROR, 'crc32 not match');
  }
  let body: RegisterBrokerBody | undefined;
  try {
    body = decodeRegisterBody(request, header.compressed === true);
  } catch (error) {
    if (!(error instanceof MqError)) throw error;
    return failure(request, ResponseCode.SYSTEM_ERROR, error.message);
  }
  const wrapper = body?.topicConfigSerializeWrapper;
  const isNew = ctx.routes.dataVersionOf(header.brokerAddr) === undefined;
  const result = ctx.routes.registerBroker({
    clusterName: header.clusterName,
    brokerName: header.brokerName,
    brokerAddr: header.brokerAddr,
    brokerId: header.brokerId,
    haServerAddr: header.haServerAddr,
    topicConfigTable: wrapper?.topicConfigTable,
    dataVersion: wrapper?.dataVersion ?? { timestamp: 0, counter: 0 },
    channelId: connection.id,
  });
  if (isNew) {
    ctx.logger.info('Broker registered', {
      cluster: header.clusterName,
      brokerName: header.brokerName,
      brokerId: header.brokerId,
      brokerAddr: header.brokerAddr,
      topics: Object.keys(wrapper?.topicConfigTable ?? {}).length,
    });
  }
  const orderTopics = ctx.kv.list(NAMESPACE_ORDER_TOPIC_CONFIG);
  return success(
    request,
    { haServerAddr: result.haServerAddr, masterAddr: result.masterAddr },
    orderTopics === undefined ? null : encodeKvTable({ table: orderTopics }),
  );
}

function unregisterBroker(ctx: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, UnRegisterBrokerRequestHeader);
  if (!h.ok) return h.response;
  if (ctx.routes.unregisterBroker(h.header)) {
    ctx.logger.info('Broker unregistered', {
      brokerName: h.header.brokerName,
      brokerAddr: h.header.brokerAddr,
    });
  }
  return success(request);
}

function queryDataVersion(ctx: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, QueryDataVersionRequestHeader);
  if (!h.ok) return h.response;
  let version: ReturnType<typeof decodeDataVersion>;
  try {
    version = decodeDataVersion(decodeJsonBody(request.body, 'DataVersion'), 'DataVersion');
  } catch (error) {
    if (!(error instanceof MqError)) throw error;
    return failure(request, ResponseCode.SYSTEM_ERROR, error.message);
  }
  const changed = ctx.routes.isTopicConfigChanged(h.header.brokerAddr, version);
  const stored = ctx.routes.dataVersionOf(h.header.brokerAddr);
  return success(
    request,
    { changed },
    stored === undefined
      ? null
      : encodeJsonBody({ counter: stored.counter, timestamp: stored.timestamp }),
  );
}

function getRouteInfo(ctx: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, GetRouteInfoRequestHeader);
  if (!h.ok) return h.response;
  const topic = h.header.topic;
  const route = ctx.routes.topicRoute(topic);
  if (route !== undefined) {
    if (ctx.orderMessageEnable) {
      const conf = ctx.kv.get(NAMESPACE_ORDER_TOPIC_CONFIG, topic);
      if (conf !== undefined) route.orderTopicConf = conf;
    }
    return success(request, {}, encodeTopicRouteData(route));
  }
  const isLegacyClient = request.version <= MqVersion.V3_4_9;
  if (isLegacyClient && ctx.routes.hasInheritableDefaultTopic(SystemTopic.DEFAULT_TOPIC)) {
    return success(request);
  }
  return failure(
    request,
    ResponseCode.TOPIC_NOT_EXIST,
    `No topic route info in name server for the topic: ${topic}`,
  );
}

function topicsByCluster(ctx: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, GetTopicsByClusterRequestHeader);
  if (!h.ok) return h.response;
  return topicList(request, ctx.routes.topicsByCluster(h.header.cluster));
}

function systemTopics(ctx: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const info = ctx.routes.clusterInfo();
  const topics = new Set<string>([...Object.keys(info.clusterAddrTable)]);
  for (const data of Object.values(info.brokerAddrTable)) topics.add(data.brokerName);
  const someAddr = Object.values(info.brokerAddrTable)
    .flatMap((d) => Object.values(d.brokerAddrs))
    .at(0);
  const body = encodeTopicList({
    topicList: [...topics].sort(),
    ...(someAddr === undefined ? {} : { brokerAddr: someAddr }),
  });
  return success(request, {}, body);
}

function deleteTopic(ctx: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, DeleteTopicFromNamesrvRequestHeader);
  if (!h.ok) return h.response;
  ctx.routes.deleteTopic(h.header.topic);
  return success(request);
}

function wipeWritePerm(ctx: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, WipeWritePermOfBrokerRequestHeader);
  if (!h.ok) return h.response;
  const wipeTopicCount = ctx.routes.wipeWritePerm(h.header.brokerName);
  return success(request, { wipeTopicCount });
}

/** ADD_WRITE_PERM_OF_BROKER (327, RocketMQ 4.9.4+): the header has the same brokerName field. */
function addWritePerm(ctx: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, WipeWritePermOfBrokerRequestHeader);
  if (!h.ok) return h.response;
  const addTopicCount = ctx.routes.addWritePerm(h.header.brokerName);
  return success(request, { addTopicCount });
}
