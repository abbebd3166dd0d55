// RaftHost: the shipped host of one RaftCore. It runs the host contract of docs/raft.md for every
// Ready (persist -> send -> apply -> advance), drives ticks from an injected scheduler, answers
// proposals once their entry is committed and applied, and reports role changes. Storage,
// transport, scheduler, randomness and the state machine are injected: the broker gives it file
// storage, TCP and timers; the simulators give it a simulated disk, network and virtual time.
//
// Invariants: at most one Ready is in flight (saving or applying); nothing of a follower's or a
// candidate's Ready is sent before its save completed (unless the sendBeforePersist bug is set),
// while a leader sends its appends as its own save starts (#isLeaderSend); a proposal is answered
// COMMITTED only after its entry, with its term, was applied here as a committed entry; every
// pending proposal is answered exactly once; the pending map never exceeds maxPendingProposals.
//
// DLedger counterpart: DLedgerServer + DLedgerLeaderElector + DLedgerEntryPusher's threads, whose
// schedules this single loop replaces.

import { assert } from '../../common/assert.js';
import type { Prng } from '../../common/prng.js';
import type { Entry, Message } from '../raft/messages.js';
import { Role } from '../raft/messages.js';
import type { RaftBugs, RaftConfig } from '../raft/raft-config.js';
import { RaftCore } from '../raft/raft-core.js';
import type { FollowerStatus, Ready, TransferResult } from '../raft/ready.js';
import {
  type HostBugs,
  type ProposeOutcome,
  ProposeStatus,
  type RaftHostStatus,
  type RaftLogStore,
  type RaftScheduler,
  type RaftTransport,
  type RoleChangeListener,
} from './host-types.js';

export interface RaftHostOptions {
  readonly id: string;
  readonly peers: readonly string[];
  readonly storage: RaftLogStore;
  readonly transport: RaftTransport;
  readonly scheduler: RaftScheduler;
  readonly prng: Prng;
  /**
   * The state machine: committed entries in index order (NOOP entries included, type NOOP), never
   * one at or below `raft.appliedIndex`. A returned promise holds the next Ready until it
   * settles; a throw or rejection stops the host.
   */
  readonly apply: (entries: readonly Entry[]) => void | PromiseLike<void>;
  readonly onRoleChange?: RoleChangeListener;
  /** The host stopped because storage or apply failed. */
  readonly onFatal?: (error: Error) => void;
  /** Tick interval, ms (100: heartbeats every 200 ms, elections after 1-2 s of silence). */
  readonly tickMs?: number;
  /** Proposals awaiting their outcome; beyond it propose() answers BUSY at once. */
  readonly maxPendingProposals?: number;
  /** Core tuning (electionTicks, preVote, maxUncommittedEntries, preferredLeaderId, ...). */
  readonly raft?: Omit<RaftConfig, 'id' | 'peers' | 'storage' | 'prng' | 'bugs'>;
  readonly raftBugs?: RaftBugs;
  readonly bugs?: HostBugs;
}

/** One proposal of submitAll(). */
export interface Proposal {
  readonly data: Uint8Array;
  readonly settle: (outcome: ProposeOutcome) => void;
}

export const RAFT_HOST_DEFAULTS = { tickMs: 100, maxPendingProposals: 10_000 } as const;

interface Pending {
  readonly term: number;
  readonly settle: (outcome: ProposeOutcome) => void;
}

export class RaftHost {
  readonly id: string;
  readonly #core: RaftCore;
  readonly #options: RaftHostOptions;
  readonly #maxPending: number;
  readonly #pending = new Map<number, Pending>();
  #cancelTicks: (() => void) | null = null;
  /** The Ready being saved or applied; the core hands out no other until it is advanced. */
  #inflight: Ready | null = null;
  #isSent = false;
  #isApplied = false;
  #isPumping = false;
  #isClosed = false;
  #failure: Error | null = null;
  /** Set when the leader stepped down; pending proposals are answered after this Ready's apply. */
  #stepDown: { term: number } | null = null;
  #role: Role = Role.FOLLOWER;
  /** Entries up to here are already in the state machine: advanced past, not applied again. */
  readonly #appliedThrough: number;

