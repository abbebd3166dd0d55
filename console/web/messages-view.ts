// Message search by id, key or store time, and a found message's journey: its trace (sent,
// consumed, by which group, how long) and its copies in retry and dead-letter topics.

import { ApiError, getJson } from './api.js';
import { h, table, time } from './dom.js';
import type { Journey, MessageJson } from './types.js';

function journeyOf(j: Journey): Node[] {
  return [
    h('h3', {}, 'Trace'),
    j.traces.length === 0
      ? h('p', { class: 'muted' }, 'No trace (producers and consumers trace with enableMsgTrace).')
      : table(
          ['Type', 'Group', 'Time', 'Status'],
          j.traces.map((t) => [
            t.type,
            t.groupName,
            t.timestamp === 0 ? '-' : time(t.timestamp),
            t.success ? 'success' : 'failed',
          ]),
        ),
    h('h3', {}, 'Retries and dead letters'),
    j.copies.length === 0
      ? h('p', { class: 'muted', 'data-copies': 0 }, 'No copy in any retry or dead-letter topic.')
      : h(
          'div',
          { 'data-copies': j.copies.length },
          table(
            ['Where', 'Group', 'Topic', 'Reconsume times', 'Stored'],
            j.copies.map((c) => [
              (c.kind === 'dlq' ? 'dead-letter' : 'retry') +
                (c.scheduled ? ' (waiting for its delay)' : ''),
              c.group,
              c.scheduled ? `${c.targetTopic} via ${c.storedTopic}` : c.storedTopic,
              c.message.reconsumeTimes,
              time(c.message.storeTimestamp),
            ]),
          ),
        ),
  ];
}

export function renderMessages(view: HTMLElement): void {
  const results = h('div', { 'data-results': '' });
  const field = (name: string, label: string, value = '') =>
    h('label', {}, label, h('input', { name, value }));
  const hourAgo = String(Date.now() - 3_600_000);
  const form = h(
    'form',
    {
      'data-search': '',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const data = new FormData(event.target as HTMLFormElement);
        const query: Record<string, string> = {};
        for (const [k, v] of data.entries())
          if (String(v).trim() !== '') query[k] = String(v).trim();
        results.textContent = '…';
        getJson<{ messages: MessageJson[]; journey: Journey | null }>('messages', query).then(
          (r) => {
            results.replaceChildren(
              h('p', { 'data-found': r.messages.length }, `${r.messages.length} message(s)`),
              table(
                ['Msg id', 'Keys', 'Tags', 'Broker', 'Queue', 'Offset', 'Stored', 'Body'],
                r.messages.map((m) => [
                  m.msgId,
                  m.keys.join(' '),
                  m.tags ?? '',
                  m.brokerName,
                  m.queueId,
                  m.queueOffset,
                  time(m.storeTimestamp),
                  m.body.slice(0, 120),
                ]),
              ),
              ...(r.journey === null ? [] : journeyOf(r.journey)),
            );
          },
          (error: unknown) => {
            const code = error instanceof ApiError ? `${error.code}: ` : '';
            results.replaceChildren(
              h(
                'p',
                { class: 'error' },
                code,
                error instanceof Error ? error.message : String(error),
              ),
            );
          },
        );
      },
    },
    field('topic', 'Topic'),
    field('msgId', 'Message id'),
    field('key', 'or key'),
    field('beginMs', 'or stored from (ms)', hourAgo),
    field('endMs', 'to (ms)', String(Date.now() + 3_600_000)),
    h('button', { type: 'submit' }, 'Search'),
  );
  view.replaceChildren(h('h2', {}, 'Messages'), form, results);
}
