// RaftCore: a pure Raft state machine for DLedger mode. Time enters only as tick(), randomness only
// through the injected Prng, storage only through LogStorage (read side); every output (entries to
// persist, hard state, messages, committed entries) leaves through ready(), and the host reports
// back with advance(). No timers, clock, I/O or node:* imports.
//
// Features: randomized election timeouts; pre-vote (a node cut off from the leader asks "would you
// vote for me?" without bumping its term, so rejoining does not depose a healthy leader);
// check-quorum (a leader that has not heard from a quorum for an election timeout steps down, and
// followers that heard from a leader recently ignore vote requests: the leader lease); log
// replication with a bounded in-flight window per follower and term-based fast backtracking; commit
// of current-term entries only, by quorum; leadership transfer, also to DLedger's preferredLeaderId.
//
// Invariants (asserted here, checked again by the simulator): at most one leader per term as seen
// locally; the commit index never decreases and never passes the last index; committed entries are
// never truncated; a leader only ever appends to its log; a vote is granted at most once per term;
// a grant or an append acknowledgement leaves only in a Ready that carries the state it promises.
//
// etcd counterpart: raft.go (raft, stepLeader/stepCandidate/stepFollower) and rawnode.go.
// DLedger counterpart: DLedgerLeaderElector, DLedgerEntryPusher, MemberState.

import { assert } from '../../common/assert.js';
import type { Prng } from '../../common/prng.js';
import {
  CampaignType,
  type Entry,
  EntryType,
  emptyData,
  type HardState,
  isHardStateEqual,
  type Message,
  MessageType,
  message,
  Role,
  type SoftState,
} from './messages.js';
import { Progress, ProgressState } from './progress.js';
import { committedIndex, quorumSize, VoteResult, voteResult } from './quorum.js';
import { type RaftConfig, type ResolvedRaftConfig, resolveRaftConfig } from './raft-config.js';
import { type EntrySliceLimits, RaftLog } from './raft-log.js';
import type { FollowerStatus, ProposeResult, RaftStatus, Ready, TransferResult } from './ready.js';

export class RaftCore {
  readonly #config: ResolvedRaftConfig;
  readonly #id: string;
  readonly #peers: readonly string[];
  readonly #others: readonly string[];
  readonly #prng: Prng;
  readonly #log: RaftLog;
  readonly #appendLimits: EntrySliceLimits;
  readonly #applyLimits: EntrySliceLimits;

  #term: number;
  #vote: string | null;
  #role: Role = Role.FOLLOWER;
  #leaderId: string | null = null;
  /** The leader seen in the current term, kept while pre-campaigning (one leader per term). */
  #termLeaderId: string | null = null;
  #electionElapsed = 0;
  #heartbeatElapsed = 0;
  #preferredElapsed = 0;
  #randomizedElectionTimeout = 0;
  #leadTransferee: string | null = null;

  /** Leader only: one Progress per other peer, and the leader's own durable last index. */
  readonly #progress = new Map<string, Progress>();
  #selfMatch = 0;
  readonly #matchScratch: number[];
  /** Candidate / pre-candidate only: the answers so far. */
  readonly #votes = new Map<string, boolean>();

  #messages: Message[] = [];
  #prevHardState: HardState;
  #prevSoftState: SoftState;
  #readyOutstanding = false;