  constructor(options: RaftHostOptions) {
    this.id = options.id;
    this.#options = options;
    this.#maxPending = options.maxPendingProposals ?? RAFT_HOST_DEFAULTS.maxPendingProposals;
    assert(this.#maxPending >= 1, 'raft host: maxPendingProposals must be positive');
    // The state machine may be ahead of the recovered commit index (commit-only writes are not
    // fsynced): start the core at the commit index and skip what the state machine already holds.
    this.#appliedThrough = options.raft?.appliedIndex ?? 0;
    this.#core = new RaftCore({
      ...options.raft,
      appliedIndex: Math.min(this.#appliedThrough, options.storage.hardState().commit),
      id: options.id,
      peers: options.peers,
      storage: options.storage,
      prng: options.prng,
      ...(options.raftBugs === undefined ? {} : { bugs: options.raftBugs }),
    });
  }

  /** Start ticking. Separate from the constructor so a caller can wire delivery first. */
  start(): void {
    if (this.#isClosed || this.#cancelTicks !== null) return;
    const tickMs = this.#options.tickMs ?? RAFT_HOST_DEFAULTS.tickMs;
    this.#cancelTicks = this.#options.scheduler.repeat(tickMs, () => this.tick());
    this.#pump();
  }

  /** One logical tick (normally called by the scheduler). */
  tick(): void {
    if (this.#isClosed) return;
    this.#core.tick();
    this.#pump();
  }

  /** An inbound message from a peer; messages for another node or from strangers are dropped. */
  deliver(message: Message): void {
    if (this.#isClosed) return;
    if (message.to !== this.id || message.from === this.id) return;
    if (!this.#options.peers.includes(message.from)) return;
    this.#core.step(message);
    this.#pump();
  }

  /** Start an election now instead of after the first timeout. */
  campaign(): void {
    if (this.#isClosed) return;
    this.#core.campaign();
    this.#pump();
  }

  /** Propose `data`; resolves with its outcome (never rejects). */
  propose(data: Uint8Array): Promise<ProposeOutcome> {
    return new Promise((resolve) => this.submit(data, resolve));
  }

  /**
   * Callback form of propose(): `settle` is called exactly once, synchronously for a refusal, else
   * from inside the host's loop (the simulators rely on that to check the moment of the answer).
   */
  submit(data: Uint8Array, settle: (outcome: ProposeOutcome) => void): void {
    if (this.#enqueue(data, settle)) this.#pump();
  }

  /**
   * Several proposals at once: all are appended before the next Ready is taken, so they share one
   * save (one fsync) and one round of appends. Each `settle` is called as in submit().
   */
  submitAll(proposals: readonly Proposal[]): void {
    let isAppended = false;
    for (const { data, settle } of proposals)
      isAppended = this.#enqueue(data, settle) || isAppended;
    if (isAppended) this.#pump();
  }

  /** Appends one proposal to the core; false when it was refused (and settled) at once. */
  #enqueue(data: Uint8Array, settle: (outcome: ProposeOutcome) => void): boolean {
    if (this.#isClosed) {
      settle(this.#outcome(this.#failure === null ? 'CLOSED' : 'STORAGE_FAILED', 0, 0));
      return false;
    }
    if (this.#pending.size >= this.#maxPending) {
      settle(this.#outcome(ProposeStatus.BUSY, 0, 0));
      return false;
    }
    const result = this.#core.propose(data);
    if (result.status !== 'OK') {
      const status = result.status === 'LEADER_PENDING_FULL' ? ProposeStatus.BUSY : result.status;
      settle({ status, index: 0, term: 0, leaderId: result.leaderId });
      return false;
    }
    this.#pending.set(result.index, { term: result.term, settle });
    return true;
  }

  transferLeadership(transferee: string): TransferResult {
    if (this.#isClosed) return { status: 'NOT_LEADER', leaderId: null };
    const result = this.#core.transferLeadership(transferee);
    this.#pump();
    return result;
  }

  get preferredLeaderId(): string | null {
    return this.#options.raft?.preferredLeaderId ?? null;
  }

  get role(): Role {
    return this.#core.role;
  }

  get term(): number {
    return this.#core.term;
  }

  get commitIndex(): number {
    return this.#core.commitIndex;
  }

  get leaderId(): string | null {
    return this.#core.inspect().leaderId;
  }

  termAt(index: number): number | null {
    return this.#core.termAt(index);
  }

  /** The leader's view of each follower (empty unless leader): match index, activity. */
  followers(): FollowerStatus[] {
    return this.#core.followers();
  }

  status(): RaftHostStatus {
    return {
      ...this.#core.inspect(),
      pendingProposals: this.#pending.size,
      isSaving: this.#inflight !== null,
      isClosed: this.#isClosed,
    };
  }

  /** Stop ticking and answer every pending proposal CLOSED. A save in flight is abandoned. */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#cancelTicks?.();
    this.#cancelTicks = null;
    this.#inflight = null;
    this.#settleAll(this.#failure === null ? ProposeStatus.CLOSED : ProposeStatus.STORAGE_FAILED);
  }

  // ---------------------------------------------------------------------------------------------
  // The Ready loop.

  #pump(): void {
    if (this.#isPumping) return;
    this.#isPumping = true;
    try {
      while (!this.#isClosed && this.#inflight === null) {
        const ready = this.#core.ready();
        if (ready === null) break;
        this.#inflight = ready;
        this.#isSent = false;
        this.#isApplied = false;
        if (ready.softState !== null) this.#onSoftState(ready.softState);
        const isLeaderSend = this.#isLeaderSend(ready);
        if (this.#options.bugs?.sendBeforePersist === true || isLeaderSend) this.#send(ready);
        // A leader's committed entries are already in its durable log (it only appends): apply
        // and answer them before the save of the new entries, not one fsync later.
        if (isLeaderSend && this.#isCommittedDurable(ready)) {
          this.#applyThen(ready, () => this.#save(ready));
        } else {
          this.#save(ready);
        }
      }
    } finally {
      this.#isPumping = false;
    }
  }

  /** Step 1 of the contract, then the rest (#afterSave). */
  #save(ready: Ready): void {
    if (ready.entries.length === 0 && ready.hardState === null) {
      this.#afterSave(ready);
      return;
    }
    this.#options.storage.save(ready.entries, ready.hardState, ready.mustSync, (error) => {
      if (ready !== this.#inflight) return;
      if (error !== null) this.#fail(error);
      else this.#afterSave(ready);
      this.#pump();
    });
  }

  #onSoftState(soft: { role: Role; term: number; leaderId: string | null }): void {
    if (this.#role === Role.LEADER && soft.role !== Role.LEADER) {
      this.#stepDown = { term: soft.term };
    }
    this.#role = soft.role;
    this.#options.onRoleChange?.(soft.role, soft.term, soft.leaderId);
  }

  /**
   * A leader may send its Ready's messages (appends, heartbeats) while its own copy of the entries
   * is still being written (Raft thesis 10.2.1, etcd): followers persist in parallel, and the
   * leader counts itself towards a quorum only after advance(). Not when the Ready changes term or
   * vote: those must be durable before any message of the new term leaves.
   */
  #isLeaderSend(ready: Ready): boolean {
    if (this.#role !== Role.LEADER) return false;
    const hard = ready.hardState;
    if (hard === null) return true;
    const saved = this.#options.storage.hardState();
    return hard.term === saved.term && hard.vote === saved.vote;
  }

  /** Every committed entry of the Ready is already in the durable log (completed saves). */
  #isCommittedDurable(ready: Ready): boolean {
    const last = ready.committedEntries[ready.committedEntries.length - 1];
    return last === undefined || last.index <= this.#options.storage.lastIndex();
  }

  /** Steps 2-4 of the contract, once the Ready is durable. */
  #afterSave(ready: Ready): void {
    if (this.#options.bugs?.ackBeforeQuorum === true) this.#ackOwnEntries(ready);
    this.#send(ready);
    this.#applyThen(ready, () => this.#finish(ready));
  }

  /**
   * Applies the Ready's committed entries (once per Ready), answers their proposals, then calls
   * `next` (at once, or when an asynchronous apply settles).
   */
  #applyThen(ready: Ready, next: () => void): void {
    if (this.#isApplied) {
      next();
      return;
    }
    const done = () => {
      this.#isApplied = true;
      for (const entry of ready.committedEntries) this.#answer(entry);
      next();
    };
    const last = ready.committedEntries[ready.committedEntries.length - 1];
    if (last === undefined || last.index <= this.#appliedThrough) {
      done();
      return;
    }
    const fresh =
      (ready.committedEntries[0] as Entry).index > this.#appliedThrough
        ? ready.committedEntries
        : ready.committedEntries.filter((e) => e.index > this.#appliedThrough);
    let applied: void | PromiseLike<void>;
    try {
      applied = this.#options.apply(fresh);
    } catch (error) {
      this.#fail(error as Error);
      return;
    }
    if (applied === undefined || typeof applied.then !== 'function') {
      done();
      return;
    }
    applied.then(
      () => {
        if (ready !== this.#inflight) return;
        done();
        this.#pump();
      },
      (error: unknown) => {
        if (ready === this.#inflight) this.#fail(error as Error);
      },
    );
  }

  #send(ready: Ready): void {
    if (this.#isSent) return;
    this.#isSent = true;
    for (const m of ready.messages) this.#options.transport.send(m);
  }

  #finish(ready: Ready): void {
    if (this.#stepDown !== null) {
      const { term } = this.#stepDown;
      this.#stepDown = null;
      for (const [index, pending] of this.#pending) {
        this.#pending.delete(index);
        const status = term > pending.term ? ProposeStatus.TERM_CHANGED : ProposeStatus.QUORUM_LOST;
        pending.settle(this.#outcome(status, index, pending.term));
      }
    }
    this.#inflight = null;
    this.#core.advance(ready);
  }

  /** A committed entry was applied here: answer its proposal, if this node accepted it. */
  #answer(entry: Entry): void {
    const pending = this.#pending.get(entry.index);
    if (pending === undefined) return;
    this.#pending.delete(entry.index);
    const status =
      pending.term === entry.term ? ProposeStatus.COMMITTED : ProposeStatus.OVERWRITTEN;
    pending.settle(this.#outcome(status, entry.index, pending.term));
  }

  /** The ackBeforeQuorum bug: answer as soon as the leader's own copy is durable. */
  #ackOwnEntries(ready: Ready): void {
    for (const entry of ready.entries) {
      const pending = this.#pending.get(entry.index);
      if (pending === undefined || pending.term !== entry.term) continue;
      this.#pending.delete(entry.index);
      pending.settle(this.#outcome(ProposeStatus.COMMITTED, entry.index, entry.term));
    }
  }

  #fail(error: Error): void {
    if (this.#isClosed) return;
    this.#failure = error;
    this.close();
    this.#options.onFatal?.(error);
  }

  #settleAll(status: ProposeStatus): void {
    for (const [index, pending] of this.#pending) {
      this.#pending.delete(index);
      pending.settle(this.#outcome(status, index, pending.term));
    }
  }

  #outcome(status: ProposeStatus, index: number, term: number): ProposeOutcome {
    return { status, index, term, leaderId: this.#isClosed ? null : this.leaderId };
  }
}
