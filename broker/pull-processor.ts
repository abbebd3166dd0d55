// PULL_MESSAGE (11): reads up to maxMsgNums messages of one queue from an offset, filtered on the
// broker by the tags hash codes in the ConsumeQueue, and answers with the stored records as they
// are on disk plus the offsets the client needs (nextBeginOffset, minOffset, maxOffset,
// suggestWhichBrokerId — always present, ali-ons reads them unconditionally). A pull that finds
// nothing and allows suspending is held (pull-hold-service.ts) until a message arrives or its
// suspend time ends, then run again and answered. A pull may also carry the consumer's offset to
// commit.
//
// RocketMQ: broker/.../processor/PullMessageProcessor.java (processRequest, the status -> code
// table, suggestWhichBrokerId), broker/.../filter/ExpressionMessageFilter.java (tag codes),
// store/.../DefaultMessageStore.getMessage (nextBeginOffset rules, in the engine).

import { MqError } from '../common/errors.js';
import type { Sql92Filter } from '../common/sql92-filter.js';
import { isReadable } from '../common/topic-rules.js';
import type { GetMessageResult } from '../engine/index.js';
import { joinRecords } from '../engine/read/record-run.js';
import {
  createExtFields,
  createResponse,
  PullMessageRequestHeader,
  parseTagExpression,
  type RemotingCommand,
  type RemotingConnection,
  RequestCode,
  ResponseCode,
  type TopicConfig,
} from '../protocol/index.js';
import { decodeRequestHeader, failure, type ProcessorRegistry } from '../server/request-kit.js';
import type { BrokerContext } from './broker-context.js';
import { refuseGroup } from './group-check.js';
import {
  checkSubscription,
  isRefusal,
  retryRecordFilter,
  sqlRecordFilter,
} from './message-filter.js';
import { learnTopic } from './replicated-topics.js';
import type { SubscriptionGroupConfig } from './subscription-group-manager.js';

/** PullSysFlag bits. */
export const PullSysFlag = {
  COMMIT_OFFSET: 1,
  SUSPEND: 2,
  SUBSCRIPTION: 4,
  CLASS_FILTER: 8,
  LITE_PULL: 16,
} as const;

/**
 * Longest hold, whatever the request asks: clients time a pull out at about twice their suspend
 * time (ali-ons 30 s for 15 s), so a minute covers every client while bounding a held slot.
 */
export const MAX_SUSPEND_MS = 60_000;

interface PullFilter {
  /** undefined: every tag matches. */
  tagsCodes: ReadonlySet<number> | undefined;
  /** SQL92 (or retry) filtering on the stored message's properties. */
  recordFilter?: (record: Buffer) => boolean;
}

interface PullPlan extends PullFilter {
  header: PullMessageRequestHeader;
  group: SubscriptionGroupConfig;
}

export function registerPullProcessor(server: ProcessorRegistry, ctx: BrokerContext): void {
  server.registerProcessor(RequestCode.PULL_MESSAGE, (request, connection) =>
    processPull(ctx, request, connection),
  );
}

async function processPull(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
): Promise<RemotingCommand | null> {
  const h = decodeRequestHeader(request, PullMessageRequestHeader);
  if (!h.ok) return h.response;
  const plan = planPull(ctx, request, h.header);
  if (!('header' in plan)) return plan;
  const header = plan.header;
  if (!ctx.servesReads()) return retryAtMaster(ctx, request, header);
  const commits = (header.sysFlag & PullSysFlag.COMMIT_OFFSET) !== 0;
  if (commits && header.commitOffset >= 0) {
    ctx.offsets.commit(header.consumerGroup, header.topic, header.queueId, header.commitOffset);
  }
  const first = await executePull(ctx, request, plan);
  const suspends = (header.sysFlag & PullSysFlag.SUSPEND) !== 0;
  if (first.code !== ResponseCode.PULL_NOT_FOUND || !suspends) return first;
  return holdPull(ctx, request, connection, plan, first);
}

/** A slave without slaveReadEnable whose master is up: RocketMQ's PULL_RETRY_IMMEDIATELY to the master. */
function retryAtMaster(
  ctx: BrokerContext,
  request: RemotingCommand,
  header: PullMessageRequestHeader,
): RemotingCommand {
  const response = createResponse(
    request,
    ResponseCode.PULL_RETRY_IMMEDIATELY,
    'the slave serves reads only while its master is away (slaveReadEnable=false)',
  );
  response.extFields = createExtFields({
    suggestWhichBrokerId: 0,
    nextBeginOffset: header.queueOffset,
    minOffset: ctx.store.getMinOffsetInQueue(header.topic, header.queueId),
    maxOffset: ctx.store.getMaxOffsetInQueue(header.topic, header.queueId),
  });
  return response;
}

