// Topic names, permissions and the reserved topics of a RocketMQ 4.x cluster, shared by the
// NameServer, the broker and clients.
//
// RocketMQ: common/.../constant/PermName.java, common/.../MixAll.java (retry and DLQ prefixes,
// DEFAULT_TOPIC "TBW102"), common/.../topic/TopicValidator.java (name rules, system topics),
// common/.../protocol/route/QueueData and TopicConfig (perm bits).

import { Limits } from './limits.js';

/** Topic and broker permission bits. */
export const PermName = {
  PRIORITY: 8,
  READ: 4,
  WRITE: 2,
  INHERIT: 1,
} as const;

export function isReadable(perm: number): boolean {
  return (perm & PermName.READ) === PermName.READ;
}

export function isWriteable(perm: number): boolean {
  return (perm & PermName.WRITE) === PermName.WRITE;
}

export function isInherited(perm: number): boolean {
  return (perm & PermName.INHERIT) === PermName.INHERIT;
}

/** Reserved topic names (MixAll, TopicValidator). */
export const SystemTopic = {
  /** Template of automatically created topics (auto-create through the client's send). */
  DEFAULT_TOPIC: 'TBW102',
  SELF_TEST_TOPIC: 'SELF_TEST_TOPIC',
  OFFSET_MOVED_EVENT: 'OFFSET_MOVED_EVENT',
  /** Delayed messages wait here, one queue per delay level (queueId = level - 1). */
  SCHEDULE_TOPIC: 'SCHEDULE_TOPIC_XXXX',
  TRANS_HALF_TOPIC: 'RMQ_SYS_TRANS_HALF_TOPIC',
  TRANS_OP_HALF_TOPIC: 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  TRANS_CHECK_MAX_TIME_TOPIC: 'TRANS_CHECK_MAX_TIME_TOPIC',
} as const;

export const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';
export const DLQ_GROUP_TOPIC_PREFIX = '%DLQ%';

/** Where replies of request/reply messages go in a cluster: `<cluster>_REPLY_TOPIC`. */
export function replyTopicOf(clusterName: string): string {
  return `${clusterName}_REPLY_TOPIC`;
}

/** The retry topic of a consumer group: `%RETRY%<group>`. */
export function retryTopicOf(group: string): string {
  return `${RETRY_GROUP_TOPIC_PREFIX}${group}`;
}

/** The dead-letter topic of a consumer group: `%DLQ%<group>`. */
export function dlqTopicOf(group: string): string {
  return `${DLQ_GROUP_TOPIC_PREFIX}${group}`;
}

export function isRetryTopic(topic: string): boolean {
  return topic.startsWith(RETRY_GROUP_TOPIC_PREFIX);
}

export function isDlqTopic(topic: string): boolean {
  return topic.startsWith(DLQ_GROUP_TOPIC_PREFIX);
}

/** Topics no producer may send to (TopicValidator.isNotAllowedSendTopic). */
const notSendable: ReadonlySet<string> = new Set([
  SystemTopic.SCHEDULE_TOPIC,
  SystemTopic.TRANS_HALF_TOPIC,
  SystemTopic.TRANS_OP_HALF_TOPIC,
  SystemTopic.TRANS_CHECK_MAX_TIME_TOPIC,
]);

export function isNotAllowedSendTopic(topic: string): boolean {
  return notSendable.has(topic);
}

/** Topics the broker creates itself; clients may not create or update them. */
export function isSystemTopic(topic: string): boolean {
  return (
    notSendable.has(topic) ||
    topic === SystemTopic.DEFAULT_TOPIC ||
    topic === SystemTopic.SELF_TEST_TOPIC ||
    topic === SystemTopic.OFFSET_MOVED_EVENT
  );
}

const TOPIC_NAME = /^[%|a-zA-Z0-9_-]+$/;

/** Why `topic` is not a valid topic name, or undefined when it is (TopicValidator.validateTopic). */
export function topicNameProblem(topic: string): string | undefined {
  if (topic === '') return 'the topic is empty';
  if (topic.length > Limits.maxTopicLengthBytes) {
    return `the topic is ${topic.length} characters long, above ${Limits.maxTopicLengthBytes}`;
  }
  if (!TOPIC_NAME.test(topic)) return `the topic "${topic}" has characters outside [%|a-zA-Z0-9_-]`;
  return undefined;
}

/** RocketMQ's bound on a group name (Validators.CHARACTER_MAX_LENGTH). */
export const MAX_GROUP_NAME_LENGTH = 255;

/** Why a producer or consumer group name is refused: RocketMQ's rule, [%|a-zA-Z0-9_-], 1..255. */
export function groupNameProblem(group: string): string | undefined {
  if (group === '') return 'the group name is empty';
  if (group.length > MAX_GROUP_NAME_LENGTH)
    return `the group name is ${group.length} characters long, above ${MAX_GROUP_NAME_LENGTH}`;
  if (!TOPIC_NAME.test(group))
    return `the group name ${JSON.stringify(group)} has characters outside [%|a-zA-Z0-9_-]`;
  return undefined;
}

/**
 * Why a consumer group is refused: its name, or its retry topic (%RETRY%<group>, the longest of
 * its topics) not being a valid topic, which would drop every message it sends back.
 */
export function consumerGroupProblem(group: string): string | undefined {
  const problem = groupNameProblem(group);
  if (problem !== undefined) return problem;
  const retryTopic = retryTopicOf(group);
  if (retryTopic.length > Limits.maxTopicLengthBytes) {
    return `the consumer group is ${group.length} characters long: its retry topic ${retryTopic.slice(0, 20)}... would be ${retryTopic.length}, above the topic limit ${Limits.maxTopicLengthBytes}`;
  }
  return undefined;
}

/** Queue counts a topic may have (read and write); RocketMQ has no bound, Petrel keeps one. */
export const MAX_QUEUE_NUMS = 1024;
