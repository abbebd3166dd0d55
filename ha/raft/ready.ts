// The Ready batch the core hands to its host, and the result types of the core's commands.
//
// Host contract (docs/raft.md): for each Ready, in this order,
//   1. persist `entries` (replacing stored entries from entries[0].index on), then `hardState`,
//      durably (fsync) when `mustSync`;
//   2. send `messages` (in order per target);
//   3. apply `committedEntries` in order;
//   4. call advance(ready).
// The core never yields a second Ready before advance() (asserted), and it puts every vote grant and
// append acknowledgement in the Ready that also carries the state it promises, so following the
// order above means nothing is promised before it is durable. A leader whose Ready keeps term and
// vote may send its messages while persisting, and apply committed entries already durable in its
// log before persisting the new ones: it counts itself towards a quorum only at advance().
//
// etcd counterpart: raft.Ready, RawNode.Ready/Advance. DLedger counterpart: none (DLedger's threads
// write, send and apply on their own schedules; this contract is what replaces them).

import type { Entry, HardState, Message, Role, SoftState } from './messages.js';

export interface Ready {
  /** New hard state to persist, or null when unchanged since the previous Ready. */
  readonly hardState: HardState | null;
  /** New role / leader, or null when unchanged. Not persisted; drives the host's role switch. */
  readonly softState: SoftState | null;
  /** Entries to persist before sending anything. */
  readonly entries: readonly Entry[];
  /** Entries committed by a quorum, to apply after persisting. */
  readonly committedEntries: readonly Entry[];
  /** Messages to send after persisting. */
  readonly messages: readonly Message[];
  /** True when entries, term or vote changed: persisting must fsync before sending. */
  readonly mustSync: boolean;
}

export type ProposeResult =
  | { readonly status: 'OK'; readonly index: number; readonly term: number }
  /** DLedger NOT_LEADER: retry on `leaderId` when known. */
  | { readonly status: 'NOT_LEADER'; readonly leaderId: string | null }
  /** DLedger LEADER_TRANSFERRING: a leadership transfer is in progress. */
  | { readonly status: 'LEADER_TRANSFERRING'; readonly leaderId: string }
  /** DLedger LEADER_PENDING_FULL: too many uncommitted entries; back off. */
  | { readonly status: 'LEADER_PENDING_FULL'; readonly leaderId: string };

export type TransferResult =
  | { readonly status: 'STARTED'; readonly transferee: string }
  | { readonly status: 'ALREADY_LEADER' }
  | { readonly status: 'NOT_LEADER'; readonly leaderId: string | null }
  | { readonly status: 'UNKNOWN_PEER'; readonly transferee: string };

/** A plain snapshot of a core's state for hosts, tests and checkers (no live references). */
export interface RaftStatus {
  readonly id: string;
  readonly role: Role;
  readonly term: number;
  readonly vote: string | null;
  readonly leaderId: string | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly lastTerm: number;
  readonly leadTransferee: string | null;
}

export interface FollowerStatus {
  readonly id: string;
  readonly match: number;
  readonly next: number;
  readonly state: 'PROBE' | 'REPLICATE';
  readonly recentActive: boolean;
  readonly inflightCount: number;
}

export function isReadyEmpty(ready: Ready): boolean {
  return (
    ready.hardState === null &&
    ready.softState === null &&
    ready.entries.length === 0 &&
    ready.committedEntries.length === 0 &&
    ready.messages.length === 0
  );
}
