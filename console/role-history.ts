// The role changes a NameServer observes, kept for the console: a master that left the route
// (connection closed, registration expired, unregistered, replaced) and an address that became a
// group's master, with the time since the group last had one (the failover's duration as the
// NameServer saw it). Bounded: the oldest events go first. Pure: time comes from an injected clock.
//
// The NameServer feeds it from its route table; the console reads it for the cluster map's "just
// died" / "took over" marks and the failover timeline.

import { assert } from '../common/assert.js';
import type { Clock } from '../common/clock.js';

export const RoleEventKind = {
  /** An address became brokerId 0 of its group. */
  MASTER_UP: 'master-up',
  /** The group's master left the route. */
  MASTER_GONE: 'master-gone',
  /** A replica (brokerId > 0) joined the route. */
  REPLICA_UP: 'replica-up',
  /** A replica left the route. */
  REPLICA_GONE: 'replica-gone',
} as const;
export type RoleEventKind = (typeof RoleEventKind)[keyof typeof RoleEventKind];

export interface RoleEvent {
  /** Increasing from 1; lets a page ask only for what is new. */
  seq: number;
  atMs: number;
  kind: RoleEventKind;
  clusterName: string;
  brokerName: string;
  brokerAddr: string;
  brokerId: number;
  /** Why an address left: 'closed', 'expired', 'unregistered', 'replaced'. */
  reason: string | null;
  /** MASTER_UP only: the address was a replica of the group just before (a promotion). */
  wasReplica: boolean;
  /** MASTER_UP only: ms since the group's previous master left; null if it never had one. */
  masterlessMs: number | null;
}

export type RoleEventInput = Omit<RoleEvent, 'seq' | 'atMs' | 'masterlessMs'>;

export class RoleHistory {
  readonly #clock: Clock;
  readonly #maxEvents: number;
  readonly #events: RoleEvent[] = [];
  /** brokerName -> wall time its master left (cleared when a new one comes). */
  readonly #masterGoneAtMs = new Map<string, number>();
  #seq = 0;

  constructor(clock: Clock, maxEvents: number) {
    assert(Number.isSafeInteger(maxEvents) && maxEvents > 0, 'role history holds events');
    this.#clock = clock;
    this.#maxEvents = maxEvents;
  }

  record(input: RoleEventInput): RoleEvent {
    const atMs = this.#clock.nowMs();
    let masterlessMs: number | null = null;
    if (input.kind === RoleEventKind.MASTER_GONE) {
      this.#masterGoneAtMs.set(input.brokerName, atMs);
    } else if (input.kind === RoleEventKind.MASTER_UP) {
      const goneAt = this.#masterGoneAtMs.get(input.brokerName);
      if (goneAt !== undefined) masterlessMs = Math.max(0, atMs - goneAt);
      this.#masterGoneAtMs.delete(input.brokerName);
    }
    const event: RoleEvent = { ...input, seq: ++this.#seq, atMs, masterlessMs };
    this.#events.push(event);
    if (this.#events.length > this.#maxEvents) this.#events.shift();
    // The map of groups without a master is bounded by the groups the route has seen.
    if (this.#masterGoneAtMs.size > this.#maxEvents) {
      const oldest = this.#masterGoneAtMs.keys().next().value;
      if (oldest !== undefined) this.#masterGoneAtMs.delete(oldest);
    }
    return event;
  }

  /** Events with seq above `afterSeq`, oldest first. */
  since(afterSeq = 0): RoleEvent[] {
    return this.#events.filter((e) => e.seq > afterSeq).map((e) => ({ ...e }));
  }
}

export interface Failover {
  clusterName: string;
  brokerName: string;
  /** The master that left, when the NameServer saw it leave. */
  goneAddr: string | null;
  goneAtMs: number | null;
  reason: string | null;
  newAddr: string;
  upAtMs: number;
  /** The new master was a replica of the group just before. */
  promoted: boolean;
  masterlessMs: number | null;
}

/** Each MASTER_UP after a master left, paired with that departure: the failover timeline. */
export function failoversOf(events: readonly RoleEvent[]): Failover[] {
  const lastGone = new Map<string, RoleEvent>();
  const out: Failover[] = [];
  for (const e of events) {
    if (e.kind === RoleEventKind.MASTER_GONE) lastGone.set(e.brokerName, e);
    if (e.kind !== RoleEventKind.MASTER_UP) continue;
    const gone = lastGone.get(e.brokerName);
    lastGone.delete(e.brokerName);
    if (gone === undefined && !e.wasReplica) continue; // A first start, not a failover.
    out.push({
      clusterName: e.clusterName,
      brokerName: e.brokerName,
      goneAddr: gone?.brokerAddr ?? null,
      goneAtMs: gone?.atMs ?? null,
      reason: gone?.reason ?? null,
      newAddr: e.brokerAddr,
      upAtMs: e.atMs,
      promoted: e.wasReplica,
      masterlessMs: e.masterlessMs,
    });
  }
  return out;
}

export interface GroupMarks {
  /** Masters that left within the window, newest first. */
  diedMasters: Array<{ address: string; atMs: number; reason: string | null }>;
  /** The replica that became master within the window, if one did. */
  tookOver: { address: string; atMs: number; masterlessMs: number | null } | null;
}

/** Per broker group: what happened to its masters in the last `windowMs` (the map's marks). */
export function recentMarks(
  events: readonly RoleEvent[],
  nowMs: number,
  windowMs: number,
): Map<string, GroupMarks> {
  const marks = new Map<string, GroupMarks>();
  for (const e of events) {
    if (nowMs - e.atMs > windowMs) continue;
    const m = marks.get(e.brokerName) ?? { diedMasters: [], tookOver: null };
    marks.set(e.brokerName, m);
    if (e.kind === RoleEventKind.MASTER_GONE) {
      m.diedMasters.unshift({ address: e.brokerAddr, atMs: e.atMs, reason: e.reason });
    } else if (e.kind === RoleEventKind.MASTER_UP) {
      // A master that came back at the same address is no longer "died".
      m.diedMasters = m.diedMasters.filter((d) => d.address !== e.brokerAddr);
      m.tookOver = e.wasReplica
        ? { address: e.brokerAddr, atMs: e.atMs, masterlessMs: e.masterlessMs }
        : null;
    }
  }
  return marks;
}
