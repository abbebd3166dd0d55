// One controller: the replicated controller state (ha/controller/) on the shipped Raft host
// (ha/dledger/: FileLogStore, TcpTransport on the controllerDLegerPeers port), the local
// heartbeat table, and the leader's work: decisions run one at a time (a bounded queue), each
// event is committed through Raft and applied before its answer is sent, and a scan every
// scanInactiveMasterInterval elects a new master for groups whose master stopped heartbeating.
//
// Leadership: a controller acts as leader only once the LEADER_ANNOUNCE entry of its own term is
// applied (so every earlier entry is applied too, and followers learn its remoting address).
// It then gives every registered replica one heartbeat timeout of grace before judging anyone
// dead: brokers may have heartbeated only the previous leader.
//
// RocketMQ: controller/.../ControllerManager.java, impl/DLedgerController.java (the event
// scheduler, scanInactiveMasterAndTriggerReelect, role handler).

import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import type { DLedgerPeer } from '../../common/dledger-peers.js';
import { createPrng } from '../../common/prng.js';
import type { ControllerConfig } from '../../config/controller-schema.js';
import type { FileIO } from '../../engine/io/file-io.js';
import { BrokerLiveTable } from '../../ha/controller/broker-live-table.js';
import {
  ControllerDecisions,
  type Decision,
  type ControllerDecisions as Decisions,
  ElectTrigger,
} from '../../ha/controller/controller-decisions.js';
import {
  type ControllerEvent,
  ControllerEventType,
  decodeControllerEvent,
  encodeControllerEvent,
} from '../../ha/controller/controller-events.js';
import { type ApplyResult, ReplicasState } from '../../ha/controller/replicas-state.js';
import { FileLogStore } from '../../ha/dledger/file-log-store.js';
import { ProposeStatus, timerScheduler } from '../../ha/dledger/host-types.js';
import { RaftHost } from '../../ha/dledger/raft-host.js';
import { TcpTransport } from '../../ha/dledger/tcp-transport.js';
import { type Entry, EntryType, Role } from '../../ha/raft/messages.js';
import type { GetMetaDataResponseHeader, Logger } from '../../protocol/index.js';
import { RoleNotifier } from './role-notifier.js';

/** Raft timing of the controller group: heartbeats every 200 ms, elections after 0.6-1.2 s. */
const RAFT_TICK_MS = 100;
const RAFT_ELECTION_TICKS = 6;
/** Apply results kept for answering proposals (one per in-flight decision is needed). */
const MAX_KEPT_RESULTS = 256;

export interface ControllerNodeOptions {
  readonly config: ControllerConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly io: FileIO;
}

/** How a decision ended (the processor turns it into a response). */
export type DecisionOutcome<H> =
  | { readonly kind: 'NOT_LEADER'; readonly leaderAddress: string | undefined }
  | { readonly kind: 'BUSY' }
  | { readonly kind: 'FAILED'; readonly reason: string }
  | { readonly kind: 'DONE'; readonly decision: Decision<H>; readonly stale: string | null };

export class ControllerNode {
  readonly state = new ReplicasState();
  readonly live: BrokerLiveTable;
  readonly decisions: Decisions;
  readonly selfId: string;
  readonly group: string;
  readonly peers: readonly DLedgerPeer[];
  readonly #o: ControllerNodeOptions;
  /** "host:port" brokers send controller requests to: our peer host and the remoting port. */
  #address = '';
  readonly #results = new Map<number, ApplyResult>();
  readonly #queue: Array<() => Promise<void>> = [];
  readonly #electing = new Set<string>();
  readonly #notifier: RoleNotifier;
  #isDraining = false;
  #readyTerm = -1;
  #isAnnouncing = false;
  #host: RaftHost | undefined;
  #log: FileLogStore | undefined;
  #transport: TcpTransport | undefined;
  #scanTimer: NodeJS.Timeout | undefined;

  constructor(options: ControllerNodeOptions) {
    const { config } = options;
    this.#o = options;
    this.peers = config.controllerDLegerPeers ?? [];
    this.selfId = config.controllerDLegerSelfId ?? '';
    this.group = config.controllerDLegerGroup ?? '';
    const self = this.peers.find((p) => p.id === this.selfId);
    if (self === undefined) throw new Error('controllerDLegerSelfId is not among the peers');
    this.live = new BrokerLiveTable(
      config.controllerMaxBrokerGroups * config.controllerMaxReplicasPerGroup,
    );
    this.decisions = new ControllerDecisions(this.state, this.live, {
      enableElectUncleanMaster: config.enableElectUncleanMaster,
      maxBrokerGroups: config.controllerMaxBrokerGroups,
      maxReplicasPerGroup: config.controllerMaxReplicasPerGroup,
    });
    this.#notifier = new RoleNotifier(options.logger, config.controllerMaxBrokerGroups);
  }

  get config(): ControllerConfig {
    return this.#o.config;
  }

