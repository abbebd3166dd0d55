// The seeded Raft simulator: 3 or 5 nodes, each the shipped RaftHost of ha/dledger/ (the same code
// the broker runs: persist, send, apply, advance around a real RaftCore) with its storage, transport
// and scheduler injected here, over a simulated network (delay, loss, duplication, reordering,
// partitions) and simulated disks (a crash keeps only what was persisted, and may tear the write
// in flight), with crashes, restarts, pauses, leadership transfers and client proposals. One seed
// drives everything, so a failing seed replays exactly.
//
// A run has two phases (TigerBeetle's safety and liveness modes in one schedule):
//   fault phase   faults arrive at random for a few tens of seconds of simulated time, while the
//                 safety checkers (checker.ts) run after every event;
//   heal phase    every link heals, loss stops, a majority "core" is running; a leader must appear
//                 and a new proposal must be applied on every running node within fixed bounds.
// The `leader-crash` scenario instead measures how long a healthy cluster takes to replace a
// crashed leader (the election figures in docs/raft.md).

import { AssertionError, assert } from '../../../common/assert.js';
import { createPrng, type Prng } from '../../../common/prng.js';
import type { ProposeOutcome } from '../../../ha/dledger/host-types.js';
import { RaftHost } from '../../../ha/dledger/raft-host.js';
import { type Entry, type Message, MessageType, Role } from '../../../ha/raft/messages.js';
import { SafetyChecker, SafetyViolation } from './checker.js';
import { EventQueue } from './event-queue.js';
import { mix } from './hash.js';
import { SimAppliedStore, StoreChecker } from './sim-applied-store.js';
import { SimDisk } from './sim-disk.js';
import { SimFileIO } from './sim-file-io.js';
import { SimLogStore } from './sim-log-store.js';
import { SimNetwork } from './sim-network.js';
import {
  drawNetwork,
  drawParams,
  hostBugsFor,
  type Params,
  payload,
  raftBugsFor,
  range,
  SimBug,
  shuffle,
} from './sim-params.js';

export const TICK_MS = 100;
export const ELECTION_TICKS = 10;
export const HEARTBEAT_TICKS = 2;

export { SimBug };

export type SimScenario = 'faults' | 'leader-crash';

export interface SimOptions {
  readonly seed: number;
  /** Forced cluster size; otherwise the seed picks 3 (70%) or 5 nodes. */
  readonly nodeCount?: 3 | 5;
  readonly scenario?: SimScenario;
  readonly bug?: SimBug;
  /** Receives one readable line per event when set. */
  readonly trace?: (line: string) => void;
  /** Upper bound on events, a guard against a run that never ends. */
  readonly maxEvents?: number;
  /** D5 (durable on a quorum at the moment of the ack) is on unless set to false. */
  readonly checkDurabilityAtAck?: boolean;
  /**
   * Store simulation: the Raft log is the shipped FileLogStore over a SimFileIO, committed entries
   * are applied to each node's SimAppliedStore (durable up to its last flush, given back to the
   * restarted host as appliedIndex), and the checkers S1-S2 and F1 run beside D1-D6. Shorter fault
   * phases, so 500 seeds stay cheap.
   */
  readonly store?: boolean;
}

export interface SimStats {
  seed: number;
  nodeCount: number;
  scenario: SimScenario;
  simTimeMs: number;
  events: number;
  proposals: number;
  acked: number;
  committed: number;
  leaderTerms: number;
  faults: Record<string, number>;
  /** Heal phase: ticks from the heal to a leader every running node follows. */
  healToLeaderTicks: number;
  /** Heal phase: ticks from that leader to a new proposal acknowledged, and applied everywhere. */
  leaderToAckTicks: number;
  leaderToAppliedTicks: number;
  /** leader-crash scenario: ms from the crash to a new leader, and to its first commit. */
  crashToLeaderMs: number;
  crashToCommitMs: number;
}

export interface SimResult {
  readonly ok: boolean;
  readonly violation: string | null;
  readonly stats: SimStats;
  /** Running hash over every event (determinism check). */
  readonly eventHash: number;
}

/** Liveness bounds (docs/testing.md D8): 20 x the largest randomized election timeout, etc. */
export const LIVENESS_LEADER_BOUND_TICKS = 20 * (2 * ELECTION_TICKS - 1);
export const LIVENESS_ACK_BOUND_TICKS = 200;
export const LIVENESS_APPLY_BOUND_TICKS = 500;

