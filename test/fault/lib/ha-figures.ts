// Figures the Master/Slave fault scenarios print: send outcomes by status or error code,
// percentiles of failover times; and the ali-ons producer's events read into a history.

import type { Child } from '../../harness/spawn-process.js';
import type { History, SendEvent } from './history.js';

/** The p-th percentile (nearest rank) of `values`; 0 when empty. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** The ali-ons fixture's produce-loop events as history entries (its ids are its own range). */
export function recordAliOns(child: Child, history: History): void {
  for (const line of child.lines) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { event: string; id?: string; status?: string };
    if (e.id === undefined) continue;
    if (e.event === 'attempt') history.attempted(e.id);
    else if (e.event === 'result')
      history.completed(e.id, e.status === 'SEND_OK' ? 'ACKED' : 'UNKNOWN', e.status);
    else if (e.event === 'error') history.completed(e.id, 'UNKNOWN', 'ali-ons send failed');
  }
}

/** "SEND_OK=812 SLAVE_NOT_AVAILABLE=40 ..." over the sends (optionally only some of them). */
export function outcomeCounts(
  history: History,
  which: (send: SendEvent) => boolean = () => true,
): string {
  const counts = new Map<string, number>();
  for (const send of history.sends.values()) {
    if (!which(send)) continue;
    const key = send.outcome === 'PENDING' ? 'PENDING' : send.detail;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
}
