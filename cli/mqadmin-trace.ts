// mqadmin queryMsgTraceById: the trace of one message (client/message-journey.ts reads it), as a
// table or JSON.
//
// RocketMQ: tools/.../command/message/QueryMsgTraceByIdSubCommand.java.

import type { Admin } from '../client/admin.js';
import { queryTraceEntries } from '../client/message-journey.js';
import { DEFAULT_TRACE_TOPIC } from '../client/trace/trace-data.js';
import { renderTable } from './mqadmin-render.js';

export async function queryMsgTraceById(
  admin: Admin,
  msgId: string,
  traceTopic = DEFAULT_TRACE_TOPIC,
): Promise<{ text: string; json: unknown }> {
  const entries = await queryTraceEntries(admin, msgId, traceTopic);
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
