// What `mqadmin statsAll` asks a broker: VIEW_BROKER_STATS_DATA (315), one stats item's minute,
// hour and day windows (metrics/stats-windows.ts), and QUERY_TOPIC_CONSUME_BY_WHO (300), the
// groups that consume a topic: those subscribed now and those with committed offsets.
//
// RocketMQ: broker/.../processor/AdminBrokerProcessor.java (ViewBrokerStatsData,
// queryTopicConsumeByWho), common/.../protocol/header/{ViewBrokerStatsDataRequestHeader,
// QueryTopicConsumeByWhoRequestHeader}.java, body/{BrokerStatsData,GroupList}.java.

import type { RemotingCommand } from '../protocol/index.js';
import {
  defineHeader,
  encodeJsonBody,
  field,
  RequestCode,
  ResponseCode,
} from '../protocol/index.js';
import {
  decodeRequestHeader,
  failure,
  type ProcessorRegistry,
  success,
} from '../server/request-kit.js';
import type { BrokerContext } from './broker-context.js';
import { viewBrokerStats } from './metrics/broker-stats-data.js';

interface ViewBrokerStatsDataRequestHeader {
  statsName: string;
  statsKey: string;
}

const ViewBrokerStatsDataRequestHeader = defineHeader<ViewBrokerStatsDataRequestHeader>(
  'ViewBrokerStatsDataRequestHeader',
  { statsName: field.string, statsKey: field.string },
);

interface QueryTopicConsumeByWhoRequestHeader {
  topic: string;
}

const QueryTopicConsumeByWhoRequestHeader = defineHeader<QueryTopicConsumeByWhoRequestHeader>(
  'QueryTopicConsumeByWhoRequestHeader',
  { topic: field.string },
);

export function registerStatsViewProcessors(server: ProcessorRegistry, ctx: BrokerContext): void {
  server.registerProcessor(RequestCode.VIEW_BROKER_STATS_DATA, (r) => viewStats(ctx, r));
  server.registerProcessor(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, (r) => consumersOf(ctx, r));
}

function viewStats(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, ViewBrokerStatsDataRequestHeader);
  if (!h.ok) return h.response;
  const { statsName, statsKey } = h.header;
  const data = viewBrokerStats(
    ctx.stats.traffic,
    ctx.stats.windows,
    statsName,
    statsKey,
    ctx.clock.nowMs(),
  );
  if (data === undefined)
    return failure(
      request,
      ResponseCode.SYSTEM_ERROR,
      `The stats <${statsName}> <${statsKey}> not exist`,
    );
  return success(request, {}, encodeJsonBody(data));
}

function consumersOf(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = decodeRequestHeader(request, QueryTopicConsumeByWhoRequestHeader);
  if (!h.ok) return h.response;
  const topic = h.header.topic;
  const groups = new Set<string>();
  for (const group of ctx.clients.consumerGroups())
    if (ctx.clients.consumerGroup(group)?.subscriptions.has(topic) === true) groups.add(group);
  const prefix = `${topic}@`;
  for (const key of Object.keys(ctx.offsets.snapshot()))
    if (key.startsWith(prefix)) groups.add(key.slice(prefix.length));
  return success(request, {}, encodeJsonBody({ groupList: [...groups].sort() }));
}
