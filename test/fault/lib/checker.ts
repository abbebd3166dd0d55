// Checks a history (docs/testing.md, "Checker vocabulary"): lost = acknowledged but never delivered;
// unexpected = delivered but never attempted; aborted = delivered although its send definitely
// failed; duplicated = delivered more than once; inconsistent offsets = one (queue, offset) seen
// with two different messages; order breaks = a queue delivering an offset below one it already
// delivered without that being a redelivery of the same message.

import type { Delivery, History } from './history.js';

export interface CheckReport {
  attempted: number;
  acknowledged: number;
  delivered: number;
  lost: string[];
  unexpected: string[];
  aborted: string[];
  duplicated: string[];
  recovered: string[];
  inconsistentOffsets: string[];
  orderBreaks: string[];
}

/**
 * Checks the sends of `history` against `deliveries`: by default the history's own (what consumers
 * got); a dump of one replica gives the lost-on-node view of that replica.
 */
export function checkHistory(
  history: History,
  deliveries: readonly Delivery[] = history.deliveries,
): CheckReport {
  const seen = new Map<string, number>();
  const atOffset = new Map<string, string>();
  const inconsistentOffsets: string[] = [];
  for (const d of deliveries) {
    seen.set(d.id, (seen.get(d.id) ?? 0) + 1);
    const key = `${d.queue}@${d.queueOffset}`;
    const other = atOffset.get(key);
    if (other !== undefined && other !== d.id)
      inconsistentOffsets.push(`${key}: ${other} and ${d.id}`);
    atOffset.set(key, d.id);
  }
  const sends = history.sends;
  return {
    attempted: sends.size,
    acknowledged: history.acked().length,
    delivered: seen.size,
    lost: history.acked().filter((id) => !seen.has(id)),
    unexpected: [...seen.keys()].filter((id) => !sends.has(id)),
    aborted: [...seen.keys()].filter((id) => sends.get(id)?.outcome === 'FAILED'),
    duplicated: [...seen.entries()].filter(([, n]) => n > 1).map(([id]) => id),
    recovered: [...seen.keys()].filter(
      (id) => sends.get(id)?.outcome === 'UNKNOWN' || sends.get(id)?.outcome === 'PENDING',
    ),
    inconsistentOffsets,
    orderBreaks: orderBreaks(deliveries),
  };
}

/** Per queue, deliveries must not skip backwards to an offset never delivered before. */
function orderBreaks(deliveries: readonly Delivery[]): string[] {
  const breaks: string[] = [];
  const highest = new Map<string, number>();
  const delivered = new Map<string, Set<number>>();
  for (const d of deliveries) {
    const top = highest.get(d.queue) ?? -1;
    const before = delivered.get(d.queue) ?? new Set<number>();
    if (d.queueOffset < top && !before.has(d.queueOffset))
      breaks.push(`${d.queue}: offset ${d.queueOffset} after ${top}`);
    before.add(d.queueOffset);
    delivered.set(d.queue, before);
    if (d.queueOffset > top) highest.set(d.queue, d.queueOffset);
  }
  return breaks;
}

/** One line a test prints, and the assertion that the run kept every promise. */
export function summarize(report: CheckReport): string {
  return `attempted=${report.attempted} acknowledged=${report.acknowledged} delivered=${report.delivered} lost=${report.lost.length} unexpected=${report.unexpected.length} aborted=${report.aborted.length} duplicated=${report.duplicated.length} recovered=${report.recovered.length} inconsistent=${report.inconsistentOffsets.length} orderBreaks=${report.orderBreaks.length}`;
}
