// Topics known only from replicated data. Topic configs travel beside the CommitLog (a replica
// copies its master's every slaveSynchronizeInterval), so a topic created just before its master
// died may be in a replica's ConsumeQueues but not in its topic config. A slave learns such a
// topic when it is pulled (RocketMQ's slave answers TOPIC_NOT_EXIST until its master returns); a
// replica that becomes master learns every one at once, before it registers, so the route keeps
// each topic whose messages it holds. Retry, dead-letter and system topics are left to the
// services that create them.

import {
  DLQ_GROUP_TOPIC_PREFIX,
  PermName,
  RETRY_GROUP_TOPIC_PREFIX,
  SystemTopic,
} from '../common/topic-rules.js';
import type { MessageStore } from '../engine/index.js';
import type { Logger, TopicConfig } from '../protocol/index.js';
import type { BrokerRoleState } from './broker-role.js';
import type { TopicConfigManager } from './topic-config-manager.js';

export interface TopicLearning {
  store(): Pick<MessageStore, 'getQueueIdsOfTopic' | 'getTopicsWithQueues'>;
  topics: TopicConfigManager;
  logger: Logger;
}

const SYSTEM_TOPICS = new Set<string>(Object.values(SystemTopic));

/** Creates the config of a topic this broker holds ConsumeQueues of; undefined if it holds none. */
export function learnTopic(l: TopicLearning, topic: string): TopicConfig | undefined {
  const highest = l.store().getQueueIdsOfTopic(topic).at(-1);
  if (highest === undefined) return undefined;
  // As many queues as the data shows: a queue that never got a message cannot be told apart.
  const queueNums = highest + 1;
  const { config, created } = l.topics.ensure(topic, queueNums, PermName.READ | PermName.WRITE);
  if (created) l.logger.info('Topic learnt from replicated data', { topic, queueNums });
  return config;
}

function isLearnable(topic: string): boolean {
  return (
    !SYSTEM_TOPICS.has(topic) &&
    !topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) &&
    !topic.startsWith(DLQ_GROUP_TOPIC_PREFIX)
  );
}

/** On each promotion, learns every topic of the store that has no config yet. */
export function learnTopicsOnPromotion(role: BrokerRoleState, l: TopicLearning): void {
  role.onChange((newRole) => {
    if (newRole === 'SLAVE') return;
    for (const topic of l.store().getTopicsWithQueues())
      if (l.topics.get(topic) === undefined && isLearnable(topic)) learnTopic(l, topic);
  });
}