  nowMs(): number {
    return this.#o.clock.monotonicMs();
  }

  /**
   * Opens the Raft log, listens on the Raft port and starts the host and the scan; `remotingPort`
   * is the port controller requests arrive on (announced with our peer host when we lead).
   */
  async start(remotingPort: number): Promise<void> {
    const { config, logger } = this.#o;
    const self = this.peers.find((p) => p.id === this.selfId)!;
    this.#address = `${self.host}:${remotingPort}`;
    const log = FileLogStore.open({
      io: this.#o.io,
      dir: join(config.controllerStorePath, this.selfId),
      onTruncate: (tail) =>
        logger.warn('Controller Raft log: a divergent tail was moved aside', { ...tail }),
    });
    this.#log = log;
    let host: RaftHost | undefined;
    const transport = new TcpTransport({
      group: this.group,
      selfId: this.selfId,
      peerIds: this.peers.map((p) => p.id),
      listenHost: self.host,
      listenPort: self.port,
      onMessage: (m) => host?.deliver(m),
      onError: (error, peerId) =>
        logger.debug('Controller Raft link', { peerId, error: error.message }),
    });
    this.#transport = transport;
    await transport.listen();
    host = new RaftHost({
      id: this.selfId,
      peers: this.peers.map((p) => p.id),
      storage: log,
      transport,
      scheduler: timerScheduler,
      prng: createPrng(this.#o.clock.nowMs() ^ self.port),
      apply: (entries) => this.#apply(entries),
      onRoleChange: (role, term, leaderId) => this.#onRoleChange(role, term, leaderId),
      onFatal: (error) => logger.error('Controller Raft host stopped', { error: error.message }),
      tickMs: RAFT_TICK_MS,
      maxPendingProposals: config.controllerRequestThreadPoolQueueCapacity,
      raft: {
        heartbeatTicks: 2,
        electionTicks: RAFT_ELECTION_TICKS,
        preVote: true,
        checkQuorum: true,
      },
    });
    this.#host = host;
    transport.connect(this.peers);
    host.start();
    this.#scanTimer = setInterval(() => this.#scan(), config.scanInactiveMasterInterval);
    this.#scanTimer.unref();
  }

  /** The leader acts (decides) only once its own LEADER_ANNOUNCE of this term is applied. */
  get isReadyLeader(): boolean {
    const host = this.#host;
    return host !== undefined && host.role === Role.LEADER && this.#readyTerm === host.term;
  }

  get leaderAddress(): string | undefined {
    const leaderId = this.#host?.leaderId ?? null;
    if (leaderId === null) return undefined;
    if (leaderId === this.selfId) return this.isReadyLeader ? this.#address : undefined;
    return this.state.controllerAddress(leaderId);
  }

  metadata(): GetMetaDataResponseHeader {
    const leaderId = this.#host?.leaderId ?? null;
    const leaderAddress = this.leaderAddress;
    return {
      group: this.group,
      ...(leaderId === null ? {} : { controllerLeaderId: leaderId }),
      ...(leaderAddress === undefined ? {} : { controllerLeaderAddress: leaderAddress }),
      isLeader: this.isReadyLeader,
      peers: this.peers.map((p) => `${p.id}:${p.address};`).join(''),
    };
  }

  raftStatus(): { role: string; term: number; commitIndex: number; leaderId: string | null } {
    const host = this.#host;
    return {
      role: host?.role ?? Role.FOLLOWER,
      term: host?.term ?? 0,
      commitIndex: host?.commitIndex ?? 0,
      leaderId: host?.leaderId ?? null,
    };
  }

  /**
   * Runs `decide` on the ready leader, in turn with every other decision; commits its event (if
   * any) and resolves once it is applied.
   */
  decide<H>(decide: (nowMs: number) => Decision<H>): Promise<DecisionOutcome<H>> {
    if (!this.isReadyLeader) return Promise.resolve(this.#notLeader());
    if (this.#queue.length >= this.#o.config.controllerRequestThreadPoolQueueCapacity) {
      return Promise.resolve({ kind: 'BUSY' });
    }
    return new Promise((resolve) => {
      this.#queue.push(async () => resolve(await this.#runDecision(decide)));
      void this.#drain();
    });
  }

  #notLeader(): DecisionOutcome<never> {
    return { kind: 'NOT_LEADER', leaderAddress: this.leaderAddress };
  }

  async #drain(): Promise<void> {
    if (this.#isDraining) return;
    this.#isDraining = true;
    try {
      for (let task = this.#queue.shift(); task !== undefined; task = this.#queue.shift()) {
        await task();
      }
    } finally {
      this.#isDraining = false;
    }
  }

  async #runDecision<H>(decide: (nowMs: number) => Decision<H>): Promise<DecisionOutcome<H>> {
    const host = this.#host;
    if (host === undefined || !this.isReadyLeader) return this.#notLeader();
    const decision = decide(this.nowMs());
    if (decision.event === undefined) return { kind: 'DONE', decision, stale: null };
    const outcome = await host.propose(encodeControllerEvent(decision.event));
    if (outcome.status === ProposeStatus.BUSY) return { kind: 'BUSY' };
    if (
      outcome.status === ProposeStatus.CLOSED ||
      outcome.status === ProposeStatus.STORAGE_FAILED
    ) {
      return { kind: 'FAILED', reason: `the controller's Raft host stopped (${outcome.status})` };
    }
    if (outcome.status !== ProposeStatus.COMMITTED) return this.#notLeader();
    const result = this.#results.get(outcome.index);
    this.#results.delete(outcome.index);
    const stale = result === undefined || result.applied ? null : result.reason;
    if (stale === null) this.#afterCommit(decision);
    return { kind: 'DONE', decision, stale };
  }

