// Administration: create or update a topic (UPDATE_AND_CREATE_TOPIC 17) or a subscription group
// (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP 200); the broker's config (GET_BROKER_CONFIG 26) and
// runtime figures (GET_BROKER_RUNTIME_INFO 28); and the full tables a slave copies from its master
// (GET_ALL_TOPIC_CONFIG 21, GET_ALL_CONSUMER_OFFSET 43, GET_ALL_DELAY_OFFSET 45,
// GET_ALL_SUBSCRIPTIONGROUP_CONFIG 201).
//
// RocketMQ: broker/.../processor/AdminBrokerProcessor.java (updateAndCreateTopic,
// getBrokerConfig, getBrokerRuntimeInfo/prepareRuntimeInfo, getAllTopicConfig,
// getAllConsumerOffset, getAllDelayOffset, updateAndCreateSubscriptionGroup,
// getAllSubscriptionGroup), broker/.../slave/SlaveSynchronize.java (the reader of the dumps).

import { statfsSync } from 'node:fs';
import { MqError } from '../common/errors.js';
import { isSystemTopic, MAX_QUEUE_NUMS, topicNameProblem } from '../common/topic-rules.js';
import { brokerConfigSchema } from '../config/load.js';
import {
  CreateTopicRequestHeader,
  dataVersionToJson,
  decodeJsonBody,
  encodeConsumerOffsetTable,
  encodeJsonBody,
  encodeKvTable,
  MqVersion,
  type RemotingCommand,
  RequestCode,
  ResponseCode,
  type TopicConfig,
  topicConfigToJson,
} from '../protocol/index.js';
import {
  decodeRequestHeader,
  failure,
  type ProcessorRegistry,
  success,
} from '../server/request-kit.js';
import type { BrokerContext } from './broker-context.js';
import { haStatusEntry } from './ha-status/ha-view.js';
import {
  decodeSubscriptionGroupConfig,
  subscriptionGroupWrapperToJson,
} from './subscription-group-manager.js';

export function registerAdminProcessors(server: ProcessorRegistry, ctx: BrokerContext): void {
  server.registerProcessor(RequestCode.UPDATE_AND_CREATE_TOPIC, (r) => createTopic(ctx, r));
  server.registerProcessor(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, (r) =>
    createGroup(ctx, r),
  );
  server.registerProcessor(RequestCode.GET_BROKER_CONFIG, (r) => brokerConfig(ctx, r));
  server.registerProcessor(RequestCode.GET_BROKER_RUNTIME_INFO, async (r) => {
    const ha = await haStatusEntry(ctx.ha);
    return success(r, {}, encodeKvTable({ table: { ...runtimeInfo(ctx), ...ha } }));
  });
  server.registerProcessor(RequestCode.GET_ALL_TOPIC_CONFIG, (r) => allTopics(ctx, r));
  server.registerProcessor(RequestCode.GET_ALL_CONSUMER_OFFSET, (r) =>
    success(r, {}, encodeConsumerOffsetTable({ offsetTable: ctx.offsets.snapshot() })),
  );
  server.registerProcessor(RequestCode.GET_ALL_DELAY_OFFSET, (r) =>
    success(r, {}, encodeJsonBody({ offsetTable: ctx.schedule.offsetTable() })),
  );
  server.registerProcessor(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, (r) =>
    success(r, {}, encodeJsonBody(subscriptionGroupWrapperToJson(ctx.groups.snapshot()))),
  );
}

/** Why a topic config may not be stored, or undefined. */
function topicConfigProblem(ctx: BrokerContext, h: CreateTopicRequestHeader): string | undefined {
  const nameProblem = topicNameProblem(h.topic);
  if (nameProblem !== undefined) return nameProblem;
  if (h.topic === ctx.config.brokerClusterName) {
    return `the topic[${h.topic}] is conflict with system reserved words`;
  }
  if (isSystemTopic(h.topic)) return `the topic[${h.topic}] is conflict with system topic`;
  for (const [name, n] of [
    ['readQueueNums', h.readQueueNums],
    ['writeQueueNums', h.writeQueueNums],
  ] as const) {
    if (n < 1 || n > MAX_QUEUE_NUMS) return `${name} must be within 1..${MAX_QUEUE_NUMS}, got ${n}`;
  }
  if (h.perm < 0 || h.perm > 15) return `perm must be within 0..15, got ${h.perm}`;
  return undefined;
}

