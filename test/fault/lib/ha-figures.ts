// Figures the Master/Slave fault scenarios print: send outcomes by status or error code.

import type { History, SendEvent } from './history.js';

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