const EventKind = {
  TICK: 1,
  DELIVER: 2,
  DISK: 3,
  FAULT: 4,
  HEAL_LINKS: 5,
  RESTART: 6,
  PROPOSE: 7,
  HEAL_ALL: 8,
  LIVENESS: 9,
  CRASH_LEADER: 10,
} as const;
type EventKind = (typeof EventKind)[keyof typeof EventKind];

interface SimEvent {
  readonly at: number;
  readonly seq: number;
  readonly kind: EventKind;
  readonly node: number;
  /** Incarnation of the node (ticks, disk), or generation (link heals). */
  readonly token: number;
  readonly message: Message | null;
}

class SimNode {
  readonly index: number;
  readonly id: string;
  readonly disk = new SimDisk();
  /** The store simulation's state machine; like the disk, it outlives crashes (its flushed part). */
  readonly appliedStore = new SimAppliedStore();
  /** Store simulation: the simulated file system under the node's FileLogStore. */
  readonly fileIO = new SimFileIO();
  /** The shipped host of this incarnation, over `store`; null while the node is down. */
  core: RaftHost | null = null;
  store: SimLogStore | null = null;
  /** The host's tick task, handed over through the injected scheduler. */
  tickTask: (() => void) | null = null;
  incarnation = 0;
  pausedUntilMs = 0;
  /** Tick interval of this incarnation: clocks drift by up to +-10%. */
  tickMs = TICK_MS;
  diskStallUntilMs = 0;
  appliedIndex = 0;
  restartToken = 0;

  constructor(index: number) {
    this.index = index;
    this.id = `n${index}`;
  }
}

export function runSimulation(options: SimOptions): SimResult {
  return new Simulation(options).run();
}

export class Simulation {
  readonly #options: SimOptions;
  readonly #scenario: SimScenario;
  readonly #params: Params;
  readonly #ids: string[];
  readonly #nodes: SimNode[];
  readonly #network: SimNetwork;
  readonly #checker: SafetyChecker;
  readonly #storeChecker: StoreChecker | null;
  readonly #queue = new EventQueue<SimEvent>();
  readonly #prngFaults: Prng;
  readonly #prngDisk: Prng;
  readonly #prngClient: Prng;
  readonly #prngNodes: Prng;
  readonly #trace: ((line: string) => void) | undefined;
  readonly #stats: SimStats;
  #now = 0;
  #seq = 0;
  #hash = 0;
  #events = 0;
  #nextProposalId = 1;
  #believedLeader = 0;
  #linkGeneration = 0;
  #isHealed = false;
  #healAtMs = 0;
  #leaderFoundAtMs = -1;
  #probe: { proposalId: number; proposedAtMs: number } | null = null;
  #probeAcked = false;
  #isDone = false;
  #crashedLeader: { node: number; term: number; atMs: number } | null = null;