async function createTopic(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const h = decodeRequestHeader(request, CreateTopicRequestHeader);
  if (!h.ok) return h.response;
  const header = h.header;
  const problem = topicConfigProblem(ctx, header);
  if (problem !== undefined) return failure(request, ResponseCode.SYSTEM_ERROR, problem);
  const config: TopicConfig = {
    topicName: header.topic,
    readQueueNums: header.readQueueNums,
    writeQueueNums: header.writeQueueNums,
    perm: header.perm,
    topicFilterType: header.topicFilterType,
    topicSysFlag: header.topicSysFlag ?? 0,
    order: header.order,
  };
  ctx.topics.update(config);
  ctx.logger.info('Topic created or updated', { ...config });
  // Only this topic goes to the NameServers (RocketMQ's registerIncrementBrokerData): a
  // registration of every topic per creation made creating n topics cost O(n^2).
  await ctx.topicsChanged([config.topicName]);
  return success(request);
}

function createGroup(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  let config: ReturnType<typeof decodeSubscriptionGroupConfig>;
  try {
    const path = 'SubscriptionGroupConfig';
    config = decodeSubscriptionGroupConfig(decodeJsonBody(request.body, path), path);
  } catch (error) {
    if (!(error instanceof MqError)) throw error;
    return failure(request, ResponseCode.SYSTEM_ERROR, error.message);
  }
  if (config.groupName === '' || config.retryMaxTimes < 0 || config.retryQueueNums < 0) {
    return failure(request, ResponseCode.SYSTEM_ERROR, 'Invalid subscription group config');
  }
  if (!ctx.groups.update(config)) {
    return failure(request, ResponseCode.SYSTEM_ERROR, 'The subscription group table is full');
  }
  return success(request);
}

function brokerConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const values = ctx.config as unknown as Record<string, unknown>;
  const lines: string[] = [];
  for (const [key, spec] of Object.entries(brokerConfigSchema)) {
    const value = values[key];
    if (value !== undefined) lines.push(`${key}=${spec.format(value)}`);
  }
  const version = JSON.stringify(dataVersionToJson(ctx.topics.dataVersion));
  return success(request, { version }, Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
}

function allTopics(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const wrapper = ctx.topics.snapshot();
  const table: Record<string, unknown> = {};
  for (const [name, config] of Object.entries(wrapper.topicConfigTable)) {
    table[name] = topicConfigToJson(config);
  }
  const body = { dataVersion: dataVersionToJson(wrapper.dataVersion), topicConfigTable: table };
  return success(request, {}, encodeJsonBody(body));
}

function diskRatio(path: string): string {
  try {
    const stats = statfsSync(path);
    return stats.blocks === 0 ? '0' : (1 - stats.bavail / stats.blocks).toFixed(4);
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** GET_BROKER_RUNTIME_INFO: RocketMQ's key names where one exists, all values as text. */
export function runtimeInfo(ctx: BrokerContext): Record<string, string> {
  const nowMs = ctx.clock.nowMs();
  const uptimeMs = nowMs - ctx.stats.bootTimestamp;
  const table: Record<string, string> = {
    brokerVersionDesc: 'V4_9_7',
    brokerVersion: String(MqVersion.V4_9_7),
    brokerRole: ctx.role.role,
    brokerId: String(ctx.role.brokerId),
    bootTimestamp: String(ctx.stats.bootTimestamp),
    runtime: `[ ${Math.floor(uptimeMs / 86_400_000)} days, ${Math.floor(uptimeMs / 3_600_000) % 24} hours, ${Math.floor(uptimeMs / 60_000) % 60} minutes, ${Math.floor(uptimeMs / 1000) % 60} seconds ]`,
    msgPutTotalTodayNow: String(ctx.stats.msgPutTotal),
    msgGetTotalTodayNow: String(ctx.stats.msgGetTotal),
    msgPutTotalTodayMorning: '0',
    msgGetTotalTodayMorning: '0',
    msgPutTotalYesterdayMorning: '0',
    msgGetTotalYesterdayMorning: '0',
    commitLogDiskRatio: diskRatio(ctx.config.storePathRootDir),
    topicCount: String(ctx.topics.size),
    clientRegistrations: String(ctx.clients.size),
    heldPullRequests: String(ctx.holds.size),
  };
  for (const [key, value] of Object.entries(ctx.store.runtimeInfo())) table[key] = String(value);
  // Store time of the newest message written here: replicas' differences give lag in time.
  table['commitLogMaxStoreTimestamp'] = String(ctx.store.storageFigures().wroteTimestampMs);
  for (const [key, value] of Object.entries(ctx.replicationInfo?.() ?? {}))
    table[key] = String(value);
  return table;
}
