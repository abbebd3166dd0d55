// Where a message went: its trace (RocketMQ's trace format, read from the trace topic by a key
// query: trace messages carry the traced ids as KEYS) and its copies in consumer groups' retry and
// dead-letter topics (a message sent back keeps its UNIQ_KEY, which the index finds). Behind
// mqadmin queryMsgTraceById and the web console's message search.
//
// RocketMQ: tools/.../command/message/QueryMsgTraceByIdSubCommand.java,
// broker/.../processor/SendMessageProcessor.java (consumerSendMsgBack: retry or DLQ copy).

import {
  DLQ_GROUP_TOPIC_PREFIX,
  dlqTopicOf,
  RETRY_GROUP_TOPIC_PREFIX,
  retryTopicOf,
  SystemTopic,
} from '../common/topic-rules.js';
import { MessageProperty } from '../protocol/message-properties.js';
import type { Admin } from './admin.js';
import type { MessageExt } from './message.js';
import { DEFAULT_TRACE_TOPIC, decodeTraceEntries, type TraceEntry } from './trace/trace-data.js';

const TYPE_ORDER = ['Pub', 'EndTransaction', 'SubBefore', 'SubAfter'];

/** The trace entries of one message id (its msgId or offsetMsgId), in the order they happen. */
export async function queryTraceEntries(
  admin: Admin,
  msgId: string,
  traceTopic = DEFAULT_TRACE_TOPIC,
): Promise<TraceEntry[]> {
  const messages = await admin.queryMsgByKey(traceTopic, msgId);
  const entries: TraceEntry[] = [];
  for (const m of messages) {
    for (const e of decodeTraceEntries(m.body.toString('utf8'))) {
      if (e.msgId === msgId || e.offsetMsgId === msgId) entries.push(e);
    }
  }
  return entries.sort(
    (a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) || a.timestamp - b.timestamp,
  );
}

export interface MessageCopy {
  /** The retry or dead-letter topic the copy is stored in (SCHEDULE_TOPIC_XXXX while delayed). */
  storedTopic: string;
  /** Where the copy goes: its retry or dead-letter topic. */
  targetTopic: string;
  group: string;
  kind: 'retry' | 'dlq';
  /** The copy waits for its delay in SCHEDULE_TOPIC_XXXX. */
  scheduled: boolean;
  message: MessageExt;
}

function copyOf(storedTopic: string, targetTopic: string, message: MessageExt): MessageCopy | null {
  const isRetry = targetTopic.startsWith(RETRY_GROUP_TOPIC_PREFIX);
  if (!isRetry && !targetTopic.startsWith(DLQ_GROUP_TOPIC_PREFIX)) return null;
  const prefix = isRetry ? RETRY_GROUP_TOPIC_PREFIX : DLQ_GROUP_TOPIC_PREFIX;
  return {
    storedTopic,
    targetTopic,
    group: targetTopic.slice(prefix.length),
    kind: isRetry ? 'retry' : 'dlq',
    scheduled: storedTopic !== targetTopic,
    message,
  };
}

/** Messages of `topic` with unique id `msgId`; none when the topic has no route. */
async function byUniqueKey(admin: Admin, topic: string, msgId: string): Promise<MessageExt[]> {
  try {
    return await admin.queryMsgByUniqueKey(topic, msgId);
  } catch {
    return []; // No route: no such topic (yet).
  }
}

/**
 * Copies of the message with unique id `msgId`: those waiting for their retry delay (in
 * SCHEDULE_TOPIC_XXXX, aimed at a retry or DLQ topic), and those in the retry and DLQ topics of
 * `groups` (at most `maxGroups` of them are searched).
 */
export async function queryRetryCopies(
  admin: Admin,
  msgId: string,
  groups: readonly string[],
  maxGroups: number,
): Promise<MessageCopy[]> {
  const copies: MessageCopy[] = [];
  const schedule = SystemTopic.SCHEDULE_TOPIC;
  for (const message of await byUniqueKey(admin, schedule, msgId)) {
    const target = message.properties[MessageProperty.REAL_TOPIC] ?? '';
    const copy = copyOf(schedule, target, message);
    if (copy !== null) copies.push(copy);
  }
  for (const group of groups.slice(0, maxGroups)) {
    for (const topic of [retryTopicOf(group), dlqTopicOf(group)]) {
      for (const message of await byUniqueKey(admin, topic, msgId)) {
        const copy = copyOf(topic, topic, message);
        if (copy !== null) copies.push(copy);
      }
    }
  }
  return copies.sort((a, b) => a.message.storeTimestamp - b.message.storeTimestamp);
}