/** A slave whose master died before the next topic-config copy learns the topic from its queues. */
function topicFromReplicatedData(ctx: BrokerContext, topic: string): TopicConfig | undefined {
  if (ctx.config.brokerRole !== 'SLAVE') return undefined;
  return learnTopic(
    {
      store: () => ctx.store,
      topics: ctx.topics,
      logger: ctx.logger,
    },
    topic,
  );
}

/** The checks of PullMessageProcessor before the store is read. */
function planPull(
  ctx: BrokerContext,
  request: RemotingCommand,
  header: PullMessageRequestHeader,
): PullPlan | RemotingCommand {
  if (!isReadable(ctx.config.brokerPermission)) {
    const remark = `the broker[${ctx.brokerAddr}] pulling message is forbidden`;
    return failure(request, ResponseCode.NO_PERMISSION, remark);
  }
  const refused = refuseGroup(request, 'consumer', header.consumerGroup);
  if (refused !== undefined) return refused;
  const group = ctx.groups.find(header.consumerGroup);
  if (group === undefined) {
    const remark = `subscription group [${header.consumerGroup}] does not exist`;
    return failure(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, remark);
  }
  if (!group.consumeEnable) {
    const remark = `subscription group no permission, ${header.consumerGroup}`;
    return failure(request, ResponseCode.NO_PERMISSION, remark);
  }
  const topic = ctx.topics.get(header.topic) ?? topicFromReplicatedData(ctx, header.topic);
  if (topic === undefined) {
    const remark = `topic[${header.topic}] not exist, apply first please!`;
    return failure(request, ResponseCode.TOPIC_NOT_EXIST, remark);
  }
  if (!isReadable(topic.perm)) {
    const remark = `the topic[${header.topic}] pulling message is forbidden`;
    return failure(request, ResponseCode.NO_PERMISSION, remark);
  }
  if (header.queueId < 0 || header.queueId >= topic.readQueueNums) {
    const remark = `queueId[${header.queueId}] is illegal, topic:[${header.topic}] topicConfig.readQueueNums:[${topic.readQueueNums}]`;
    return failure(request, ResponseCode.SYSTEM_ERROR, remark);
  }
  const filter = subscriptionOf(ctx, request, header);
  if (!('tagsCodes' in filter)) return filter;
  return { header, group, ...filter };
}

/** What to filter by: the request's own subscription, or the group's from its last heartbeat. */
function subscriptionOf(
  ctx: BrokerContext,
  request: RemotingCommand,
  header: PullMessageRequestHeader,
): PullFilter | RemotingCommand {
  if ((header.sysFlag & PullSysFlag.SUBSCRIPTION) !== 0) {
    const expression = header.subscription ?? '';
    return filterFor(ctx, request, header, header.expressionType, expression, () => {
      const tags = parseTagExpression(expression);
      return tags.subString === '*' ? undefined : new Set(tags.codeSet);
    });
  }
  const state = ctx.clients.consumerGroup(header.consumerGroup);
  if (state === undefined) {
    return failure(
      request,
      ResponseCode.SUBSCRIPTION_NOT_EXIST,
      "the consumer's group info not exist",
    );
  }
  const sub = state.subscriptions.get(header.topic);
  if (sub === undefined) {
    return failure(
      request,
      ResponseCode.SUBSCRIPTION_NOT_EXIST,
      "the consumer's subscription not exist",
    );
  }
  if (sub.subVersion < header.subVersion) {
    return failure(
      request,
      ResponseCode.SUBSCRIPTION_NOT_LATEST,
      "the consumer's subscription not latest",
    );
  }
  return filterFor(ctx, request, header, sub.expressionType, sub.subString, () => {
    const all = sub.subString === '*' || sub.subString === '';
    return all ? undefined : new Set(sub.codeSet);
  });
}

function filterFor(
  ctx: BrokerContext,
  request: RemotingCommand,
  header: PullMessageRequestHeader,
  expressionType: string | undefined,
  expression: string,
  tagsCodes: () => ReadonlySet<number> | undefined,
): PullFilter | RemotingCommand {
  const checked = checkSubscription(expressionType, expression, ctx.config.enablePropertyFilter);
  if (isRefusal(checked)) return failure(request, checked.code, checked.remark);
  if (checked !== null) return { tagsCodes: undefined, recordFilter: sqlRecordFilter(checked) };
  const recordFilter = ctx.config.filterSupportRetry
    ? retryRecordFilter(header.topic, (original) =>
        groupSqlFilter(ctx, header.consumerGroup, original),
      )
    : undefined;
  return { tagsCodes: tagsCodes(), ...(recordFilter === undefined ? {} : { recordFilter }) };
}

