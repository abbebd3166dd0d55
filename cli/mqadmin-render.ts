// mqadmin's output: a readable table (or key/value list) per command, and the JSON shape scripts
// read with --json. Pure: results in, text out. Column names follow RocketMQ's mqadmin
// ("#Broker Name", "#QID", ...).

import type { ClusterBroker, ConsumerProgress, TopicQueueStatus } from '../client/admin.js';
import type { MessageExt } from '../client/message.js';
import { formatPerm } from '../client/topic-route.js';
import type { TopicRouteData } from '../protocol/bodies/topic-route-data.js';

export type Cell = string | number;

/** Left-aligned columns separated by two spaces; numbers right-aligned. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
): string {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)),
  );
  const line = (cells: readonly Cell[], isHeader: boolean) =>
    cells
      .map((cell, i) => {
        const text = String(cell);
        const width = widths[i] ?? 0;
        return !isHeader && typeof cell === 'number' ? text.padStart(width) : text.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(headers, true), ...rows.map((r) => line(r, false))].join('\n');
}

/** "key : value" lines with aligned keys. */
export function renderKeyValues(entries: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)} : ${v}`).join('\n');
}

export function formatTime(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString() : '-';
}

export function renderTopicRoute(route: TopicRouteData): string {
  const brokers = route.brokerDatas
    .flatMap((b) =>
      Object.entries(b.brokerAddrs).map(
        ([id, address]) => [b.cluster, b.brokerName, Number(id), address] as Cell[],
      ),
    )
    .sort((a, b) => String(a[1]).localeCompare(String(b[1])) || Number(a[2]) - Number(b[2]));
  const queues = [...route.queueDatas]
    .sort((a, b) => a.brokerName.localeCompare(b.brokerName))
    .map((q) => [q.brokerName, q.readQueueNums, q.writeQueueNums, formatPerm(q.perm)]);
  return `${renderTable(['#Cluster Name', '#Broker Name', '#BID', '#Addr'], brokers)}\n\n${renderTable(
    ['#Broker Name', '#Read Queues', '#Write Queues', '#Perm'],
    queues,
  )}`;
}

export function renderTopicStatus(rows: readonly TopicQueueStatus[]): string {
  return renderTable(
    ['#Broker Name', '#QID', '#Min Offset', '#Max Offset', '#Last Updated'],
    rows.map((r) => [
      r.queue.brokerName,
      r.queue.queueId,
      r.minOffset,
      r.maxOffset,
      formatTime(r.lastUpdateTimestamp),
    ]),
  );
}

export function renderClusterList(rows: readonly ClusterBroker[]): string {
  return renderTable(
    ['#Cluster Name', '#Broker Name', '#BID', '#Addr', '#Version', '#InTPS', '#OutTPS', '#Status'],
    rows.map((r) => [
      r.clusterName,
      r.brokerName,
      r.brokerId,
      r.address,
      r.runtime?.['brokerVersionDesc'] ?? '-',
      r.runtime?.['putTps']?.split(' ')[0] ?? '-',
      r.runtime?.['getTransferedTps']?.split(' ')[0] ??
        r.runtime?.['getTotalTps']?.split(' ')[0] ??
        '-',
      r.error === null ? 'OK' : `ERROR ${r.error}`,
    ]),
  );
}

export function renderConsumerProgress(progress: ConsumerProgress): string {
  const table = renderTable(
    ['#Topic', '#Broker Name', '#QID', '#Broker Offset', '#Consumer Offset', '#Diff', '#LastTime'],
    progress.queues.map((q) => [
      q.queue.topic,
      q.queue.brokerName,
      q.queue.queueId,
      q.brokerOffset,
      q.consumerOffset,
      q.diff,
      formatTime(q.lastTimestamp),
    ]),
  );
  return `${table}\n\nConsume TPS: ${progress.consumeTps.toFixed(2)}\nDiff Total: ${progress.diffTotal}`;
}

function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 && char !== '\n' && char !== '\r' && char !== '\t';
}

function bodyPreview(body: Buffer): string {
  const text = body.toString('utf8');
  const isPrintable = !text.includes('\uFFFD') && ![...text].some(isControl);
  if (!isPrintable) return `base64:${body.subarray(0, 768).toString('base64')}`;
  return text.length > 1024 ? `${text.slice(0, 1024)}...` : text;
}

export function renderMessage(message: MessageExt): string {
  return renderKeyValues([
    ['Topic', message.topic],
    ['Tags', message.tags ?? '-'],
    ['Keys', message.keys.join(' ') || '-'],
    ['Msg Id', message.msgId],
    ['Offset Msg Id', message.offsetMsgId],
    ['Broker Name', message.brokerName],
    ['Queue ID', message.queueId],
    ['Queue Offset', message.queueOffset],
    ['CommitLog Offset', message.commitLogOffset],
    ['Reconsume Times', message.reconsumeTimes],
    ['Born Timestamp', formatTime(message.bornTimestamp)],
    ['Store Timestamp', formatTime(message.storeTimestamp)],
    ['Born Host', message.bornHost],
    ['Store Host', message.storeHost],
    ['System Flag', message.sysFlag],
    ['Properties', JSON.stringify(message.properties)],
    ['Body Bytes', message.body.length],
    ['Message Body', bodyPreview(message.body)],
  ]);
}

export function renderMessageList(messages: readonly MessageExt[], withBody = false): string {
  const headers = ['#Message ID', '#Broker Name', '#QID', '#Offset', '#Store Time'];
  return renderTable(
    withBody ? [...headers, '#Body'] : headers,
    messages.map((m) => {
      const row: Cell[] = [
        m.msgId,
        m.brokerName,
        m.queueId,
        m.queueOffset,
        formatTime(m.storeTimestamp),
      ];
      if (withBody) row.push(bodyPreview(m.body).replace(/\s+/g, ' ').slice(0, 64));
      return row;
    }),
  );
}

/** The JSON form of a message: body as UTF-8 text and as base64. */
