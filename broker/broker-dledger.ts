// A broker in DLedger mode (enableDLegerCommitLog=true): its CommitLog is replicated by the Raft
// host of ha/dledger/ over TCP on the port dLegerPeers gives. The store runs a replicated log
// (engine/put/replicated-append.ts): the leader stamps each message and proposes it; every member,
// the leader included, appends committed entries through the raw-append path, so a ConsumeQueue
// only holds committed messages and the members' CommitLogs are byte-identical.
//
// Roles: the Raft leader becomes master (brokerId 0) once the no-op of its term is applied (every
// entry of earlier terms is then in its CommitLog, so its offsets continue the log); a follower is
// a slave with brokerId = its index in dLegerPeers + 1 (RocketMQ: selfId n0 -> 1). A role change
// switches the store's live role, fenced by the Raft term, and re-registers with every NameServer
// at once (broker-role.ts). Followers copy topics, subscription groups and consumer offsets from
// the leader every second.
//
// The Raft host (file log, TCP transport on the dLegerPeers port, ticks, heartbeats, elections)
// runs on its own worker thread (workers/dledger-worker.ts): its fsyncs never block the main loop,
// and a busy main loop neither delays heartbeats nor causes a false election. The main thread
// keeps the state machine: committed entries reach #apply through a RemoteRaftHost.
//
// RocketMQ: store/.../dledger/DLedgerCommitLog.java, broker/.../dledger/DLedgerRoleChangeHandler.java.

import { join } from 'node:path';
import type { Clock } from '../common/clock.js';
import type { DLedgerPeer } from '../common/dledger-peers.js';
import { ErrorCode, MqError } from '../common/errors.js';
import type { BrokerConfig } from '../config/load.js';
import { toStoreOptions } from '../config/to-options.js';
import {
  type BrokerStore as MessageStore,
  openBrokerStore as openStore,
} from '../engine/internal.js';
import { NodeFileIO } from '../engine/io/node-file-io.js';
import { StoreRole } from '../engine/message-store.js';
import type { ApplyStatus, ReplicateOutcome } from '../engine/put/replicated-append.js';
import type { ProposalBody } from '../ha/dledger/host-channel.js';
import { ProposeStatus } from '../ha/dledger/host-types.js';
import type { RemoteRaftHost } from '../ha/dledger/remote-raft-host.js';
import { type Entry, EntryType, Role } from '../ha/raft/messages.js';
import type { TransferResult } from '../ha/raft/ready.js';
import {
  createRequest,
  decodeClusterInfo,
  type Logger,
  RemotingClient,
  RequestCode,
  ResponseCode,
} from '../protocol/index.js';
import { type RaftWorker, startRaftWorker } from '../workers/dledger/raft-worker-host.js';
import type { BrokerRoleState } from './broker-role.js';
import { DledgerCheckpoint } from './dledger-checkpoint.js';
import { checkDledgerStore } from './dledger-store-check.js';
import { AppliedRecords, type DledgerRaftView } from './ha-status/dledger-ha.js';
import type { MasterAddresses } from './namesrv-registrar.js';
import { type SyncTargets, syncFromMaster } from './replica-sync.js';

const RPC_TIMEOUT_MS = 3000;
/** The Raft thread's start (log recovery included) and shutdown deadlines. */
const RAFT_WORKER_START_MS = 60_000;
const RAFT_WORKER_CLOSE_MS = 10_000;
/** Followers copy the leader's metadata this often (RocketMQ copies every 10 s). */
const METADATA_SYNC_MS = 1000;
/** Applied entries whose first record the leader remembers for its followers' lag. */
const APPLIED_RECORDS_KEPT = 4096;
/** How long apply waits before retrying an entry the append ring had no room for. */
const APPLY_RETRY_MS = 1;

/** Bounds of one Raft entry made of several puts. */
const BATCH_MAX_PUTS = 512;
const BATCH_MAX_BYTES = 1024 * 1024;

/**
 * A Raft entry of stamped records: [count u32] then [length u32][stamped entry] each, written
 * straight into the Raft host's request ring.
 */