  #afterCommit<H>(decision: Decision<H>): void {
    const { logger } = this.#o;
    if (decision.unclean !== undefined) {
      logger.warn('Unclean master election: acknowledged messages may be lost', {
        ...decision.unclean,
      });
    }
    const brokerName = decision.electedGroup;
    if (brokerName === undefined) return;
    const group = this.state.group(brokerName);
    if (group === undefined) return;
    logger.info('Master elected', {
      brokerName,
      masterBrokerId: group.masterBrokerId,
      masterEpoch: group.masterEpoch,
      syncStateSet: [...group.syncStateSet],
    });
    if (!this.#o.config.notifyBrokerRoleChanged || group.masterBrokerId === null) return;
    const now = this.nowMs();
    const targets = [...group.replicas.values()]
      .filter((r) => this.live.isAlive(brokerName, r.brokerId, now))
      .map((r) => r.address);
    this.#notifier.notify(group, targets);
  }

  #apply(entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.type === EntryType.NOOP) continue;
      const event = decodeControllerEvent(entry.data, entry.index);
      const result = this.state.apply(event);
      this.#results.set(entry.index, result);
      if (this.#results.size > MAX_KEPT_RESULTS) {
        this.#results.delete(this.#results.keys().next().value!);
      }
      if (event.type === ControllerEventType.LEADER_ANNOUNCE) this.#onAnnounceApplied(event, entry);
    }
  }

  #onAnnounceApplied(event: ControllerEvent & { type: 'LEADER_ANNOUNCE' }, entry: Entry): void {
    const host = this.#host;
    if (event.controllerId !== this.selfId || host === undefined) return;
    if (host.role !== Role.LEADER || entry.term !== host.term) return;
    this.#readyTerm = entry.term;
    const now = this.nowMs();
    const replicas = [...this.state.groups()].flatMap((g) =>
      [...g.replicas.values()].map((r) => ({
        clusterName: g.clusterName,
        brokerName: g.brokerName,
        brokerId: r.brokerId,
        brokerAddr: r.address,
      })),
    );
    this.live.grant(replicas, now, this.#o.config.controllerHeartBeatTimeoutMills);
    this.#o.logger.info('Controller leader ready', { selfId: this.selfId, term: entry.term });
  }

  #onRoleChange(role: Role, term: number, leaderId: string | null): void {
    this.#o.logger.info('Controller Raft role changed', { role, term, leaderId });
    if (role === Role.LEADER) this.#announce();
    else this.#readyTerm = -1;
  }

  #announce(): void {
    const host = this.#host;
    if (host === undefined || this.#isAnnouncing) return;
    this.#isAnnouncing = true;
    const event: ControllerEvent = {
      type: ControllerEventType.LEADER_ANNOUNCE,
      controllerId: this.selfId,
      address: this.#address,
    };
    host.submit(encodeControllerEvent(event), () => {
      this.#isAnnouncing = false;
    });
  }

  #scan(): void {
    const host = this.#host;
    if (host === undefined) return;
    if (host.role === Role.LEADER && this.#readyTerm !== host.term) {
      this.#announce();
      return;
    }
    if (!this.isReadyLeader) return;
    for (const brokerName of this.decisions.groupsToReelect(this.nowMs())) {
      if (this.#electing.has(brokerName)) continue;
      this.#electing.add(brokerName);
      void this.decide((now) =>
        this.decisions.electMaster({ brokerName }, ElectTrigger.CONTROLLER, now),
      ).then((outcome) => {
        this.#electing.delete(brokerName);
        if (outcome.kind === 'DONE') {
          this.#o.logger.info('Controller-triggered election', {
            brokerName,
            code: outcome.decision.reply.code,
            remark: outcome.decision.reply.remark ?? outcome.stale ?? '',
          });
        }
      });
    }
  }

  async close(): Promise<void> {
    if (this.#scanTimer !== undefined) clearInterval(this.#scanTimer);
    this.#host?.close();
    await this.#transport?.close();
    this.#log?.close();
    await this.#notifier.close();
  }
}
