// Consumer groups: the list (each group with a retry topic), a group's connections and its lag
// per queue, and the reset-offset action.

import { getJson, postAction } from './api.js';
import { h, table } from './dom.js';
import { actionForm } from './forms.js';
import type { GroupView } from './types.js';

export async function renderGroups(view: HTMLElement, params: URLSearchParams): Promise<void> {
  const group = params.get('group');
  const { groups } = await getJson<{ groups: string[] }>('groups');
  const parts: Node[] = [h('h2', {}, 'Consumer groups')];
  if (group !== null) {
    const data = await getJson<GroupView>('group', { group });
    const p = data.progress;
    parts.push(
      h('h3', {}, `Group ${group}`),
      h(
        'p',
        { 'data-group-lag': p.diffTotal },
        `Lag: ${p.diffTotal} messages · consume TPS ${p.consumeTps}`,
      ),
      h(
        'div',
        { 'data-group-queues': group },
        table(
          ['Topic', 'Broker', 'Queue', 'Broker offset', 'Consumer offset', 'Lag'],
          p.queues.map((q) => [
            q.queue.topic,
            q.queue.brokerName,
            q.queue.queueId,
            q.brokerOffset,
            q.consumerOffset,
            q.diff,
          ]),
        ),
      ),
      h('h3', {}, 'Connections'),
      data.connection === null
        ? h('p', { class: 'muted' }, data.connectionError ?? 'none')
        : table(
            ['Client id', 'Address', 'Language', 'Version'],
            data.connection.connectionSet.map((c) => [
              c.clientId,
              c.clientAddr,
              c.language,
              c.version,
            ]),
          ),
      h('h3', {}, 'Reset offsets'),
      actionForm(
        'resetOffset',
        [
          ['topic', 'Topic'],
          ['timestamp', 'Time (ms since the epoch, -1: the end)', '-1'],
        ],
        (v) =>
          postAction('resetOffset', {
            group,
            topic: v['topic'],
            timestamp: Number(v['timestamp']),
          }),
      ),
    );
  }
  parts.push(
    h('h3', {}, 'All groups'),
    groups.length === 0
      ? h('p', { class: 'muted' }, 'No consumer group yet.')
      : h(
          'ul',
          {},
          ...groups.map((g) =>
            h('li', {}, h('a', { href: `#/groups?group=${encodeURIComponent(g)}` }, g)),
          ),
        ),
  );
  view.replaceChildren(...parts);
}