function batchBody(entries: readonly Buffer[]): ProposalBody {
  return {
    byteLength: 4 + entries.reduce((sum, e) => sum + 4 + e.byteLength, 0),
    writeTo(target: Uint8Array, start: number) {
      const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
      view.setUint32(start, entries.length);
      let at = start + 4;
      for (const e of entries) {
        view.setUint32(at, e.byteLength);
        target.set(e, at + 4);
        at += 4 + e.byteLength;
      }
    },
  };
}

/** The batched record whose length prefix is at `at`. */
function batchedRecordAt(data: Buffer, at: number): Buffer {
  const length = data.readUInt32BE(at);
  if (at + 4 + length > data.byteLength)
    throw new MqError(
      ErrorCode.CORRUPT_RECORD,
      'DLedger entry: a batched record runs past its end',
    );
  return data.subarray(at + 4, at + 4 + length);
}

/** The first stamped record of a batch (undefined when empty), without decoding the rest. */
export function firstInBatch(data: Buffer): Buffer | undefined {
  return data.readUInt32BE(0) === 0 ? undefined : batchedRecordAt(data, 4);
}

export function decodeBatch(data: Buffer): Buffer[] {
  const count = data.readUInt32BE(0);
  const out: Buffer[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    const record = batchedRecordAt(data, at);
    out.push(record);
    at += 4 + record.byteLength;
  }
  return out;
}

export interface DledgerDeps {
  config: BrokerConfig;
  port: number;
  clock: Clock;
  logger: Logger;
}

/** Statuses after which the proposal never entered the log. */
const refusedOutright: ReadonlySet<string> = new Set([
  ProposeStatus.NOT_LEADER,
  ProposeStatus.LEADER_TRANSFERRING,
  ProposeStatus.BUSY,
  ProposeStatus.CLOSED,
  ProposeStatus.STORAGE_FAILED,
]);

export class BrokerDledger {
  #d: DledgerDeps;
  #store: MessageStore | undefined;
  #raftDir = '';
  #raft: RaftWorker | undefined;
  #host: RemoteRaftHost | undefined;
  #role: BrokerRoleState | undefined;
  #roleChain: Promise<void> = Promise.resolve();
  #self: DLedgerPeer;
  #peers: readonly DLedgerPeer[];
  #masterAddr: string | undefined;
  #clients = new Map<string, RemotingClient>();
  #timer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> = Promise.resolve();
  #fatal: Error | undefined;
  #checkpoint: DledgerCheckpoint | undefined;
  #checkpointSaving: Promise<void> = Promise.resolve();
  #batch: Array<{ entry: Buffer; settle: (outcome: ReplicateOutcome) => void }> = [];
  #batchBytes = 0;
  #batchTimer: NodeJS.Immediate | undefined;
  #raftRoleListener: ((role: Role, leaderId: string | null) => void) | undefined;
  /** The first record of recently applied entries, by Raft index (followers' lag, HA status). */
  readonly #appliedRecords = new AppliedRecords(APPLIED_RECORDS_KEPT);

  constructor(deps: DledgerDeps) {
    this.#d = deps;
    const peers = deps.config.dLegerPeers ?? [];
    const self = peers.find((p) => p.id === deps.config.dLegerSelfId);
    if (self === undefined)
      throw new MqError(ErrorCode.CONFIG_INVALID, 'dLegerSelfId is not among the dLegerPeers');
    this.#self = self;
    this.#peers = peers;
  }

  /** The brokerId this member registers with as a follower (RocketMQ: n0 -> 1). */
  get followerBrokerId(): number {
    return this.#peers.findIndex((p) => p.id === this.#self.id) + 1;
  }

  get store(): MessageStore {
    const store = this.#store;
    if (store === undefined) throw new Error('the broker store is not open');
    return store;
  }

