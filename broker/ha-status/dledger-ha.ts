// HA status of a DLedger member. The leader knows each follower's Raft match index (published by
// the Raft thread with its status); the first entry after it is the first the follower lacks, and
// its first stamped record says where in the CommitLog that entry starts (so lag in bytes = the
// leader's applied end - that offset) and when the leader stored it (so lag in time = now - that
// store time: the age of the oldest message the follower lacks). The leader remembers the first
// record of its recently applied entries for this (AppliedRecords); a follower behind all of them
// counts as lagging by everything since the oldest kept. A follower is in sync while the leader
// heard from it within an election timeout (Raft's recentActive) and it lacks fewer than
// haSlaveFallbehindMax bytes. The epoch is the Raft term. Followers report their own term and
// role and no replicas. Also here: how Raft role changes become failover and election events.

import type { DLedgerPeer } from '../../common/dledger-peers.js';
import { readStampedEntry } from '../../engine/put/record-stamper.js';
import type { RaftHostStatus } from '../../ha/dledger/host-types.js';
import { Role } from '../../ha/raft/messages.js';
import type { FollowerStatus } from '../../ha/raft/ready.js';
import type { BrokerContext } from '../broker-context.js';
import { firstInBatch } from '../broker-dledger.js';
import { ElectionOutcome, type HaEvents } from './ha-events.js';
import type { HaProvider, HaProviderStatus, ReplicaStatus } from './ha-view.js';

/** Entries looked at past a follower's match for one carrying records (NOOPs carry none). */
const MAX_ENTRIES_SCANNED = 8;

/** Where an applied entry's first record starts in the CommitLog, and its store time. */
export interface AppliedRecord {
  commitLogOffset: number;
  storeTimestamp: number;
}

/** The first record of the last `capacity` applied entries, by Raft index (bounded). */
export class AppliedRecords {
  readonly #capacity: number;
  readonly #records = new Map<number, AppliedRecord>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Notes the entry at `index` (its data: a batch of stamped records) once applied. */
  note(index: number, data: Buffer): void {
    const first = firstInBatch(data);
    if (first === undefined) return;
    const stamped = readStampedEntry(first);
    this.#records.set(index, {
      commitLogOffset: stamped.previousEnd,
      storeTimestamp: stamped.storeTimestamp,
    });
    if (this.#records.size > this.#capacity) {
      const oldest = this.#records.keys().next().value;
      if (oldest !== undefined) this.#records.delete(oldest);
    }
  }

  get(index: number): AppliedRecord | undefined {
    return this.#records.get(index);
  }

  /** The oldest entry kept (undefined when none). */
  oldest(): AppliedRecord | undefined {
    return this.#records.values().next().value;
  }
}

export interface DledgerRaftView {
  /** Role, term and leader as of the last role change; the rest as last published. */
  host: {
    readonly role: Role;
    readonly term: number;
    readonly leaderId: string | null;
    readonly commitIndex: number;
    status(): RaftHostStatus | null;
    followers(): readonly FollowerStatus[];
  };
  /** The first record of an applied entry, while the leader still remembers it. */
  recordAt(index: number): AppliedRecord | undefined;
  /** The oldest applied entry remembered: a follower behind it lacks at least everything since. */
  oldestRecord(): AppliedRecord | undefined;
  selfId: string;
  peers: readonly DLedgerPeer[];
  /** When a message last came from a peer (ms since the epoch). */
  lastHeardFromMs(peerId: string): number | undefined;
}

type Parts = Pick<BrokerContext, 'config' | 'role' | 'store' | 'clock'>;

/** The first record a follower lacks: in the entries after its match, up to the commit index. */
function firstMissing(view: DledgerRaftView, match: number, commitIndex: number) {
  const last = Math.min(commitIndex, match + MAX_ENTRIES_SCANNED);
  for (let index = match + 1; index <= last; index++) {
    const record = view.recordAt(index);
    if (record !== undefined) return record;
  }
  // Behind every entry the leader remembers: it lacks at least all of them.
  return match + 1 <= commitIndex && view.recordAt(match) === undefined
    ? view.oldestRecord()
    : undefined;
}

export function dledgerHa(ctx: Parts, raft: () => DledgerRaftView | undefined): HaProvider {
  return {
    async status(): Promise<HaProviderStatus> {
      const store = ctx.store;
      const applied = store.getMaxPhyOffset();
      const windowBytes = ctx.config.haSlaveFallbehindMax;
      const view = raft();
      // Role and term come with each role change, before the periodic status catches up.
      const host = view?.host;
      const published = host?.status() ?? undefined;
      const s =
        host === undefined
          ? undefined
          : {
              role: host.role,
              term: host.term,
              leaderId: host.leaderId,
              commitIndex: host.commitIndex,
              lastIndex: Math.max(host.commitIndex, published?.lastIndex ?? 0),
            };
      const base: HaProviderStatus = {
        mode: 'DLEDGER',
        role: ctx.role.role,
        brokerId: ctx.role.brokerId,
        epoch: s?.term ?? 0,
        epochKind: 'term',
        raft:
          view === undefined || s === undefined
            ? null
            : {
                selfId: view.selfId,
                role: s.role,
                leaderId: s.leaderId,
                commitIndex: s.commitIndex,
                lastIndex: s.lastIndex,
              },
        commitLogMaxOffset: applied,
        replicas: [],
        inSync: [],
        inSyncWindowBytes: windowBytes,
      };
      if (view === undefined || s?.role !== Role.LEADER) return base;
      const nowMs = ctx.clock.nowMs();
      const end = applied;
      const replicas: ReplicaStatus[] = view.host.followers().map((f) => {
        const missing = firstMissing(view, f.match, s.commitIndex);
        const ackOffset = Math.min(end, missing?.commitLogOffset ?? end);
        const lagBytes = Math.max(0, end - ackOffset);
        return {
          id: f.id,
          address: view.peers.find((p) => p.id === f.id)?.address ?? '',
          ackOffset,
          lagBytes,
          lagMs: missing === undefined ? 0 : Math.max(0, nowMs - missing.storeTimestamp),
          inSync: f.recentActive && lagBytes < windowBytes,
          matchIndex: f.match,
        };
      });
      return {
        ...base,
        replicas,
        inSync: [view.selfId, ...replicas.filter((r) => r.inSync).map((r) => r.id)],
      };
    },
  };
}

/**
 * Turns the Raft host's role changes into events: a member that knew a leader and then starts an
 * election (or follows no one) has lost its master since it last heard from that leader; a known
 * leader ends the election.
 */
export function raftRoleRecorder(
  events: HaEvents,
  selfId: string,
  lastHeardFromMs: (peerId: string) => number | undefined,
) {
  let leader: string | null = null;
  const lost = () => {
    if (leader !== null) events.masterLost(leader === selfId ? undefined : lastHeardFromMs(leader));
  };
  return (role: string, leaderId: string | null): void => {
    if (role === Role.PRE_CANDIDATE || role === Role.CANDIDATE) {
      events.electionStarted();
      lost();
      return;
    }
    if (role === Role.LEADER) {
      leader = selfId;
      events.electionEnded(ElectionOutcome.WON);
      return;
    }
    if (leaderId === null) {
      lost();
      return;
    }
    leader = leaderId;
    events.electionEnded(ElectionOutcome.LOST);
    events.masterFoundElsewhere();
  };
}
