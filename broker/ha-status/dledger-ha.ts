// HA status of a DLedger member. The leader knows each follower's Raft match index; the first
// entry after it is the first the follower lacks, and its first stamped record says where in the
// CommitLog that entry starts (so lag in bytes = the leader's log end - that offset) and when the
// leader stored it (so lag in time = now - that store time: the age of the oldest message the
// follower lacks). A follower is in sync while the leader heard from it within the shortest
// election timeout and it lacks fewer than haSlaveFallbehindMax bytes. The epoch is the
// Raft term. Followers report their own term and role and no replicas.
// Also here: how Raft role changes become failover and election events (ha-events.ts).

import type { DLedgerPeer } from '../../common/dledger-peers.js';
import { readStampedEntry } from '../../engine/put/record-stamper.js';
import type { RaftLogStore } from '../../ha/dledger/host-types.js';
import type { RaftHost } from '../../ha/dledger/raft-host.js';
import { type Entry, EntryType, Role } from '../../ha/raft/messages.js';
import type { BrokerContext } from '../broker-context.js';
import { decodeBatch } from '../broker-dledger.js';
import { ElectionOutcome, type HaEvents } from './ha-events.js';
import type { HaProvider, HaProviderStatus, ReplicaStatus } from './ha-view.js';

/** Entries looked at past a follower's match (or before the log end) for one carrying records. */
const MAX_ENTRIES_SCANNED = 8;

export interface DledgerRaftView {
  host: Pick<RaftHost, 'status' | 'followers'>;
  log: Pick<RaftLogStore, 'entries' | 'lastIndex'>;
  selfId: string;
  peers: readonly DLedgerPeer[];
  /** The shortest election timeout: a follower silent longer is out of the in-sync set. */
  electionTimeoutMs: number;
  /** When a message last came from a peer (ms since the epoch). */
  lastHeardFromMs(peerId: string): number | undefined;
}

type Parts = Pick<BrokerContext, 'config' | 'role' | 'store' | 'clock'>;

function stampedRecords(entry: Entry) {
  const data = Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
  return decodeBatch(data).map((record) => readStampedEntry(record));
}

/** The first record at or after `from` (up to the log end): where it starts, when it was stored. */
function firstRecordFrom(
  log: DledgerRaftView['log'],
  from: number,
): { commitLogOffset: number; storeTimestamp: number } | undefined {
  const last = log.lastIndex();
  if (from > last) return undefined;
  const hi = Math.min(last, from + MAX_ENTRIES_SCANNED - 1) + 1;
  for (const entry of log.entries(from, hi, MAX_ENTRIES_SCANNED)) {
    if (entry.type === EntryType.NOOP) continue;
    const first = stampedRecords(entry)[0];
    if (first !== undefined)
      return { commitLogOffset: first.previousEnd, storeTimestamp: first.storeTimestamp };
  }
  return undefined;
}

/** Where the leader's log ends in CommitLog bytes (entries not yet applied included). */
function logEnd(log: DledgerRaftView['log'], appliedEnd: number): number {
  const last = log.lastIndex();
  const lo = Math.max(1, last - MAX_ENTRIES_SCANNED + 1);
  if (last < lo) return appliedEnd;
  const entries = log.entries(lo, last + 1, MAX_ENTRIES_SCANNED);
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as Entry;
    if (entry.type === EntryType.NOOP) continue;
    const records = stampedRecords(entry);
    const tail = records[records.length - 1];
    if (tail !== undefined) return Math.max(appliedEnd, tail.commitLogOffset + tail.length);
  }
  return appliedEnd;
}

export function dledgerHa(ctx: Parts, raft: () => DledgerRaftView | undefined): HaProvider {
  return {
    async status(): Promise<HaProviderStatus> {
      const store = ctx.store;
      const applied = store.getMaxPhyOffset();
      const windowBytes = ctx.config.haSlaveFallbehindMax;
      const view = raft();
      const s = view?.host.status();
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
      const end = logEnd(view.log, applied);
      const replicas: ReplicaStatus[] = view.host.followers().map((f) => {
        const missing = firstRecordFrom(view.log, f.match + 1);
        const ackOffset = missing?.commitLogOffset ?? end;
        const lagBytes = Math.max(0, end - ackOffset);
        return {
          id: f.id,
          address: view.peers.find((p) => p.id === f.id)?.address ?? '',
          ackOffset,
          lagBytes,
          lagMs: missing === undefined ? 0 : Math.max(0, nowMs - missing.storeTimestamp),
          inSync:
            nowMs - (view.lastHeardFromMs(f.id) ?? 0) <= view.electionTimeoutMs &&
            lagBytes < windowBytes,
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