  constructor(options: SimOptions) {
    this.#options = options;
    this.#scenario = options.scenario ?? 'faults';
    this.#trace = options.trace;
    const prng = createPrng(options.seed);
    this.#params = drawParams(prng, options, this.#scenario);
    this.#ids = Array.from({ length: this.#params.nodeCount }, (_, i) => `n${i}`);
    this.#nodes = this.#ids.map((_, i) => new SimNode(i));
    this.#network = new SimNetwork(
      this.#params.nodeCount,
      prng.fork(),
      drawNetwork(prng, this.#scenario),
    );
    this.#prngFaults = prng.fork();
    this.#prngDisk = prng.fork();
    this.#prngClient = prng.fork();
    this.#prngNodes = prng.fork();
    this.#checker = new SafetyChecker(this.#ids, options.checkDurabilityAtAck ?? true);
    this.#storeChecker = options.store === true ? new StoreChecker(this.#ids) : null;
    this.#stats = {
      seed: options.seed,
      nodeCount: this.#params.nodeCount,
      scenario: this.#scenario,
      simTimeMs: 0,
      events: 0,
      proposals: 0,
      acked: 0,
      committed: 0,
      leaderTerms: 0,
      faults: {},
      healToLeaderTicks: -1,
      leaderToAckTicks: -1,
      leaderToAppliedTicks: -1,
      crashToLeaderMs: -1,
      crashToCommitMs: -1,
    };
  }

  run(): SimResult {
    let violationText: string | null = null;
    try {
      this.#start();
      this.#loop();
      if (!this.#isDone) throw new SafetyViolation('SIM: the event queue ran dry before the end');
      this.#finalCheck();
    } catch (error) {
      if (error instanceof SafetyViolation) violationText = error.message;
      else if (error instanceof AssertionError) violationText = `ASSERT: ${error.message}`;
      else throw error;
      this.#log(`VIOLATION ${violationText}`);
    }
    this.#stats.simTimeMs = Math.round(this.#now);
    this.#stats.events = this.#events;
    this.#stats.acked = this.#checker.ackedCount;
    this.#stats.committed = this.#checker.maxCommitted;
    this.#stats.leaderTerms = this.#checker.leaderTerms;
    return {
      ok: violationText === null,
      violation: violationText,
      stats: this.#stats,
      eventHash: this.#hash,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Scheduling and the event loop.

  #schedule(at: number, kind: EventKind, node: number, token = 0, m: Message | null = null): void {
    this.#queue.push({ at, seq: this.#seq++, kind, node, token, message: m });
  }

  #start(): void {
    const p = this.#params;
    this.#log(
      `start ${p.nodeCount} nodes, scenario ${this.#scenario}, net ${JSON.stringify(this.#network.params)}, preferred ${p.preferredLeaderId ?? 'none'}`,
    );
    for (const node of this.#nodes) this.#startNode(node);
    if (this.#scenario === 'faults') {
      this.#schedule(this.#expDelay(this.#prngFaults, p.faultMeanIntervalMs), EventKind.FAULT, 0);
      this.#schedule(p.faultPhaseMs, EventKind.HEAL_ALL, 0);
    } else {
      this.#schedule(p.faultPhaseMs, EventKind.CRASH_LEADER, 0);
    }
    this.#schedule(
      this.#expDelay(this.#prngClient, p.proposalMeanIntervalMs),
      EventKind.PROPOSE,
      0,
    );
  }

  #loop(): void {
    const maxEvents = this.#options.maxEvents ?? 5_000_000;
    while (!this.#isDone) {
      const event = this.#queue.pop();
      if (event === undefined) return;
      this.#now = event.at;
      this.#events++;
      if (this.#events > maxEvents) throw new SafetyViolation('SIM: event budget exhausted');
      this.#hash = mix(mix(mix(this.#hash, event.kind), event.node), Math.round(event.at * 1000));
      this.#dispatch(event);
    }
  }

  #dispatch(event: SimEvent): void {
    switch (event.kind) {
      case EventKind.TICK:
        this.#onTick(event);
        return;
      case EventKind.DELIVER:
        this.#onDeliver(event);
        return;
      case EventKind.DISK:
        this.#onDisk(event);
        return;
      case EventKind.FAULT:
        this.#onFault();
        return;
      case EventKind.HEAL_LINKS:
        if (event.token === this.#linkGeneration) {
          this.#network.healAll();
          this.#log('heal links');
        }
        return;
      case EventKind.RESTART:
        this.#onRestart(event);
        return;
      case EventKind.PROPOSE:
        this.#onPropose();
        return;
      case EventKind.HEAL_ALL:
        this.#onHealAll();
        return;
      case EventKind.LIVENESS:
        this.#onLiveness();
        return;
      case EventKind.CRASH_LEADER:
        this.#onCrashLeader();
        return;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Node life cycle and the host contract.

  #startNode(node: SimNode): void {
    node.incarnation++;
    const incarnation = node.incarnation;
    const store = new SimLogStore(
      node.disk,
      {
        onWriteStarted: (sync) => this.#startWrite(node, incarnation, sync),
        onPersisted: (entries, before) =>
          this.#checker.onPersist(node.index, node.disk, entries, before),
      },
      this.#storeChecker === null ? null : node.fileIO,
      this.#options.bug === SimBug.SKIP_LOG_SYNC,
    );
    node.store = store;
    node.appliedIndex = this.#storeChecker === null ? 0 : node.appliedStore.durableIndex;
    node.pausedUntilMs = 0;
    const prng = this.#prngNodes.fork();
    node.tickMs =
      this.#scenario === 'faults' ? TICK_MS * (0.9 + this.#prngNodes.next() * 0.2) : TICK_MS;
    const phase = this.#prngNodes.next() * node.tickMs;
    node.core = new RaftHost({
      id: node.id,
      peers: this.#ids,
      storage: store,
      transport: { send: (m) => this.#sendOne(m) },
      scheduler: {
        repeat: (intervalMs, task) => {
          node.tickTask = task;
          this.#schedule(this.#now + phase, EventKind.TICK, node.index, incarnation);
          assert(intervalMs === node.tickMs, 'sim: tick interval');
          return () => {
            if (node.incarnation === incarnation) node.tickTask = null;
          };
        },
      },
      prng,
      tickMs: node.tickMs,
      apply: (entries) => this.#apply(node, entries),
      raft: {
        electionTicks: ELECTION_TICKS,
        heartbeatTicks: HEARTBEAT_TICKS,
        maxInflightAppends: this.#params.maxInflightAppends,
        maxEntriesPerAppend: this.#params.maxEntriesPerAppend,
        maxUncommittedEntries: this.#params.maxUncommittedEntries,
        preVote: this.#params.preVote,
        checkQuorum: this.#params.checkQuorum,
        appliedIndex: node.appliedIndex,
        ...(this.#params.preferredLeaderId === null
          ? {}
          : { preferredLeaderId: this.#params.preferredLeaderId }),
      },
      raftBugs: raftBugsFor(this.#options.bug),
      bugs: hostBugsFor(this.#options.bug),
      ...(this.#trace === undefined
        ? {}
        : {
            onRoleChange: (role, term, leaderId) =>
              this.#log(`${node.id} is ${role} in term ${term}, leader ${leaderId ?? 'none'}`),
          }),
    });
    this.#checker.onStart(node.index, node.core);
    node.core.start();
  }

  #crash(node: SimNode, reason: string): void {
    const host = node.core;
    if (host === null) return;
    const torn = (node.store as SimLogStore).crash(this.#prngDisk, this.#params.tornWriteRate);
    node.core = null;
    node.store = null;
    node.tickTask = null;
    node.incarnation++;
    if (this.#storeChecker !== null) node.appliedStore.crash();
    host.close();
    this.#log(`CRASH ${node.id} (${reason}${torn})`);
  }

  #onTick(event: SimEvent): void {
    const node = this.#nodes[event.node] as SimNode;
    if (node.core === null || event.token !== node.incarnation) return;
    this.#schedule(this.#now + node.tickMs, EventKind.TICK, node.index, node.incarnation);
    if (this.#now < node.pausedUntilMs) return;
    node.tickTask?.();
    this.#afterInput(node);
  }

  #onDeliver(event: SimEvent): void {
    const m = event.message as Message;
    const node = this.#nodes[event.node] as SimNode;
    const from = this.#ids.indexOf(m.from);
    if (node.core === null || this.#network.isBlocked(from, node.index)) {
      if (this.#trace !== undefined) this.#log(`drop ${describeMessage(m)}`);
      return;
    }
    if (this.#now < node.pausedUntilMs) {
      this.#schedule(node.pausedUntilMs, EventKind.DELIVER, node.index, 0, m);
      return;
    }
    this.#hash = mix(mix(mix(this.#hash, m.term), m.index), m.entries.length);
    if (this.#trace !== undefined) this.#log(`recv ${describeMessage(m)}`);
    node.core.deliver(m);
    this.#afterInput(node);
  }

  #afterInput(node: SimNode): void {
    if (node.core !== null) this.#checker.afterEvent(node.index, node.core);
    this.#storeChecker?.afterEvent(node.index, node.appliedStore);
  }

  /** The host started a write: it lands after the disk's latency (or a stall). */
  #startWrite(node: SimNode, incarnation: number, sync: boolean): void {
    if (this.#options.bug === SimBug.ACK_BEFORE_PERSIST)
      this.#log(`${node.id} sends before persisting`);
    const [fsyncMin, fsyncMax] = this.#params.fsyncMs;
    const latency = sync
      ? fsyncMin + this.#prngDisk.next() * (fsyncMax - fsyncMin)
      : this.#params.writeMs;
    const doneAt = Math.max(this.#now + latency, node.diskStallUntilMs);
    this.#schedule(doneAt, EventKind.DISK, node.index, incarnation);
  }

  #onDisk(event: SimEvent): void {
    const node = this.#nodes[event.node] as SimNode;
    if (node.core === null || event.token !== node.incarnation) return;
    if (this.#now < node.pausedUntilMs) {
      this.#schedule(node.pausedUntilMs, EventKind.DISK, node.index, node.incarnation);
      return;
    }
    (node.store as SimLogStore).completeWrite();
    this.#afterInput(node);
  }

  #sendOne(m: Message): void {
    const from = this.#ids.indexOf(m.from);
    const to = this.#ids.indexOf(m.to);
    for (const at of this.#network.arrivalTimes(from, to, this.#now)) {
      this.#schedule(at, EventKind.DELIVER, to, 0, m);
    }
  }

  /** The host's state machine: committed entries, in order. */
  #apply(node: SimNode, entries: readonly Entry[]): void {
    for (const entry of entries) {
      this.#checker.onApply(node.index, entry, node.appliedIndex + 1);
      node.appliedIndex = entry.index;
      if (this.#storeChecker === null) continue;
      node.appliedStore.apply(entry);
      this.#storeChecker.onApply(node.index, node.appliedStore, entry);
    }
    if (this.#storeChecker !== null && this.#prngDisk.chance(this.#params.storeFlushRate)) {
      node.appliedStore.flush();
    }
  }

  /** The host answered a proposal; COMMITTED is the acknowledgement the checkers hold it to. */
  #onOutcome(node: SimNode, proposalId: number, data: Uint8Array, outcome: ProposeOutcome): void {
    if (outcome.status !== 'COMMITTED') return;
    const host = node.core as RaftHost;
    const { index, term } = outcome;
    this.#storeChecker?.onAck(proposalId, index, data);
    this.#checker.onAck(
      { proposalId, index, term, ackTerm: host.term },
      this.#nodes.map((n) => n.disk),
    );
    if (this.#probe !== null && proposalId === this.#probe.proposalId) {
      this.#probeAcked = true;
      this.#stats.leaderToAckTicks = Math.round((this.#now - this.#leaderFoundAtMs) / TICK_MS);
    }
    if (this.#trace !== undefined) {
      this.#log(`ack p${proposalId} at ${index} term ${term} by ${node.id}`);
    }
  }

  #onRestart(event: SimEvent): void {
    const node = this.#nodes[event.node] as SimNode;
    if (node.core !== null || event.token !== node.restartToken) return;
    this.#startNode(node);
    this.#log(`RESTART ${node.id}`);
    this.#afterInput(node);
  }

  // ---------------------------------------------------------------------------------------------
  // Clients.

  #onPropose(): void {
    const p = this.#params;
    if (this.#stats.proposals < p.maxProposals && !this.#isHealed) {
      const burst = this.#prngClient.chance(0.1) ? this.#prngClient.int(1, p.maxBurst) : 1;
      for (let i = 0; i < burst; i++) {
        if (!this.#propose(this.#nextProposalId++)) break;
      }
    }
    if (!this.#isHealed) {
      const delay = this.#expDelay(this.#prngClient, p.proposalMeanIntervalMs);
      this.#schedule(this.#now + delay, EventKind.PROPOSE, 0);
    }
  }

  /** Offer a proposal to the node the client believes leads; learn from a NOT_LEADER answer. */
  #propose(proposalId: number): boolean {
    const node = this.#nodes[this.#believedLeader] as SimNode;
    if (node.core === null || this.#now < node.pausedUntilMs) {
      this.#believedLeader = this.#prngClient.int(0, this.#nodes.length - 1);
      return false;
    }
    const host = node.core;
    const data = payload(proposalId, this.#prngClient);
    let refusal: ProposeOutcome | null = null;
    let isSubmitting = true;
    host.submit(data, (outcome) => {
      if (isSubmitting && outcome.index === 0) refusal = outcome;
      else this.#onOutcome(node, proposalId, data, outcome);
    });
    isSubmitting = false;
    const result = refusal as ProposeOutcome | null;
    this.#stats.proposals++;
    if (this.#trace !== undefined)
      this.#log(`propose p${proposalId} to ${node.id}: ${result?.status ?? 'OK'}`);
    if (result === null) {
      this.#afterInput(node);
      return true;
    }
    if (result.status === 'NOT_LEADER' && result.leaderId !== null) {
      this.#believedLeader = this.#ids.indexOf(result.leaderId);
    } else if (result.status === 'NOT_LEADER') {
      this.#believedLeader = this.#prngClient.int(0, this.#nodes.length - 1);
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Faults.

  #onFault(): void {
    if (this.#isHealed) return;
    const prng = this.#prngFaults;
    const roll = prng.next();
    if (roll < 0.22) this.#faultCrash();
    else if (roll < 0.5) this.#faultPartition();
    else if (roll < 0.6) this.#faultPause();
    else if (roll < 0.66) this.#faultDiskStall();
    else if (roll < 0.8) this.#faultTransfer();
    else if (roll < 0.88) this.#faultRestartAll();
    else this.#faultHealLinks();
    const delay = this.#expDelay(prng, this.#params.faultMeanIntervalMs);
    this.#schedule(this.#now + delay, EventKind.FAULT, 0);
  }

  #count(kind: string): void {
    this.#stats.faults[kind] = (this.#stats.faults[kind] ?? 0) + 1;
  }

  #currentLeader(): SimNode | null {
    let best: SimNode | null = null;
    for (const node of this.#nodes) {
      const core = node.core;
      if (core === null || core.role !== Role.LEADER) continue;
      if (best === null || core.term > (best.core as RaftHost).term) best = node;
    }
    return best;
  }

  #faultCrash(): void {
    const prng = this.#prngFaults;
    const leader = this.#currentLeader();
    const node =
      leader !== null && prng.chance(0.5)
        ? leader
        : (this.#nodes[prng.int(0, this.#nodes.length - 1)] as SimNode);
    if (node.core === null) return;
    this.#count(node === leader ? 'crash-leader' : 'crash');
    this.#crash(node, node === leader ? 'leader' : 'random');
    node.restartToken++;
    const downMs = prng.int(200, 5000);
    this.#schedule(this.#now + downMs, EventKind.RESTART, node.index, node.restartToken);
  }

  #faultPartition(): void {
    const prng = this.#prngFaults;
    const n = this.#nodes.length;
    const network = this.#network;
    network.healAll();
    const kind = prng.int(0, n === 5 ? 3 : 2);
    if (kind === 0) {
      network.isolate(prng.int(0, n - 1));
      this.#count('partition-isolate');
    } else if (kind === 1) {
      const shuffled = shuffle(prng, range(n));
      network.split(shuffled.slice(0, prng.int(1, Math.floor(n / 2))));
      this.#count('partition-split');
    } else if (kind === 2) {
      const links = prng.int(1, n);
      for (let i = 0; i < links; i++) {
        const from = prng.int(0, n - 1);
        const to = (from + prng.int(1, n - 1)) % n;
        network.block(from, to);
      }
      this.#count('partition-one-way');
    } else {
      // Bridge: two pairs that reach each other only through the fifth node.
      const order = shuffle(prng, range(n));
      for (const a of order.slice(0, 2)) for (const b of order.slice(3)) network.block(a, b);
      for (const a of order.slice(3)) for (const b of order.slice(0, 2)) network.block(a, b);
      this.#count('partition-bridge');
    }
    this.#linkGeneration++;
    this.#log(`PARTITION blocked ${network.describeBlocked(this.#ids)}`);
    const healAt = this.#now + prng.int(500, 8000);
    this.#schedule(healAt, EventKind.HEAL_LINKS, 0, this.#linkGeneration);
  }

  #faultPause(): void {
    const prng = this.#prngFaults;
    const node = this.#nodes[prng.int(0, this.#nodes.length - 1)] as SimNode;
    if (node.core === null) return;
    const pauseMs = prng.int(100, 3000);
    node.pausedUntilMs = this.#now + pauseMs;
    this.#count('pause');
    this.#log(`PAUSE ${node.id} for ${pauseMs} ms`);
  }

  #faultDiskStall(): void {
    const prng = this.#prngFaults;
    const node = this.#nodes[prng.int(0, this.#nodes.length - 1)] as SimNode;
    const stallMs = prng.int(50, 2000);
    node.diskStallUntilMs = this.#now + stallMs;
    this.#count('disk-stall');
    this.#log(`DISK STALL ${node.id} for ${stallMs} ms`);
  }

  #faultTransfer(): void {
    const leader = this.#currentLeader();
    if (leader === null) return;
    const target = this.#ids[this.#prngFaults.int(0, this.#nodes.length - 1)] as string;
    const result = (leader.core as RaftHost).transferLeadership(target);
    this.#count('transfer');
    this.#log(`TRANSFER ${leader.id} -> ${target}: ${result.status}`);
    this.#afterInput(leader);
  }

  #faultRestartAll(): void {
    // Crash several nodes at once (a power loss of part or all of the group).
    const prng = this.#prngFaults;
    const victims = shuffle(prng, range(this.#nodes.length)).slice(
      0,
      prng.int(2, this.#nodes.length),
    );
    for (const index of victims) {
      const node = this.#nodes[index] as SimNode;
      if (node.core === null) continue;
      this.#crash(node, 'power loss');
      node.restartToken++;
      this.#schedule(this.#now + prng.int(100, 3000), EventKind.RESTART, index, node.restartToken);
    }
    this.#count('power-loss');
  }

  #faultHealLinks(): void {
    this.#network.healAll();
    this.#linkGeneration++;
    this.#count('heal');
    this.#log('heal links');
  }

  // ---------------------------------------------------------------------------------------------
  // Heal phase (liveness).

  #onHealAll(): void {
    this.#isHealed = true;
    this.#healAtMs = this.#now;
    this.#network.healAll();
    this.#linkGeneration++;
    const params = this.#network.params;
    this.#network.params = { ...params, lossRate: 0, duplicateRate: 0, spikeRate: 0 };
    const prng = this.#prngFaults;
    const n = this.#nodes.length;
    const core = shuffle(prng, range(n)).slice(0, Math.floor(n / 2) + 1);
    const keepDown = prng.chance(0.3);
    for (const node of this.#nodes) {
      node.pausedUntilMs = 0;
      node.diskStallUntilMs = 0;
      node.restartToken++;
      const isCore = core.includes(node.index);
      if (!isCore && keepDown) this.#crash(node, 'kept down in the heal phase');
      else if (node.core === null) {
        this.#startNode(node);
        this.#afterInput(node);
      }
    }
    this.#log(
      `HEAL ALL; running: ${this.#running()
        .map((n) => n.id)
        .join(',')}`,
    );
    this.#schedule(this.#now + TICK_MS, EventKind.LIVENESS, 0);
  }

  #running(): SimNode[] {
    return this.#nodes.filter((n) => n.core !== null);
  }

  /** The leader every running node follows, or null. */
  #agreedLeader(): SimNode | null {
    const leader = this.#currentLeader();
    if (leader === null) return null;
    const core = leader.core as RaftHost;
    for (const node of this.#running()) {
      const status = (node.core as RaftHost).status();
      if (status.term !== core.term || status.leaderId !== leader.id) return null;
    }
    return leader;
  }

  #onLiveness(): void {
    const elapsedTicks = (this.#now - this.#healAtMs) / TICK_MS;
    if (this.#leaderFoundAtMs < 0) {
      if (this.#agreedLeader() !== null) {
        this.#leaderFoundAtMs = this.#now;
        this.#stats.healToLeaderTicks = Math.round(elapsedTicks);
      } else if (elapsedTicks > LIVENESS_LEADER_BOUND_TICKS) {
        throw new SafetyViolation(
          `D8: no leader followed by every running node ${LIVENESS_LEADER_BOUND_TICKS} ticks after the heal`,
        );
      }
    }
    if (this.#leaderFoundAtMs >= 0) this.#checkProbe();
    if (!this.#isDone) this.#schedule(this.#now + TICK_MS / 2, EventKind.LIVENESS, 0);
  }

  #checkProbe(): void {
    const ticksSinceLeader = (this.#now - this.#leaderFoundAtMs) / TICK_MS;
    if (this.#probeAcked) {
      const running = this.#running();
      const target = Math.max(...running.map((n) => (n.core as RaftHost).commitIndex));
      const isAppliedEverywhere = running.every(
        (n) => n.appliedIndex >= target && !(n.store as SimLogStore).isWriting,
      );
      if (isAppliedEverywhere) {
        this.#stats.leaderToAppliedTicks = Math.round(ticksSinceLeader);
        this.#isDone = true;
      } else if (ticksSinceLeader > LIVENESS_APPLY_BOUND_TICKS) {
        throw new SafetyViolation(
          `D8: committed entries not applied on every running node within ${LIVENESS_APPLY_BOUND_TICKS} ticks`,
        );
      }
      return;
    }
    if (ticksSinceLeader > LIVENESS_ACK_BOUND_TICKS) {
      throw new SafetyViolation(
        `D8: a new proposal was not acknowledged within ${LIVENESS_ACK_BOUND_TICKS} ticks of the leader`,
      );
    }
    if (this.#probe === null || this.#now - this.#probe.proposedAtMs > 20 * TICK_MS) {
      // Offer (or re-offer) a fresh proposal to the current leader.
      const leader = this.#agreedLeader();
      if (leader !== null) {
        this.#believedLeader = leader.index;
        const proposalId = this.#nextProposalId++;
        if (this.#propose(proposalId)) this.#probe = { proposalId, proposedAtMs: this.#now };
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // leader-crash scenario.

  #onCrashLeader(): void {
    if (this.#crashedLeader === null) {
      const leader = this.#currentLeader();
      if (leader === null) {
        this.#schedule(this.#now + TICK_MS / 4, EventKind.CRASH_LEADER, 0);
        return;
      }
      this.#crashedLeader = {
        node: leader.index,
        term: (leader.core as RaftHost).term,
        atMs: this.#now,
      };
      this.#crash(leader, 'leader-crash scenario');
      this.#schedule(this.#now + 1, EventKind.CRASH_LEADER, 0);
      return;
    }
    const crashed = this.#crashedLeader;
    const leader = this.#currentLeader();
    if (leader !== null && (leader.core as RaftHost).term > crashed.term) {
      const core = leader.core as RaftHost;
      if (this.#stats.crashToLeaderMs < 0) this.#stats.crashToLeaderMs = this.#now - crashed.atMs;
      if (core.termAt(core.commitIndex) === core.term) {
        this.#stats.crashToCommitMs = this.#now - crashed.atMs;
        this.#isDone = true;
        return;
      }
    }
    if (this.#now - crashed.atMs > LIVENESS_LEADER_BOUND_TICKS * TICK_MS) {
      throw new SafetyViolation('D8: no new leader after the leader crash');
    }
    this.#schedule(this.#now + 1, EventKind.CRASH_LEADER, 0);
  }

  // ---------------------------------------------------------------------------------------------
  // End of run.

  #finalCheck(): void {
    const live = this.#running().map((n) => ({
      node: n.index,
      core: n.core as RaftHost,
      disk: n.disk,
    }));
    this.#checker.finalCheck(live);
    const stores = this.#running().map((n) => ({ node: n.index, store: n.appliedStore }));
    this.#storeChecker?.finalCheck(stores);
  }

  #expDelay(prng: Prng, meanMs: number): number {
    return -Math.log(1 - prng.next()) * meanMs;
  }

  #log(text: string): void {
    if (this.#trace === undefined) return;
    this.#trace(`${this.#now.toFixed(3).padStart(11)}ms  ${text}`);
  }
}

export function describeMessage(m: Message): string {
  const base = `${m.from}->${m.to} ${m.type} t${m.term}`;
  switch (m.type) {
    case MessageType.APP:
      return `${base} prev ${m.index}/t${m.logTerm} +${m.entries.length} commit ${m.commit}`;
    case MessageType.APP_RESP:
      return m.reject
        ? `${base} REJECT ${m.index} hint ${m.rejectHint}/t${m.logTerm}`
        : `${base} ok ${m.index}`;
    case MessageType.VOTE:
    case MessageType.PRE_VOTE:
      return `${base} last ${m.index}/t${m.logTerm}${m.campaign === 'transfer' ? ' (transfer)' : ''}`;
    case MessageType.VOTE_RESP:
    case MessageType.PRE_VOTE_RESP:
      return `${base} ${m.reject ? 'reject' : 'grant'}`;
    case MessageType.HEARTBEAT:
      return `${base} commit ${m.commit}`;
    default:
      return base;
  }
}