  onStore(listener: (store: MessageStore) => void): void {
    if (this.#store !== undefined) listener(this.#store);
  }

  /** Raft figures for runtime info and the admin tools. */
  status(): Record<string, number | string> {
    const host = this.#host;
    if (host === undefined) return {};
    return {
      dLegerSelfId: this.#self.id,
      dLegerRole: host.role,
      dLegerTerm: host.term,
      dLegerLeaderId: host.leaderId ?? '',
      dLegerCommitIndex: host.commitIndex,
    };
  }

  /** The Raft host's view and the applied entries, read by the HA status (ha-status/dledger-ha.ts). */
  get raftView(): DledgerRaftView | undefined {
    const host = this.#host;
    if (host === undefined) return undefined;
    return {
      host,
      recordAt: (index) => this.#appliedRecords.get(index),
      oldestRecord: () => this.#appliedRecords.oldest(),
      selfId: this.#self.id,
      peers: this.#peers,
      lastHeardFromMs: (peerId) => host.lastHeardFromMs(peerId),
    };
  }

  /** Hears every Raft role or leader change (the HA status counts elections and failovers). */
  onRaftRole(listener: (role: Role, leaderId: string | null) => void): void {
    this.#raftRoleListener = listener;
  }

  async open(): Promise<void> {
    const { config, port } = this.#d;
    const options = { ...toStoreOptions(config), brokerRole: 'SLAVE' as const };
    if (config.listenPort === 0 && options.storeHost === `${config.brokerIP1}:0`)
      options.storeHost = `${config.brokerIP1}:${port}`;
    const raftDir =
      config.storePathDLedgerCommitLog ?? join(config.storePathRootDir, `dledger-${this.#self.id}`);
    const io = new NodeFileIO();
    checkDledgerStore(io, config.storePathRootDir, options.storePathCommitLog, raftDir);
    const store = await openStore(options, { logger: this.#plainLogger() });
    this.#checkpoint = new DledgerCheckpoint(
      io,
      join(config.storePathRootDir, 'config', `dledger-${this.#self.id}-applied.json`),
    );
    this.#store = store;
    store.useReplicator({ replicate: (entry, settle) => this.#replicate(entry, settle) });
    this.#raftDir = raftDir;
  }

  /** Starts Raft (once the broker's role state exists) and the metadata sync. */
  async startRaft(
    role: BrokerRoleState,
    targets: SyncTargets,
    nameServers: readonly string[],
  ): Promise<void> {
    const { config, logger } = this.#d;
    this.#role = role;
    if (this.#raftDir === '') throw new Error('DLedger: open() first');
    const hbMs = config.heartBeatTimeIntervalMs;
    this.#raft = await startRaftWorker({
      selfId: this.#self.id,
      group: config.dLegerGroup ?? config.brokerName,
      peers: this.#peers,
      raftDir: this.#raftDir,
      seed: this.#d.clock.nowMs() ^ this.#self.port,
      tickMs: Math.max(10, Math.floor(hbMs / 2)),
      maxPendingProposals: config.maxPendingRequestsNum,
      flushDiskType: config.flushDiskType,
      flushIntervalMs: config.flushIntervalCommitLog,
      raft: {
        heartbeatTicks: 2,
        electionTicks: Math.max(3, 2 * config.maxHeartBeatLeak),
        preVote: true,
        checkQuorum: true,
        appliedIndex: this.#checkpoint?.appliedIndexFor(this.store.getMaxPhyOffset()) ?? 0,
        ...(config.preferredLeaderId === undefined
          ? {}
          : { preferredLeaderId: config.preferredLeaderId.split(';')[0]! }),
      },
      apply: (entries) => this.#apply(entries),
      onRoleChange: (r, term, leaderId) => this.#onRoleChange(r, term, leaderId),
      onFatal: (error) => this.#onFatal(error),
      onLog: (event) => logger[event.level](event.message, event.details ?? {}),
      startTimeoutMs: RAFT_WORKER_START_MS,
    });
    this.#host = this.#raft.host;
    this.#timer = setInterval(() => {
      this.#saveCheckpointAsync();
      this.#syncing = this.#syncRound(targets, nameServers).catch((error: unknown) => {
        logger.warn('Metadata sync from the DLedger leader failed', { error: String(error) });
      });
    }, METADATA_SYNC_MS);
  }

  /**
   * Puts stamped in one turn of the event loop travel as one Raft entry (one append, one fsync,
   * one round trip), bounded by BATCH_MAX_BYTES / BATCH_MAX_PUTS.
   */
  #replicate(entry: Buffer, settle: (outcome: ReplicateOutcome) => void): void {
    this.#batch.push({ entry, settle });
    this.#batchBytes += entry.byteLength;
    if (this.#batch.length >= BATCH_MAX_PUTS || this.#batchBytes >= BATCH_MAX_BYTES) {
      this.#proposeBatch();
      return;
    }
    this.#batchTimer ??= setImmediate(() => this.#proposeBatch());
  }

  #proposeBatch(): void {
    if (this.#batchTimer !== undefined) clearImmediate(this.#batchTimer);
    this.#batchTimer = undefined;
    const batch = this.#batch;
    this.#batch = [];
    this.#batchBytes = 0;
    if (batch.length === 0) return;
    const settleAll = (outcome: ReplicateOutcome) => {
      for (const put of batch) put.settle(outcome);
    };
    const host = this.#host;
    if (host === undefined) {
      settleAll({ committed: false, appended: false, reason: 'the Raft host is not running' });
      return;
    }
    host.submit(batchBody(batch.map((p) => p.entry)), (outcome) => {
      const committed = outcome.status === ProposeStatus.COMMITTED;
      settleAll({
        committed,
        appended: !refusedOutright.has(outcome.status),
        reason: committed
          ? ''
          : `DLedger ${outcome.status} (leader ${outcome.leaderId ?? 'unknown'})`,
      });
    });
  }

  /** Committed entries, in log order: NOOPs mark a term; messages go to the CommitLog. */
  #apply(entries: readonly Entry[]): void | Promise<void> {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.type === EntryType.NOOP) {
        this.#onNoopApplied(entry.term);
        this.#markApplied(entry);
        continue;
      }
      const data = Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
      // A retry re-applies the whole batch: records already in the CommitLog are skipped.
      const status = this.#applyBatch(data);
      if (status === 'OK') {
        this.#appliedRecords.note(entry.index, data);
        this.#markApplied(entry);
        continue;
      }
      if (status === 'BUSY') {
        const rest = entries.slice(i);
        return new Promise((resolve) => setTimeout(resolve, APPLY_RETRY_MS)).then(() =>
          this.#apply(rest),
        );
      }
      throw new MqError(
        ErrorCode.CORRUPT_RECORD,
        `DLedger entry ${entry.index} (term ${entry.term}) does not continue the CommitLog: ${status}`,
        { index: entry.index, term: entry.term, status },
      );
    }
  }

  #markApplied(entry: Entry): void {
    this.#checkpoint?.applied({
      index: entry.index,
      term: entry.term,
      commitLogOffset: this.store.replicaEndOffset,
    });
  }

  /** Every second: the newest applied entry whose records are flushed, written off the main loop. */
  #saveCheckpointAsync(): void {
    const checkpoint = this.#checkpoint;
    if (checkpoint === undefined) return;
    const flushed = Number(this.store.runtimeInfo()['commitLogFlushedOffset'] ?? 0);
    this.#checkpointSaving = checkpoint.saveAsync(flushed).then(
      () => undefined,
      (error: unknown) =>
        this.#d.logger.warn('DLedger checkpoint not saved', { error: String(error) }),
    );
  }

  #saveCheckpoint(end: number): void {
    try {
      this.#checkpoint?.save(end);
    } catch (error) {
      this.#d.logger.warn('DLedger checkpoint not saved', { error: String(error) });
    }
  }

  #applyBatch(data: Buffer): ApplyStatus {
    return this.store.applyStamped(decodeBatch(data));
  }

  /** The leader's own no-op is applied: every earlier entry is in the CommitLog; take over. */
  #onNoopApplied(term: number): void {
    const host = this.#host;
    if (host === undefined || host.role !== Role.LEADER || host.term !== term) return;
    this.#chainRole(async () => {
      if (host.role !== Role.LEADER || host.term !== term) return;
      await this.store.changeRole(StoreRole.MASTER, term);
      this.#d.logger.info('DLedger leader: this broker is the master now', { term });
      this.#role?.changeRole('SYNC_MASTER', 0);
    });
  }

  #onRoleChange(role: Role, term: number, leaderId: string | null): void {
    this.#d.logger.info('DLedger role', { selfId: this.#self.id, role, term, leaderId });
    this.#raftRoleListener?.(role, leaderId);
    if (role === Role.LEADER) return; // becomes master once its no-op is applied
    this.#chainRole(async () => {
      const store = this.store;
      if (store.role === StoreRole.SLAVE && term <= store.fence) return;
      await store.changeRole(StoreRole.SLAVE, Math.max(term, store.fence));
      if (this.#role?.isMaster === true) this.#role.changeRole('SLAVE', this.followerBrokerId);
    });
  }

  #chainRole(step: () => Promise<void>): void {
    this.#roleChain = this.#roleChain.then(step).catch((error: unknown) => {
      this.#d.logger.error('DLedger role change failed', { error: String(error) });
    });
  }

  #onFatal(error: Error): void {
    this.#fatal = error;
    this.#d.logger.error('DLedger stopped: this member no longer takes part in the group', {
      error: error.message,
    });
    this.#chainRole(async () => {
      await this.store.changeRole(StoreRole.SLAVE, this.store.fence);
      if (this.#role?.isMaster === true) this.#role.changeRole('SLAVE', this.followerBrokerId);
    });
  }

  /** DLedger LEADERSHIP_TRANSFER, answered by the Raft host. */
  transferLeadership(transfereeId: string): Promise<TransferResult> {
    const host = this.#host;
    if (host === undefined) return Promise.resolve({ status: 'NOT_LEADER', leaderId: null });
    return host.transferLeadership(transfereeId);
  }

  /** Classic HA does not run in DLedger mode; the Raft address stands in the registration. */
  haServerAddr(): string {
    return `${this.#self.host}:${this.#self.port}`;
  }

  onMasterAddresses(addresses: MasterAddresses): void {
    this.#masterAddr = addresses.masterAddr === '' ? undefined : addresses.masterAddr;
  }

  /** Followers serve reads with slaveReadEnable, or while no leader is known. */
  servesReads(): boolean {
    const host = this.#host;
    if (host === undefined || host.role === Role.LEADER) return true;
    return this.#d.config.slaveReadEnable || host.leaderId === null;
  }

  async #syncRound(targets: SyncTargets, nameServers: readonly string[]): Promise<void> {
    if (this.#role?.isMaster !== false) return;
    const master = (await this.#routedMaster(nameServers)) ?? this.#masterAddr;
    if (master === undefined) return;
    await syncFromMaster(this.#clientFor(master), targets, RPC_TIMEOUT_MS);
  }

  /** The group's master as the first answering NameServer routes it (it changes on failover). */
  async #routedMaster(nameServers: readonly string[]): Promise<string | undefined> {
    for (const ns of nameServers) {
      try {
        const response = await this.#clientFor(ns).invoke(
          createRequest(RequestCode.GET_BROKER_CLUSTER_INFO),
          RPC_TIMEOUT_MS,
        );
        if (response.code !== ResponseCode.SUCCESS) continue;
        const group = decodeClusterInfo(response.body).brokerAddrTable[this.#d.config.brokerName];
        return group?.brokerAddrs['0'];
      } catch {
        // The next NameServer may answer.
      }
    }
    return undefined;
  }

  #clientFor(address: string): RemotingClient {
    let client = this.#clients.get(address);
    if (client === undefined) {
      client = new RemotingClient({ address, logger: this.#d.logger });
      this.#clients.set(address, client);
    }
    return client;
  }

  #plainLogger() {
    const logger = this.#d.logger;
    return { info: (m: string) => logger.info(m), warn: (m: string) => logger.warn(m) };
  }

  get fatalError(): Error | undefined {
    return this.#fatal;
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#syncing;
    for (const client of this.#clients.values()) await client.close();
  }

  async closeStore(): Promise<void> {
    await this.#raft?.close(RAFT_WORKER_CLOSE_MS);
    this.#proposeBatch();
    await this.#roleChain;
    const store = this.#store;
    await store?.close();
    // Closing flushed everything: every applied entry is durable.
    await this.#checkpointSaving;
    if (store !== undefined) this.#saveCheckpoint(store.replicaEndOffset);
  }
}
