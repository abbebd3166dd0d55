// Where a message went: its trace (RocketMQ's trace format, read from the trace topic by a key
// query: trace messages carry the traced ids as KEYS) and its copies in consumer groups' retry and
// dead-letter topics (a message sent back keeps its UNIQ_KEY, which the index finds). Behind
// mqadmin queryMsgTraceById and the web console's message search.
//
// RocketMQ: tools/.../command/message/QueryMsgTraceByIdSubCommand.java,
// broker/.../processor/SendMessageProcessor.java (consumerSendMsgBack: retry or DLQ copy).

import { dlqTopicOf, retryTopicOf } from '../common/topic-rules.js';
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
  /** The retry or dead-letter topic the copy is stored in. */
  storedTopic: string;
  group: string;
  kind: 'retry' | 'dlq';
  message: MessageExt;
}

/**
 * Copies of the message with unique id `msgId` in the retry and DLQ topics of `groups` (at most
 * `maxGroups` of them are searched). A group without such a topic is skipped.
 */
export async function queryRetryCopies(
  admin: Admin,
  msgId: string,
  groups: readonly string[],
  maxGroups: number,
): Promise<MessageCopy[]> {
  const copies: MessageCopy[] = [];
  for (const group of groups.slice(0, maxGroups)) {
    for (const [kind, storedTopic] of [
      ['retry', retryTopicOf(group)],
      ['dlq', dlqTopicOf(group)],
    ] as const) {
      let found: MessageExt[];
      try {
        found = await admin.queryMsgByUniqueKey(storedTopic, msgId);
      } catch {
        continue; // No route: the group has no such topic (yet).
      }
      for (const message of found) copies.push({ storedTopic, group, kind, message });
    }
  }
  return copies.sort((a, b) => a.message.storeTimestamp - b.message.storeTimestamp);
}
