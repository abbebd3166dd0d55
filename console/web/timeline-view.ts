// The failover timeline: each time a group's master left and another (or the same, restarted)
// took its place, with how long the group had no master; then every role change, newest first.

import { getJson } from './api.js';
import { h, ms, table, time } from './dom.js';
import type { Failover, RoleEvent } from './types.js';

const KIND_TEXT: Readonly<Record<string, string>> = {
  'master-up': 'became master',
  'master-gone': 'master left',
  'replica-up': 'replica joined',
  'replica-gone': 'replica left',
};

export async function renderTimeline(view: HTMLElement): Promise<void> {
  const data = await getJson<{ nowMs: number; events: RoleEvent[]; failovers: Failover[] }>(
    'timeline',
  );
  const failovers = [...data.failovers]
    .reverse()
    .map((f) =>
      h(
        'li',
        { 'data-failover': f.brokerName, 'data-new-master': f.newAddr },
        h('strong', {}, f.brokerName),
        ': ',
        f.goneAddr === null
          ? 'first election'
          : `${f.goneAddr} left (${f.reason ?? 'unknown'}) at ${time(f.goneAtMs ?? 0)}`,
        ' → ',
        h('strong', {}, f.newAddr),
        f.promoted ? ' (a replica promoted)' : ' (restarted)',
        ` at ${time(f.upAtMs)}`,
        f.masterlessMs === null
          ? null
          : h('span', { class: 'badge warn' }, `no master for ${ms(f.masterlessMs)}`),
      ),
    );
  const rows = [...data.events]
    .reverse()
    .map((e) => [
      time(e.atMs),
      e.brokerName,
      e.brokerAddr,
      e.brokerId,
      (KIND_TEXT[e.kind] ?? e.kind) + (e.wasReplica ? ' (promoted)' : ''),
      e.reason ?? '',
      e.masterlessMs === null ? '' : ms(e.masterlessMs),
    ]);
  view.replaceChildren(
    h('h2', {}, 'Failover timeline'),
    h('h3', {}, 'Failovers'),
    failovers.length === 0
      ? h('p', { class: 'muted' }, 'No failover seen by this NameServer yet.')
      : h('ol', { class: 'timeline' }, ...failovers),
    h('h3', {}, 'Role changes seen by this NameServer'),
    table(['Time (UTC)', 'Group', 'Address', 'Broker id', 'Change', 'Why', 'No master for'], rows),
  );
}
