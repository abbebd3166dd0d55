// Figures the Master/Slave fault scenarios print: send outcomes by status or error code,
// percentiles of failover times; the ali-ons producer's events read into a history; and the check
// that closes a failover run (DLedger leader kill, controller-mode master kill).

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { DledgerGroup } from '../../harness/dledger-group.js';
import type { Child } from '../../harness/spawn-process.js';
import { waitFor } from '../../harness/wait-for.js';
import { checkHistory, summarize } from './checker.js';
import type { Delivery, History, SendEvent } from './history.js';
import { dumpOverWire } from './replica-dump.js';

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

/** No broker answer failed to decode (a stored-but-unconfirmed answer carries its ids too). */
function assertResponsesDecoded(history: History): void {
  const malformed = [...history.sends.values()].filter((s) => s.detail.startsWith('E_FRAME'));
  assert.deepEqual(
    malformed.map((s) => `${s.id}: ${s.detail}`),
    [],
    'every broker answer decoded',
  );
}

/** What a failover run hands to checkFailoverRun. */
export interface FailoverRun {
  history: History;
  /** What the member serving writes at the end holds (dumpOverWire), and its role's name. */
  served: { records: Delivery[]; role: 'master' | 'leader' };
  /** The run's consumer, shut down once it has had every acknowledged message (or a minute). */
  consumer: { shutdown(): Promise<void> };
  /** Per cycle, ms from the kill: to the new master or leader in the route, to the first ack. */
  routedMs: number[];
  firstAckMs: number[];
  /** ali-ons's ids start here; Petrel's producers (below) never retry. */
  aliFirstId: number;
}

/**
 * Prints the run's figures and checks it: ali-ons sends acknowledged; every acknowledged message on
 * the serving member and consumed; every consumed message on the serving member; nothing unexpected, aborted or at inconsistent offsets; no
 * message of Petrel's (non-retrying) producers stored twice.
 */
export async function checkFailoverRun(t: TestContext, run: FailoverRun): Promise<void> {
  const { history, served, routedMs, firstAckMs, aliFirstId } = run;
  const onServer = checkHistory(history, served.records);
  const acked = history.acked();
  await waitFor(() => acked.every((id) => history.deliveries.some((d) => d.id === id)), {
    timeoutMs: 60_000,
    what: 'every acknowledged message consumed',
  }).catch(() => undefined);
  await run.consumer.shutdown();
  const delivered = checkHistory(history);
  const stats = (v: number[]) =>
    `p50=${percentile(v, 50)} p99=${percentile(v, 99)} max=${Math.max(...v)}`;
  t.diagnostic(`sends: ${outcomeCounts(history)}`);
  t.diagnostic(`${served.role}: ${summarize(onServer)}`);
  t.diagnostic(`consumer: ${summarize(delivered)}`);
  t.diagnostic(
    `figures over ${routedMs.length} cycles (shared 2-core machine): kill -> new ${served.role} in route ${stats(routedMs)} ms; kill -> first ack ${stats(firstAckMs)} ms`,
  );
  for (const id of delivered.lost) t.diagnostic(describeUnconsumed(id, served.records, history));
  assert.ok(
    acked.some((id) => Number(id) >= aliFirstId),
    'ali-ons sends were acknowledged',
  );
  assert.deepEqual(onServer.lost, [], `every acknowledged message is on the ${served.role}`);
  assert.deepEqual(onServer.unexpected, []);
  assert.deepEqual(onServer.aborted, []);
  assert.deepEqual(onServer.inconsistentOffsets, []);
  // Petrel's producers do not retry: none of their messages may be stored twice.
  assert.deepEqual(
    onServer.duplicated.filter((id) => Number(id) < aliFirstId),
    [],
  );
  // Consumers read only what the replicas confirmed: nothing they got may vanish in a failover.
  const stored = new Set(served.records.map((r) => r.id));
  assert.deepEqual(
    [...new Set(history.deliveries.map((d) => d.id).filter((id) => !stored.has(id)))],
    [],
    `every consumed message is on the ${served.role}`,
  );
  assert.deepEqual(delivered.lost, [], 'every acknowledged message consumed');
  assertResponsesDecoded(history);
  assert.deepEqual(delivered.unexpected, []);
}

/** Where an acknowledged message the consumer never got is stored, and what it got around it. */
function describeUnconsumed(id: string, stored: Delivery[], history: History): string {
  const at = stored.find((r) => r.id === id);
  if (at === undefined) return `not consumed: ${id} (not stored either)`;
  const near = history.deliveries
    .filter((d) => d.queue === at.queue && Math.abs(d.queueOffset - at.queueOffset) <= 3)
    .map((d) => `${d.queueOffset}@${d.broker}+${d.atMs - (history.sends.get(id)?.atMs ?? 0)}ms`);
  return `not consumed: ${id} stored at ${at.queue}:${at.queueOffset}, sent at ${history.sends.get(id)?.atMs}; the consumer got near it: ${near.join(' ') || 'nothing'}`;
}

/**
 * Closes a DLedger fault run without a consumer: every member ends at the same offset, and the
 * leader holds every acknowledged message once, nothing unexpected, aborted or out of place.
 */
export async function checkLeaderHolds(
  t: TestContext,
  group: DledgerGroup,
  history: History,
  topic: string,
  queues: number,
): Promise<void> {
  const end = await group.waitSameEnd(30_000);
  const leader = await group.waitLeader(10_000);
  const report = checkHistory(
    history,
    await dumpOverWire(group.node(leader).address, topic, queues, 'leader'),
  );
  t.diagnostic(`sends: ${outcomeCounts(history)}; CommitLogs end at ${end}`);
  t.diagnostic(`leader: ${summarize(report)}`);
  assert.deepEqual(report.lost, [], 'every acknowledged message is on the leader');
  assert.deepEqual(report.unexpected, []);
  assert.deepEqual(report.aborted, []);
  assert.deepEqual(report.duplicated, []);
  assert.deepEqual(report.inconsistentOffsets, []);
  assertResponsesDecoded(history);
}
