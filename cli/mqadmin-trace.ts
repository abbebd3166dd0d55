// mqadmin queryMsgTraceById: the trace of one message, read from the trace topic by a key query
// (trace messages carry the traced message ids as KEYS) and decoded from RocketMQ's trace format.
//
// RocketMQ: tools/.../command/message/QueryMsgTraceByIdSubCommand.java.

import type { Admin } from '../client/admin.js';
import {
  DEFAULT_TRACE_TOPIC,
  decodeTraceEntries,
  type TraceEntry,
} from '../client/trace/trace-data.js';
import { renderTable } from './mqadmin-render.js';

const TYPE_ORDER = ['Pub', 'EndTransaction', 'SubBefore', 'SubAfter'];

export async function queryMsgTraceById(
  admin: Admin,
  msgId: string,
  traceTopic = DEFAULT_TRACE_TOPIC,
): Promise<{ text: string; json: unknown }> {
  const messages = await admin.queryMsgByKey(traceTopic, msgId);
  const entries: TraceEntry[] = [];
  for (const m of messages) {
    for (const e of decodeTraceEntries(m.body.toString('utf8'))) {
      if (e.msgId === msgId || e.offsetMsgId === msgId) entries.push(e);
    }
  }
  entries.sort(
    (a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) || a.timestamp - b.timestamp,
  );
  const rows = entries.map((e) => [
    e.type,
    e.groupName,
    e.timestamp === 0 ? '-' : new Date(e.timestamp).toISOString(),
    `${e.costTimeMs}ms`,
    e.success ? 'success' : 'failed',
    e.type === 'Pub' ? `${e.topic} ${e.storeHost}` : e.requestId,
  ]);
  const text =
    entries.length === 0
      ? `No trace of ${msgId} in ${traceTopic}`
      : renderTable(['#Type', '#Group', '#Time', '#CostTimes', '#Status', '#Detail'], rows);
  return { text, json: { msgId, traceTopic, traces: entries } };
}
