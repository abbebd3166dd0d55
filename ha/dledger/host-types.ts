// What a RaftHost is given (storage, transport, scheduler) and what it answers (proposal
// outcomes, status). Everything the host touches is injected, so the same host runs in the broker
// (file storage, TCP transport, timers) and in the simulator (simulated disk, network and time).

import type { LogStorage } from '../raft/log-storage.js';
import type { Entry, HardState, Message, Role } from '../raft/messages.js';
import type { RaftStatus } from '../raft/ready.js';

/**
 * Durable Raft storage: the core's read side plus the host's write side. `save` persists `entries`
 * (replacing any stored entries from entries[0].index on), then `hardState`; with `sync` both are
 * on stable storage before `done(null)` is called. `done` may be called synchronously (file
 * storage over blocking FileIO) or later (a simulated disk, a storage thread); it is called at most
 * once, with an error when the write failed (the host then stops: it cannot promise anything).
 * Reads (LogStorage) must reflect every completed save.
 */
export interface RaftLogStore extends LogStorage {
  save(
    entries: readonly Entry[],
    hardState: HardState | null,
    sync: boolean,
    done: (error: Error | null) => void,
  ): void;
}

/** Outbound messages. Delivery is best effort; inbound messages reach RaftHost.deliver(). */
export interface RaftTransport {
  send(message: Message): void;
}

/** Runs `task` every `intervalMs` until the returned function is called. */
export interface RaftScheduler {
  repeat(intervalMs: number, task: () => void): () => void;
}

/** Node timers; unref'd, so a host alone never keeps a process alive. */
export const timerScheduler: RaftScheduler = {
  repeat(intervalMs, task) {
    const timer = setInterval(task, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/**
 * How a proposal ended. Stable status strings (DLedger's codes where one exists):
 * - COMMITTED: a majority holds the entry durably and this node applied it (index, term).
 * - NOT_LEADER / LEADER_TRANSFERRING: refused at once, nothing appended; retry on `leaderId`.
 * - BUSY: refused at once, the pending-proposal queue (or the core's uncommitted bound) is full.
 * - TERM_CHANGED / QUORUM_LOST: appended, but this node stopped leading before the entry was
 *   committed (a higher term, or check-quorum). The entry may still commit under the next leader:
 *   the outcome is unknown and a client retry may duplicate it.
 * - OVERWRITTEN: the index was committed with another term's entry; this one is lost for sure.
 * - CLOSED / STORAGE_FAILED: the host stopped (close(), or a failed write).
 */
export const ProposeStatus = {
  COMMITTED: 'COMMITTED',
  NOT_LEADER: 'NOT_LEADER',
  LEADER_TRANSFERRING: 'LEADER_TRANSFERRING',
  BUSY: 'BUSY',
  TERM_CHANGED: 'TERM_CHANGED',
  QUORUM_LOST: 'QUORUM_LOST',
  OVERWRITTEN: 'OVERWRITTEN',
  CLOSED: 'CLOSED',
  STORAGE_FAILED: 'STORAGE_FAILED',
} as const;
export type ProposeStatus = (typeof ProposeStatus)[keyof typeof ProposeStatus];

export interface ProposeOutcome {
  readonly status: ProposeStatus;
  /** Log index and term of the entry; 0 when nothing was appended. */
  readonly index: number;
  readonly term: number;
  /** The leader as this node knows it when the outcome was decided (null when unknown). */
  readonly leaderId: string | null;
}

/** Deliberate host bugs for the simulators' self-tests. Never set outside test/sim/. */
export interface HostBugs {
  /** Send a Ready's messages before its entries and hard state are durable. */
  readonly sendBeforePersist?: boolean;
  /** Answer COMMITTED once the leader's own copy is durable, without waiting for a majority. */
  readonly ackBeforeQuorum?: boolean;
}

export interface RaftHostStatus extends RaftStatus {
  readonly pendingProposals: number;
  /** A save is in flight (the core waits for it before the next Ready). */
  readonly isSaving: boolean;
  readonly isClosed: boolean;
}

export type RoleChangeListener = (role: Role, term: number, leaderId: string | null) => void;