/** The SQL92 filter of the pulling group's subscription to `topic`, if it has one. */
function groupSqlFilter(ctx: BrokerContext, group: string, topic: string): Sql92Filter | undefined {
  const sub = ctx.clients.consumerGroup(group)?.subscriptions.get(topic);
  if (sub === undefined || !ctx.config.enablePropertyFilter) return undefined;
  const checked = checkSubscription(sub.expressionType, sub.subString, true);
  return checked === null || isRefusal(checked) ? undefined : checked;
}

async function executePull(
  ctx: BrokerContext,
  request: RemotingCommand,
  plan: PullPlan,
): Promise<RemotingCommand> {
  const { header } = plan;
  let result: GetMessageResult;
  try {
    result = await readForPull(ctx, plan);
  } catch (error) {
    if (!(error instanceof MqError)) throw error;
    // A damaged record is refused, never served; the operator hears of it.
    ctx.logger.error('A pull met a record that does not check out: refused', {
      code: error.code,
      topic: header.topic,
      queueId: header.queueId,
      queueOffset: header.queueOffset,
      reason: error.message,
    });
    return failure(request, ResponseCode.SYSTEM_ERROR, `${error.code}: ${error.message}`);
  }
  return pullResponse(ctx, request, plan, result);
}

function readForPull(ctx: BrokerContext, plan: PullPlan): Promise<GetMessageResult> {
  const { header, tagsCodes, recordFilter } = plan;
  return ctx.store.getMessage({
    topic: header.topic,
    queueId: header.queueId,
    queueOffset: header.queueOffset,
    maxMsgNums: Math.max(
      1,
      Math.min(header.maxMsgNums, ctx.config.maxTransferCountOnMessageInMemory),
    ),
    maxBytes: ctx.config.maxTransferBytesOnMessageInMemory,
    ...(tagsCodes === undefined ? {} : { tagsCodeFilter: (code: number) => tagsCodes.has(code) }),
    ...(recordFilter === undefined ? {} : { recordFilter }),
    rawOnly: true,
  });
}

/** The response code of a store status (the switch of PullMessageProcessor). */
export function pullStatusCode(status: GetMessageResult['status'], requestOffset: number): number {
  switch (status) {
    case 'FOUND':
      return ResponseCode.SUCCESS;
    case 'MESSAGE_WAS_REMOVING':
    case 'NO_MATCHED_MESSAGE':
      return ResponseCode.PULL_RETRY_IMMEDIATELY;
    case 'NO_MATCHED_LOGIC_QUEUE':
    case 'NO_MESSAGE_IN_QUEUE':
      return requestOffset === 0 ? ResponseCode.PULL_NOT_FOUND : ResponseCode.PULL_OFFSET_MOVED;
    case 'OFFSET_FOUND_NULL':
    case 'OFFSET_OVERFLOW_ONE':
      return ResponseCode.PULL_NOT_FOUND;
    case 'OFFSET_OVERFLOW_BADLY':
    case 'OFFSET_TOO_SMALL':
      return ResponseCode.PULL_OFFSET_MOVED;
  }
}

/**
 * suggestWhichBrokerId: with slaveReadEnable, a consumer reading data that is probably no longer
 * in memory (further behind the CommitLog end than accessMessageInMemoryMaxRatio of memory) is
 * sent to the group's whichBrokerWhenConsumeSlowly, others to its brokerId; without it, always
 * the master.
 */
export function suggestBrokerId(
  ctx: BrokerContext,
  group: SubscriptionGroupConfig,
  commitLogBytesBehind: number,
): number {
  if (!ctx.config.slaveReadEnable) return 0;
  const inMemoryBytes = (ctx.memoryBytes * ctx.config.accessMessageInMemoryMaxRatio) / 100;
  return commitLogBytesBehind > inMemoryBytes ? group.whichBrokerWhenConsumeSlowly : group.brokerId;
}

/**
 * Whether this broker keeps a consumer's offset it cannot serve instead of moving it: a slave (see
 * slaveKeepsOffset), and a DLedger leader asked beyond its queue's end. A consumer reads only
 * committed entries, which the leader holds, so an offset beyond its end means the leader has not
 * applied them yet (a follower that applied first served them): the pull waits there, where moving
 * it (to 0, RocketMQ's correction when the queue starts at 0) would replay the whole queue.
 */
function keepsOffset(ctx: BrokerContext, status: GetMessageResult['status']): boolean {
  if (ctx.role.isSlave) return true;
  return ctx.config.enableDLegerCommitLog && status === 'OFFSET_OVERFLOW_BADLY';
}

/**
 * A slave never moves a consumer's offset (RocketMQ: nextOffsetCorrection keeps the requested
 * offset on a slave unless offsetCheckInSlave): its queues may simply lag the master's. A consumer
 * ahead of the slave's queue (it read messages on the master that the slave has not got, or never
 * will if the master died first) waits there as at the end of the queue (held, then
 * PULL_NOT_FOUND); one below the slave's oldest message is sent to the master, which may move it.
 */
