// Metadata that travels between the brokers of a group beside the CommitLog (RocketMQ:
// broker/.../slave/SlaveSynchronize.java, which a slave runs every 10 s against its master):
// topics and subscription groups are taken whole when the master's version differs; consumer
// offsets and delay-level progress are merged by maximum, never replaced, so a consumer that
// committed on the slave while the master was away does not rewind when the master returns.
// A master runs the reverse pull of offsets from its slaves (pullOffsetsFrom) for the same reason.

import { ErrorCode, MqError } from '../common/errors.js';
import {
  createRequest,
  decodeConsumerOffsetTable,
  type RemotingClient,
  RequestCode,
  ResponseCode,
} from '../protocol/index.js';
import type { ConsumerOffsetManager } from './consumer-offset-manager.js';
import { parseDelayOffsetTable, type ScheduleMessageService } from './schedule-message-service.js';
import {
  parseSubscriptionGroupWrapper,
  type SubscriptionGroupManager,
} from './subscription-group-manager.js';
import { parseTopicConfigWrapper, type TopicConfigManager } from './topic-config-manager.js';

export interface SyncTargets {
  topics: TopicConfigManager;
  groups: SubscriptionGroupManager;
  offsets: ConsumerOffsetManager;
  schedule: ScheduleMessageService;
}

export interface SyncReport {
  topicsReplaced: boolean;
  groupsReplaced: boolean;
  offsetsMoved: number;
}

async function fetchBody(client: RemotingClient, code: number, timeoutMs: number): Promise<Buffer> {
  const response = await client.invoke(createRequest(code), timeoutMs);
  if (response.code !== ResponseCode.SUCCESS)
    throw new MqError(
      ErrorCode.REMOTE_ERROR,
      `request ${code} answered ${response.code}: ${response.remark ?? ''}`,
      { requestCode: code, responseCode: response.code },
    );
  return Buffer.from(response.body ?? new Uint8Array(0));
}

/** A slave's round against its master (all four tables). */
export async function syncFromMaster(
  master: RemotingClient,
  t: SyncTargets,
  timeoutMs: number,
): Promise<SyncReport> {
  const topics = parseTopicConfigWrapper(
    (await fetchBody(master, RequestCode.GET_ALL_TOPIC_CONFIG, timeoutMs)).toString('utf8'),
  );
  const offsets = decodeConsumerOffsetTable(
    await fetchBody(master, RequestCode.GET_ALL_CONSUMER_OFFSET, timeoutMs),
  );
  const delays = parseDelayOffsetTable(
    (await fetchBody(master, RequestCode.GET_ALL_DELAY_OFFSET, timeoutMs)).toString('utf8'),
  );
  const groups = parseSubscriptionGroupWrapper(
    (await fetchBody(master, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, timeoutMs)).toString(
      'utf8',
    ),
  );
  const report = {
    topicsReplaced: t.topics.replaceFromMaster(topics),
    groupsReplaced: t.groups.replaceFromMaster(groups),
    offsetsMoved: t.offsets.mergeMax(offsets.offsetTable),
  };
  t.schedule.mergeOffsets(delays);
  return report;
}

/** A master's round against one slave: consumer offsets only, merged by maximum. */
export async function pullOffsetsFrom(
  slave: RemotingClient,
  offsets: ConsumerOffsetManager,
  timeoutMs: number,
): Promise<number> {
  const table = decodeConsumerOffsetTable(
    await fetchBody(slave, RequestCode.GET_ALL_CONSUMER_OFFSET, timeoutMs),
  );
  return offsets.mergeMax(table.offsetTable);
}