  constructor(config: RaftConfig) {
    this.#config = resolveRaftConfig(config);
    this.#id = config.id;
    this.#peers = [...config.peers];
    this.#others = this.#peers.filter((peer) => peer !== this.#id);
    this.#prng = config.prng;
    this.#log = new RaftLog(config.storage, this.#config.appliedIndex);
    this.#appendLimits = {
      maxEntries: this.#config.maxEntriesPerAppend,
      maxBytes: this.#config.maxBytesPerAppend,
    };
    this.#applyLimits = {
      maxEntries: this.#config.maxCommittedEntriesPerReady,
      maxBytes: Number.POSITIVE_INFINITY,
    };
    this.#matchScratch = new Array<number>(this.#peers.length).fill(0);
    const hardState = config.storage.hardState();
    assert(hardState.vote === null || this.#peers.includes(hardState.vote), 'raft: unknown vote');
    this.#term = hardState.term;
    this.#vote = hardState.vote;
    this.#prevHardState = hardState;
    this.#becomeFollower(this.#term, null);
    this.#prevSoftState = this.#softState();
  }

  // ---------------------------------------------------------------------------------------------
  // Public API.

  /** Advance logical time by one tick (heartbeats, election timeouts, check-quorum). */
  tick(): void {
    if (this.#role === Role.LEADER) this.#tickLeader();
    else this.#tickElection();
  }

  /** Start an election now (tests, and a host that wants to skip the first timeout). */
  campaign(): void {
    if (this.#role === Role.LEADER) return;
    this.#campaign(this.#config.preVote ? 'pre' : CampaignType.ELECTION);
  }

  /** Append client data to the log if this node is the leader. */
  propose(data: Uint8Array): ProposeResult {
    if (this.#role !== Role.LEADER) return { status: 'NOT_LEADER', leaderId: this.#leaderId };
    if (this.#leadTransferee !== null) return { status: 'LEADER_TRANSFERRING', leaderId: this.#id };
    const uncommitted = this.#log.lastIndex() - this.#log.committed;
    if (uncommitted >= this.#config.maxUncommittedEntries) {
      return { status: 'LEADER_PENDING_FULL', leaderId: this.#id };
    }
    const entry = this.#appendEntry(EntryType.NORMAL, data);
    return { status: 'OK', index: entry.index, term: entry.term };
  }

  /** Hand leadership to `transferee` once its log is caught up (DLedger LEADERSHIP_TRANSFER). */
  transferLeadership(transferee: string): TransferResult {
    if (this.#role !== Role.LEADER) return { status: 'NOT_LEADER', leaderId: this.#leaderId };
    if (transferee === this.#id) return { status: 'ALREADY_LEADER' };
    const progress = this.#progress.get(transferee);
    if (progress === undefined) return { status: 'UNKNOWN_PEER', transferee };
    if (this.#leadTransferee === transferee) return { status: 'STARTED', transferee };
    this.#leadTransferee = transferee;
    this.#electionElapsed = 0;
    if (progress.match === this.#log.lastIndex()) this.#sendTimeoutNow(transferee);
    else this.#sendAppend(transferee, false);
    return { status: 'STARTED', transferee };
  }

  /** Feed one message from a peer. */
  step(m: Message): void {
    assert(m.to === this.#id, 'raft: message for another node');
    assert(m.from !== this.#id, 'raft: message from self');
    assert(this.#peers.includes(m.from), 'raft: message from an unknown peer');
    if (m.term > this.#term) {
      if (!this.#stepHigherTerm(m)) return;
    } else if (m.term < this.#term) {
      this.#stepLowerTerm(m);
      return;
    }
    switch (m.type) {
      case MessageType.PRE_VOTE:
      case MessageType.VOTE:
        this.#handleVoteRequest(m);
        return;
      default:
        if (this.#role === Role.LEADER) this.#stepLeader(m);
        else if (this.#role === Role.FOLLOWER) this.#stepFollower(m);
        else this.#stepCandidate(m);
    }
  }

  /** True when ready() would return a Ready. */
  hasReady(): boolean {
    this.#flushAppends();
    return (
      this.#messages.length > 0 ||
      this.#log.hasUnstableEntries() ||
      this.#log.hasNextCommittedEntries() ||
      !isHardStateEqual(this.#hardState(), this.#prevHardState) ||
      !isSoftStateEqual(this.#softState(), this.#prevSoftState)
    );
  }

  /**
   * The next batch of work for the host, or null when there is none. The host must follow the
   * contract in ready.ts (persist, send, apply, advance) and call advance() before ready() again.
   */
  ready(): Ready | null {
    assert(!this.#readyOutstanding, 'raft: ready() called before advance()');
    this.#flushAppends();
    const hardState = this.#hardState();
    const softState = this.#softState();
    const isHardStateChanged = !isHardStateEqual(hardState, this.#prevHardState);
    const isSoftStateChanged = !isSoftStateEqual(softState, this.#prevSoftState);
    const entries = this.#log.unstableEntries();
    const committedEntries = this.#log.nextCommittedEntries(this.#applyLimits);
    const messages = this.#messages;
    const isEmpty =
      !isHardStateChanged &&
      !isSoftStateChanged &&
      entries.length === 0 &&
      committedEntries.length === 0 &&
      messages.length === 0;
    if (isEmpty) return null;
    const mustSync =
      entries.length > 0 ||
      hardState.term !== this.#prevHardState.term ||
      hardState.vote !== this.#prevHardState.vote;
    this.#messages = [];
    this.#prevHardState = hardState;
    this.#prevSoftState = softState;
    this.#readyOutstanding = true;
    return {
      hardState: isHardStateChanged ? hardState : null,
      softState: isSoftStateChanged ? softState : null,
      entries,
      committedEntries,
      messages,
      mustSync,
    };
  }

  /** The host has persisted, sent and applied `ready`. */
  advance(ready: Ready): void {
    assert(this.#readyOutstanding, 'raft: advance() without an outstanding Ready');
    this.#readyOutstanding = false;
    if (ready.entries.length > 0) {
      this.#log.stableTo(ready.entries);
      if (this.#role === Role.LEADER) this.#selfAcknowledge();
    }
    const lastApplied = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastApplied !== undefined) this.#log.appliedTo(lastApplied.index);
  }

  inspect(): RaftStatus {
    return {
      id: this.#id,
      role: this.#role,
      term: this.#term,
      vote: this.#vote,
      leaderId: this.#leaderId,
      commitIndex: this.#log.committed,
      appliedIndex: this.#log.applied,
      lastIndex: this.#log.lastIndex(),
      lastTerm: this.#log.lastTerm(),
      leadTransferee: this.#leadTransferee,
    };
  }

  /** The leader's view of its followers (empty when not leader). */
  followers(): FollowerStatus[] {
    return [...this.#progress].map(([id, p]) => ({
      id,
      match: p.match,
      next: p.next,
      state: p.state,
      recentActive: p.recentActive,
      inflightCount: p.inflights.count,
    }));
  }

  /** Term of the entry at `index` in this node's log (durable or not), or null. */
  termAt(index: number): number | null {
    return this.#log.term(index);
  }

  get id(): string {
    return this.#id;
  }

  get role(): Role {
    return this.#role;
  }

  get term(): number {
    return this.#term;
  }

  get commitIndex(): number {
    return this.#log.committed;
  }

  // ---------------------------------------------------------------------------------------------
  // Role transitions.

  #reset(term: number): void {
    if (term !== this.#term) {
      assert(term > this.#term, 'raft: term goes backwards');
      this.#term = term;
      this.#vote = null;
      this.#termLeaderId = null;
    }
    this.#leaderId = null;
    this.#electionElapsed = 0;
    this.#heartbeatElapsed = 0;
    this.#preferredElapsed = 0;
    this.#randomizedElectionTimeout =
      this.#config.electionTicks + this.#prng.int(0, this.#config.electionTicks - 1);
    this.#leadTransferee = null;
    this.#votes.clear();
    this.#progress.clear();
  }

  #becomeFollower(term: number, leaderId: string | null): void {
    this.#reset(term);
    this.#role = Role.FOLLOWER;
    if (leaderId !== null) this.#setLeader(leaderId);
  }

  #becomePreCandidate(): void {
    assert(this.#role !== Role.LEADER, 'raft: leader cannot become pre-candidate');
    this.#votes.clear();
    this.#leaderId = null;
    this.#role = Role.PRE_CANDIDATE;
  }

  #becomeCandidate(): void {
    assert(this.#role !== Role.LEADER, 'raft: leader cannot become candidate');
    this.#reset(this.#term + 1);
    this.#vote = this.#id;
    this.#role = Role.CANDIDATE;
  }

  #becomeLeader(): void {
    assert(this.#role === Role.CANDIDATE, 'raft: only a candidate becomes leader');
    assert(this.#vote === this.#id, 'raft: a leader voted for itself');
    this.#reset(this.#term);
    assert(this.#termLeaderId === null, 'raft: a leader was already seen in this term');
    this.#role = Role.LEADER;
    this.#leaderId = this.#id;
    this.#termLeaderId = this.#id;
    const next = this.#log.lastIndex() + 1;
    for (const peer of this.#others) {
      this.#progress.set(peer, new Progress(next, this.#config.maxInflightAppends));
    }
    this.#selfMatch = this.#log.stableLastIndex();
    assert(this.#log.lastTerm() < this.#term, 'raft: new leader holds entries of its own term');
    // An entry of the new term: committing it commits every earlier entry (paper 5.4.2).
    this.#appendEntry(EntryType.NOOP, emptyData());
  }

  // ---------------------------------------------------------------------------------------------
  // Ticks and elections.

  #tickElection(): void {
    this.#electionElapsed++;
    if (this.#electionElapsed >= this.#randomizedElectionTimeout) {
      this.#electionElapsed = 0;
      this.#campaign(this.#config.preVote ? 'pre' : CampaignType.ELECTION);
    }
  }

  #tickLeader(): void {
    this.#heartbeatElapsed++;
    this.#electionElapsed++;
    // Before check-quorum clears the recentActive marks it relies on.
    this.#tickPreferredLeader();
    if (this.#electionElapsed >= this.#config.electionTicks) {
      this.#electionElapsed = 0;
      if (this.#config.checkQuorum && !this.#isQuorumActive()) {
        this.#becomeFollower(this.#term, null);
        return;
      }
      // A transfer that did not finish within an election timeout is abandoned.
      this.#leadTransferee = null;
    }
    if (this.#heartbeatElapsed >= this.#config.heartbeatTicks) {
      this.#heartbeatElapsed = 0;
      for (const peer of this.#others) this.#sendHeartbeat(peer);
    }
  }

  /** DLedger's preferredLeaderId: hand over to the preferred node once it is caught up. */
  #tickPreferredLeader(): void {
    const preferred = this.#config.preferredLeaderId;
    if (preferred === null || preferred === this.#id || this.#leadTransferee !== null) return;
    this.#preferredElapsed++;
    if (this.#preferredElapsed < this.#config.preferredLeaderCheckTicks) return;
    this.#preferredElapsed = 0;
    const progress = this.#progress.get(preferred);
    assert(progress !== undefined, 'raft: preferred leader has no progress');
    const lag = this.#log.lastIndex() - progress.match;
    if (progress.recentActive && lag <= this.#config.preferredLeaderMaxLagEntries) {
      this.transferLeadership(preferred);
    }
  }

  /** Check-quorum: did a quorum (self included) talk to us since the last check? Resets the marks. */
  #isQuorumActive(): boolean {
    let active = 1;
    for (const progress of this.#progress.values()) {
      if (progress.recentActive) active++;
      progress.recentActive = false;
    }
    return active >= quorumSize(this.#peers.length);
  }

  #campaign(type: 'pre' | CampaignType): void {
    let voteType: MessageType;
    let voteTerm: number;
    if (type === 'pre') {
      this.#becomePreCandidate();
      voteType = MessageType.PRE_VOTE;
      voteTerm = this.#term + 1;
    } else {
      this.#becomeCandidate();
      voteType = MessageType.VOTE;
      voteTerm = this.#term;
    }
    if (this.#poll(this.#id, true) === VoteResult.WON) {
      this.#onElectionWon();
      return;
    }
    const lastIndex = this.#log.lastIndex();
    const lastTerm = this.#log.lastTerm();
    const campaign = type === CampaignType.TRANSFER ? CampaignType.TRANSFER : CampaignType.ELECTION;
    for (const peer of this.#others) {
      this.#send(
        message({
          type: voteType,
          from: this.#id,
          to: peer,
          term: voteTerm,
          index: lastIndex,
          logTerm: lastTerm,
          campaign,
        }),
      );
    }
  }

  #poll(from: string, isGranted: boolean): VoteResult {
    if (!this.#votes.has(from)) this.#votes.set(from, isGranted);
    let granted = 0;
    for (const vote of this.#votes.values()) if (vote) granted++;
    return voteResult(this.#peers.length, granted, this.#votes.size - granted);
  }

  #onElectionWon(): void {
    if (this.#role === Role.PRE_CANDIDATE) this.#campaign(CampaignType.ELECTION);
    else this.#becomeLeader();
  }

  // ---------------------------------------------------------------------------------------------
  // Step.

  /** A message from a later term. Returns false when the message is to be ignored. */
  #stepHigherTerm(m: Message): boolean {
    if (m.type === MessageType.PRE_VOTE || m.type === MessageType.VOTE) {
      const isForced = m.campaign === CampaignType.TRANSFER;
      const isInLease =
        this.#config.checkQuorum &&
        this.#leaderId !== null &&
        this.#electionElapsed < this.#config.electionTicks;
      // Leader lease: we heard from a live leader within an election timeout, so a candidate
      // (typically a node that was cut off and rejoins) must not disturb it.
      if (isInLease && !isForced) return false;
    }
    if (m.type === MessageType.PRE_VOTE) return true;
    if (m.type === MessageType.PRE_VOTE_RESP && !m.reject) return true;
    const isFromLeader = m.type === MessageType.APP || m.type === MessageType.HEARTBEAT;
    const electionElapsed = this.#electionElapsed;
    this.#becomeFollower(m.term, isFromLeader ? m.from : null);
    // Only a granted vote resets the election timer (Raft figure 2). A candidate with a stale log
    // that keeps bumping the term must not keep the nodes that could win from ever timing out.
    if (m.type === MessageType.VOTE) this.#electionElapsed = electionElapsed;
    return true;
  }

  /** A message from an earlier term: tell stale leaders and pre-candidates about our term. */
  #stepLowerTerm(m: Message): void {
    const isFromLeader = m.type === MessageType.APP || m.type === MessageType.HEARTBEAT;
    if (isFromLeader && (this.#config.checkQuorum || this.#config.preVote)) {
      // Without this, a leader cut off by a partition would never learn the new term when its
      // heartbeats are answered only by nodes that ignore it (pre-vote keeps their terms low).
      this.#send(
        message({ type: MessageType.APP_RESP, from: this.#id, to: m.from, term: this.#term }),
      );
    } else if (m.type === MessageType.PRE_VOTE) {
      this.#send(
        message({
          type: MessageType.PRE_VOTE_RESP,
          from: this.#id,
          to: m.from,
          term: this.#term,
          reject: true,
        }),
      );
    }
  }

  #handleVoteRequest(m: Message): void {
    const isPreVote = m.type === MessageType.PRE_VOTE;
    const canVote =
      this.#vote === m.from ||
      (this.#vote === null && this.#leaderId === null) ||
      (isPreVote && m.term > this.#term);
    const isLogOk =
      this.#config.bugs.grantVoteToStaleLog === true || this.#log.isUpToDate(m.index, m.logTerm);
    const responseType = isPreVote ? MessageType.PRE_VOTE_RESP : MessageType.VOTE_RESP;
    if (canVote && isLogOk) {
      this.#send(
        message({ type: responseType, from: this.#id, to: m.from, term: m.term, reject: false }),
      );
      if (!isPreVote) {
        this.#electionElapsed = 0;
        this.#vote = m.from;
      }
      return;
    }
    this.#send(
      message({ type: responseType, from: this.#id, to: m.from, term: this.#term, reject: true }),
    );
  }

  #stepFollower(m: Message): void {
    switch (m.type) {
      case MessageType.APP:
        this.#electionElapsed = 0;
        this.#setLeader(m.from);
        this.#handleAppend(m);
        return;
      case MessageType.HEARTBEAT:
        this.#electionElapsed = 0;
        this.#setLeader(m.from);
        this.#handleHeartbeat(m);
        return;
      case MessageType.TIMEOUT_NOW:
        this.#campaign(CampaignType.TRANSFER);
        return;
      default:
        // Late answers to a campaign or to an earlier leadership of ours in this term.
        return;
    }
  }

  #stepCandidate(m: Message): void {
    switch (m.type) {
      case MessageType.APP:
        this.#becomeFollower(m.term, m.from);
        this.#handleAppend(m);
        return;
      case MessageType.HEARTBEAT:
        this.#becomeFollower(m.term, m.from);
        this.#handleHeartbeat(m);
        return;
      case MessageType.PRE_VOTE_RESP:
      case MessageType.VOTE_RESP: {
        const expected =
          this.#role === Role.PRE_CANDIDATE ? MessageType.PRE_VOTE_RESP : MessageType.VOTE_RESP;
        if (m.type !== expected) return;
        const result = this.#poll(m.from, !m.reject);
        if (result === VoteResult.WON) this.#onElectionWon();
        else if (result === VoteResult.LOST) this.#becomeFollower(this.#term, null);
        return;
      }
      default:
        return;
    }
  }

  #stepLeader(m: Message): void {
    switch (m.type) {
      case MessageType.APP:
      case MessageType.HEARTBEAT:
        assert(false, 'raft: two leaders in one term');
        return;
      case MessageType.APP_RESP:
        this.#handleAppendResponse(m);
        return;
      case MessageType.HEARTBEAT_RESP:
        this.#handleHeartbeatResponse(m);
        return;
      default:
        return;
    }
  }

  #setLeader(from: string): void {
    assert(this.#leaderId === null || this.#leaderId === from, 'raft: two leaders in one term');
    assert(
      this.#termLeaderId === null || this.#termLeaderId === from,
      'raft: two leaders in one term',
    );
    this.#leaderId = from;
    this.#termLeaderId = from;
  }

  // ---------------------------------------------------------------------------------------------
  // Replication, follower side.

  #handleAppend(m: Message): void {
    const committed = this.#log.committed;
    if (m.index < committed) {
      // Everything up to our commit index matches the leader's log already.
      this.#sendAppendResponse(m.from, committed, false, 0, 0);
      return;
    }
    const lastNewIndex = this.#log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNewIndex >= 0) {
      this.#sendAppendResponse(m.from, lastNewIndex, false, 0, 0);
      return;
    }
    // Fast backtracking: point the leader at the last entry whose term is <= the term it probed
    // with, so it skips a whole divergent term per round trip (etcd findConflictByTerm).
    const hintIndex = Math.min(m.index, this.#log.lastIndex());
    const hint = this.#log.findConflictByTerm(hintIndex, m.logTerm);
    this.#sendAppendResponse(m.from, m.index, true, hint.index, hint.term);
  }

  #sendAppendResponse(
    to: string,
    index: number,
    reject: boolean,
    rejectHint: number,
    hintTerm: number,
  ): void {
    this.#send(
      message({
        type: MessageType.APP_RESP,
        from: this.#id,
        to,
        term: this.#term,
        index,
        reject,
        rejectHint,
        logTerm: hintTerm,
      }),
    );
  }

  #handleHeartbeat(m: Message): void {
    this.#log.commitTo(m.commit);
    this.#send(
      message({ type: MessageType.HEARTBEAT_RESP, from: this.#id, to: m.from, term: this.#term }),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Replication, leader side.

  #appendEntry(type: EntryType, data: Uint8Array): Entry {
    assert(this.#role === Role.LEADER, 'raft: only the leader appends');
    const entry: Entry = { index: this.#log.lastIndex() + 1, term: this.#term, type, data };
    this.#log.append([entry]);
    return entry;
  }

  #handleAppendResponse(m: Message): void {
    const progress = this.#progress.get(m.from);
    assert(progress !== undefined, 'raft: append response from a non-peer');
    progress.recentActive = true;
    if (m.reject) {
      let probeIndex = m.rejectHint;
      if (m.logTerm > 0) probeIndex = this.#log.findConflictByTerm(m.rejectHint, m.logTerm).index;
      if (progress.maybeDecreaseTo(m.index, probeIndex)) this.#sendAppend(m.from, false);
      return;
    }
    if (!progress.maybeUpdate(m.index)) return;
    if (progress.state === ProgressState.PROBE) progress.becomeReplicate();
    else progress.inflights.freeLE(m.index);
    // A new commit index, and the entries the window now admits, go out with the next Ready
    // (#flushAppends), batched with whatever else arrives before it.
    this.#maybeCommit();
    if (m.from === this.#leadTransferee && progress.match === this.#log.lastIndex()) {
      this.#sendTimeoutNow(m.from);
    }
  }

  #handleHeartbeatResponse(m: Message): void {
    const progress = this.#progress.get(m.from);
    assert(progress !== undefined, 'raft: heartbeat response from a non-peer');
    progress.recentActive = true;
    progress.probeSent = false;
    const isStalled = progress.match === progress.matchAtHeartbeat;
    progress.matchAtHeartbeat = progress.match;
    if (progress.state === ProgressState.REPLICATE && progress.inflights.count > 0 && isStalled) {
      // Appends in the window may have been lost (no progress for a heartbeat round): an empty
      // append at `next` is either acknowledged (freeing the window) or rejected with a hint
      // (falling back to probing from where the follower really is).
      this.#sendAppendMessage(m.from, progress, []);
    } else if (progress.match < this.#log.lastIndex()) {
      this.#sendAppend(m.from, false);
    }
  }

  /**
   * Send one append to `to` if its flow control allows and it carries something: entries, a
   * higher commit index, or (`sendIfEmpty`) a probe. Returns whether one was sent.
   */
  #sendAppend(to: string, sendIfEmpty: boolean): boolean {
    const progress = this.#progress.get(to);
    assert(progress !== undefined, 'raft: append to a non-peer');
    if (progress.isPaused()) return false;
    const lastIndex = this.#log.lastIndex();
    const entries = this.#log.slice(progress.next, lastIndex + 1, this.#appendLimits);
    const isUseful =
      entries.length > 0 || sendIfEmpty || progress.canBumpCommit(this.#log.committed);
    if (!isUseful) return false;
    this.#sendAppendMessage(to, progress, entries);
    return true;
  }

  #sendAppendMessage(to: string, progress: Progress, entries: readonly Entry[]): void {
    const prevIndex = progress.next - 1;
    const prevTerm = this.#log.term(prevIndex);
    assert(prevTerm !== null, 'raft: previous entry missing (compaction is not supported)');
    this.#send(
      message({
        type: MessageType.APP,
        from: this.#id,
        to,
        term: this.#term,
        index: prevIndex,
        logTerm: prevTerm,
        entries,
        commit: this.#log.committed,
      }),
    );
    const last = entries[entries.length - 1];
    const lastIndex = last === undefined ? prevIndex : last.index;
    progress.sentEntries(entries.length, lastIndex);
    // The follower commits min(leader commit, last index of this append).
    const toldCommit = Math.min(this.#log.committed, lastIndex);
    if (toldCommit > progress.sentCommit) progress.sentCommit = toldCommit;
  }

  #sendHeartbeat(to: string): void {
    const progress = this.#progress.get(to);
    assert(progress !== undefined, 'raft: heartbeat to a non-peer');
    // Never tell a follower to commit past what it is known to hold.
    const commit = Math.min(progress.match, this.#log.committed);
    if (commit > progress.sentCommit) progress.sentCommit = commit;
    this.#send(
      message({ type: MessageType.HEARTBEAT, from: this.#id, to, term: this.#term, commit }),
    );
  }

  #sendTimeoutNow(to: string): void {
    this.#send(message({ type: MessageType.TIMEOUT_NOW, from: this.#id, to, term: this.#term }));
  }

  /**
   * Leader: send what flow control allows to every follower: new entries and commit indexes.
   * Called when a Ready is built, so proposals and acknowledgements between two Ready batches
   * go out as one append per follower.
   */
  #flushAppends(): void {
    if (this.#role !== Role.LEADER) return;
    for (const peer of this.#others) {
      let isSent = this.#sendAppend(peer, false);
      const progress = this.#progress.get(peer) as Progress;
      // In REPLICATE state keep streaming until the window is full or the follower has it all.
      while (isSent && progress.state === ProgressState.REPLICATE) {
        isSent = this.#sendAppend(peer, false);
      }
    }
  }

  /** The leader's own entries became durable (advance): count them towards the quorum. */
  #selfAcknowledge(): void {
    const stableLastIndex = this.#log.stableLastIndex();
    if (stableLastIndex > this.#selfMatch) this.#selfMatch = stableLastIndex;
    this.#maybeCommit();
  }

  /** Commit the largest index stored on a quorum, if it is of the current term (paper 5.4.2). */
  #maybeCommit(): boolean {
    const matches = this.#matchScratch;
    matches[0] = this.#selfMatch;
    let i = 1;
    for (const progress of this.#progress.values()) matches[i++] = progress.match;
    let index = committedIndex(matches);
    if (this.#config.bugs.quorumOneShort === true) {
      const position = Math.max(0, quorumSize(matches.length) - 2);
      index = matches[position] as number;
    }
    if (index <= this.#log.committed) return false;
    if (this.#log.term(index) !== this.#term) return false;
    this.#log.commitTo(index);
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Outputs.

  #send(m: Message): void {
    this.#messages.push(m);
  }

  #hardState(): HardState {
    const prev = this.#prevHardState;
    const commit = this.#log.committed;
    if (prev.term === this.#term && prev.vote === this.#vote && prev.commit === commit) return prev;
    return { term: this.#term, vote: this.#vote, commit };
  }

  #softState(): SoftState {
    return { role: this.#role, leaderId: this.#leaderId, term: this.#term };
  }
}

function isSoftStateEqual(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leaderId === b.leaderId && a.term === b.term;
}