function slaveKeepsOffset(
  status: GetMessageResult['status'],
  group: SubscriptionGroupConfig,
): { code: number; suggestWhichBrokerId: number | undefined } {
  return status === 'OFFSET_TOO_SMALL'
    ? { code: ResponseCode.PULL_RETRY_IMMEDIATELY, suggestWhichBrokerId: group.brokerId }
    : { code: ResponseCode.PULL_NOT_FOUND, suggestWhichBrokerId: undefined };
}

function pullResponse(
  ctx: BrokerContext,
  request: RemotingCommand,
  plan: PullPlan,
  result: GetMessageResult,
): RemotingCommand {
  const requestOffset = plan.header.queueOffset;
  let code = pullStatusCode(result.status, requestOffset);
  let nextBeginOffset = result.nextBeginOffset;
  let suggestWhichBrokerId = suggestBrokerId(ctx, plan.group, result.commitLogBytesBehind);
  if (code === ResponseCode.PULL_OFFSET_MOVED && keepsOffset(ctx, result.status)) {
    const kept = slaveKeepsOffset(result.status, plan.group);
    code = kept.code;
    nextBeginOffset = requestOffset;
    suggestWhichBrokerId = kept.suggestWhichBrokerId ?? suggestWhichBrokerId;
  }
  if (code === ResponseCode.PULL_OFFSET_MOVED) logOffsetMoved(ctx, plan, result, nextBeginOffset);
  const response = createResponse(request, code, result.status);
  response.extFields = createExtFields({
    suggestWhichBrokerId,
    nextBeginOffset,
    minOffset: result.minOffset,
    maxOffset: result.maxOffset,
  });
  if (code === ResponseCode.SUCCESS) {
    response.body = joinRecords(result.records);
    // The body is a view of the read buffer: it goes back to the store's pool once written.
    if (result.status === 'FOUND' && result.release !== undefined)
      response.onWritten = result.release;
    ctx.stats.msgGetTotal += result.records.length;
    const h = plan.header;
    ctx.stats.traffic.recordGet(
      h.topic,
      h.consumerGroup,
      h.queueId,
      result.records.length,
      response.body.length,
      nextBeginOffset,
    );
  }
  return response;
}

/** A consumer's offset is moved (RocketMQ logs these too): worth a line for the operator. */
function logOffsetMoved(
  ctx: BrokerContext,
  plan: PullPlan,
  result: GetMessageResult,
  nextBeginOffset: number,
): void {
  const h = plan.header;
  ctx.logger.warn('Pull offset moved', {
    group: h.consumerGroup,
    topic: h.topic,
    queueId: h.queueId,
    from: h.queueOffset,
    to: nextBeginOffset,
    status: result.status,
    minOffset: result.minOffset,
    maxOffset: result.maxOffset,
    storeRole: ctx.store.role,
    wrote: ctx.store.getMaxPhyOffset(),
  });
}

/** Parks an empty pull; answers it when woken (run again) or with `first` at shutdown. */
function holdPull(
  ctx: BrokerContext,
  request: RemotingCommand,
  connection: RemotingConnection,
  plan: PullPlan,
  first: RemotingCommand,
): Promise<RemotingCommand | null> {
  const header = plan.header;
  // The client went away while the store was read: nobody is left to answer.
  if (!connection.isOpen) return Promise.resolve(null);
  const holdMs = ctx.config.longPollingEnable
    ? Math.min(Math.max(0, header.suspendTimeoutMillis), MAX_SUSPEND_MS)
    : ctx.config.shortPollingTimeMills;
  return new Promise((resolve, reject) => {
    const pull = {
      topic: header.topic,
      queueId: header.queueId,
      queueOffset: header.queueOffset,
      deadlineMs: ctx.clock.monotonicMs() + holdMs,
      channelId: connection.id,
      wake: (reason: string) => {
        if (reason === 'CLOSED') resolve(null);
        else if (reason === 'SHUTDOWN') resolve(first);
        else executePull(ctx, request, plan).then(resolve, reject);
      },
    };
    if (!ctx.holds.hold(pull)) {
      const remark = `[OVERLOAD]${ctx.holds.size} pulls are held (maxHeldPullRequests), try again later`;
      resolve(failure(request, ResponseCode.SYSTEM_BUSY, remark));
      return;
    }
    // A message that arrived while the store was read would not wake this pull: look again.
    const maxOffset = ctx.store.getMaxOffsetInQueue(header.topic, header.queueId);
    if (maxOffset > header.queueOffset) {
      ctx.holds.notifyMessageArriving(header.topic, header.queueId, maxOffset);
    }
  });
}
