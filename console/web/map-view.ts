// The cluster map: each broker group with its members, roles, epoch, replication lag in bytes and
// time, the in-sync set, and the marks of the last minutes: a master that died, the replica that
// took over. data-* attributes name what each box shows (the browser tests read them).

import { getJson } from './api.js';
import { ago, bytes, h, ms } from './dom.js';
import type { ClusterView, Group, Member } from './types.js';

function memberBox(g: Group, m: Member, nowMs: number): HTMLElement {
  const isMaster = m.brokerId === 0;
  const tookOver = g.marks.tookOver?.address === m.address ? g.marks.tookOver : null;
  const classes = ['member', isMaster ? 'master' : '', m.error === null ? '' : 'silent'];
  if (tookOver !== null) classes.push('took-over');
  return h(
    'div',
    {
      class: classes.join(' '),
      'data-member': m.address,
      'data-broker-id': m.brokerId,
      'data-role': m.role ?? '',
      'data-in-sync': m.inSync,
      'data-lag-bytes': m.lagBytes ?? '',
    },
    h('strong', {}, m.address),
    h(
      'span',
      { class: `badge ${isMaster ? 'ok' : ''}` },
      isMaster ? 'master' : `replica ${m.brokerId}`,
    ),
    m.role === null ? null : h('span', { class: 'badge' }, m.role),
    m.inSync
      ? h('span', { class: 'badge ok' }, 'in sync')
      : h('span', { class: 'badge warn' }, 'not in sync'),
    tookOver === null
      ? null
      : h(
          'span',
          { class: 'badge ok', 'data-mark': 'took-over' },
          `took over ${ago(tookOver.atMs, nowMs)}`,
          tookOver.masterlessMs === null ? '' : ` (no master for ${ms(tookOver.masterlessMs)})`,
        ),
    h(
      'div',
      { class: 'muted' },
      `epoch ${m.epoch ?? '-'} · CommitLog end ${m.commitLogMaxOffset ?? '-'}`,
      isMaster ? '' : ` · lag ${bytes(m.lagBytes)}, ${ms(m.lagMs)}`,
    ),
    m.error === null ? null : h('div', { class: 'error' }, m.error),
  );
}

function diedBoxes(g: { marks: Group['marks'] }, nowMs: number): HTMLElement[] {
  return g.marks.diedMasters.map((d) =>
    h(
      'div',
      { class: 'member dead', 'data-mark': 'died', 'data-member': d.address },
      h('strong', {}, d.address),
      h('span', { class: 'badge bad' }, 'master died'),
      h(
        'div',
        { class: 'muted' },
        `left the route ${ago(d.atMs, nowMs)} (${d.reason ?? 'unknown'})`,
      ),
    ),
  );
}

export async function renderMap(view: HTMLElement): Promise<void> {
  const data = await getJson<ClusterView>('cluster');
  const groups = data.groups.map((g) =>
    h(
      'section',
      { class: 'group', 'data-group': g.brokerName, 'data-master': g.master ?? '' },
      h('h3', {}, `${g.brokerName} `, h('span', { class: 'muted' }, g.clusterName)),
      g.master === null
        ? h('div', { class: 'error', 'data-mark': 'no-master' }, 'no master')
        : null,
      ...g.members.map((m) => memberBox(g, m, data.nowMs)),
      ...diedBoxes(g, data.nowMs),
      h(
        'div',
        { class: 'muted', 'data-in-sync-set': g.inSyncSet.join(',') },
        `in-sync set: ${g.inSyncSet.join(', ') || 'none'}`,
      ),
    ),
  );
  const gone = data.goneGroups.map((g) =>
    h(
      'section',
      { class: 'group', 'data-group': g.brokerName, 'data-master': '' },
      h('h3', {}, g.brokerName, ' ', h('span', { class: 'badge bad' }, 'no broker left')),
      ...diedBoxes(g, data.nowMs),
    ),
  );
  view.replaceChildren(
    h('h2', {}, 'Cluster map'),
    groups.length + gone.length === 0
      ? h('p', {}, 'No broker is registered.')
      : h('div', { class: 'groups' }, ...groups, ...gone),
  );
}
