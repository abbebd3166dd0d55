// A broker in RocketMQ 5 controller mode (enableControllerMode=true): a Master/Slave replica whose
// role the controller decides (docs/controller.md). It obtains its id, registers, heartbeats every
// brokerHeartbeatInterval with its epoch and offsets, and follows the controller's word: the
// NOTIFY_BROKER_ROLE_CHANGED push and CONTROLLER_GET_REPLICA_INFO every syncBrokerMetadataPeriod.
//
// Roles and epochs (RocketMQ: ReplicasManager.changeToMaster / changeToSlave, AutoSwitchHAService):
// - becoming master at epoch e: the HA client stops, the store reopens as master with its
//   CommitLog ending at the last complete record, the epoch file records (e, that end), the store's
//   live role is fenced by e, and the broker re-registers with every NameServer at once;
// - becoming slave of M at epoch e: a master's store is fenced at once (puts refused from the
//   call on), reopens as a replica, and replicates from M's HA address (learnt from the NameServers,
//   where M registers it). The epoch handshake cuts the replica to the last common epoch and
//   offset; the cut bytes are moved aside, named in the log.
// - a master that has not reached any controller for controllerHeartBeatTimeoutMills fences itself
//   (the controller gives it up no sooner), as it does when a replica reports a newer epoch or the
//   controller refuses its ALTER_SYNC_STATE_SET as fenced.
// The master keeps the SyncStateSet (sync-state-set-check.ts); with allAckInSyncStateSet=true its
// puts wait for the replica while the set holds one.

import type { Clock } from '../common/clock.js';
import { ErrorCode, MqError } from '../common/errors.js';
import type { BrokerConfig } from '../config/load.js';
import { type EpochEntry, EpochFile, entriesUpTo } from '../engine/checkpoint/epoch-file.js';
import type { BrokerStore } from '../engine/internal.js';
import { NodeFileIO } from '../engine/io/node-file-io.js';
import { StoreRole } from '../engine/message-store.js';
import { SlaveReplica } from '../ha/master-slave/slave-replica.js';
import { type Logger, RemotingClient, ResponseCode, type SyncStateSet } from '../protocol/index.js';
import { outboundSecurity } from '../server/security-setup.js';
import { openReplicatedStore } from './broker-replication.js';
import type { BrokerRoleState } from './broker-role.js';
import { ControllerClient, ControllerRefusal, type MasterInfo } from './controller-client.js';
import { obtainBrokerId } from './controller-identity.js';
import type { MasterAddresses } from './namesrv-registrar.js';
import { type SyncTargets, syncFromMaster } from './replica-sync.js';
import { StoreHolder } from './store-holder.js';
import { SyncStateSetCheck } from './sync-state-set-check.js';

const RPC_TIMEOUT_MS = 3000;
/** How often a new slave re-registers to learn its master's HA address, and how many times. */
const HA_ADDRESS_RETRY_MS = 200;
const HA_ADDRESS_MAX_TRIES = 50;
/** A slave that has not heard its master for this long asks the NameServers again. */
const HA_ADDRESS_REFRESH_MS = 1000;
/** Pause between attempts to reach the controller at start, and how many to get an id. */
const REGISTER_RETRY_MS = 500;
const ID_MAX_ATTEMPTS = 120;

export interface ControllerModeDeps {
  config: BrokerConfig;
  port: number;
  brokerAddr: string;
  clock: Clock;
  logger: Logger;
}

export interface ControllerModeLinks {
  role: BrokerRoleState;
  targets: SyncTargets;
  /** One forced registration round with every NameServer. */
  registerNow(): Promise<unknown>;
}

export class BrokerControllerMode {
  readonly #d: ControllerModeDeps;
  readonly #client: ControllerClient;
  readonly #epochs: EpochFile;
  readonly #plain: { info(m: string): void; warn(m: string): void };
  #brokerId = 0;
  readonly #holder = new StoreHolder<BrokerStore>();
  #replica: SlaveReplica<BrokerStore> | undefined;
  #links: ControllerModeLinks | undefined;
  /** The newest master epoch the controller told of, and who that master is. */
  #knownEpoch = 0;
  #masterId: number | undefined;
  #masterAddr: string | undefined;
  #isMaster = false;
  #syncStateSet: SyncStateSet = { syncStateSet: [], syncStateSetEpoch: 0 };
  #setCheck: SyncStateSetCheck | undefined;
  #masterEntries: EpochEntry[] = [];
  #chain: Promise<void> = Promise.resolve();
  #timers: NodeJS.Timeout[] = [];
  readonly #brokerClients = new Map<string, RemotingClient>();
  #inFlight = new Set<string>();
  #lastHeartbeatOkMs: number;
  readonly #leaseMs: number;
  #masterHeardMs = 0;
  #stopped = false;

  constructor(deps: ControllerModeDeps) {
    this.#d = deps;
    const { config, logger } = deps;
    this.#client = new ControllerClient({
      addresses: (config.controllerAddr ?? []).map((a) => `${a.host}:${a.port}`),
      timeoutMs: RPC_TIMEOUT_MS,
      heartbeatTimeoutMs: Math.min(RPC_TIMEOUT_MS, config.controllerHeartBeatTimeoutMills),
      logger,
    });
    this.#epochs = EpochFile.open(new NodeFileIO(), config.storePathEpochFile ?? '');
    this.#plain = { info: (m) => logger.info(m), warn: (m) => logger.warn(m) };
    this.#lastHeartbeatOkMs = deps.clock.monotonicMs();
    this.#leaseMs = config.controllerHeartBeatTimeoutMills - config.brokerHeartbeatInterval;
  }

  get brokerId(): number {
    return this.#brokerId;
  }

  get epochEntries(): readonly EpochEntry[] {
    return this.#epochs.entries;
  }

  get store(): BrokerStore {
    return this.#holder.store;
  }

  /** Runs `listener` now and on every store that replaces this one. */
  onStore(listener: (store: BrokerStore) => void): void {
    this.#holder.onStore(listener);
  }

  #useStore(store: BrokerStore): void {
    this.#holder.use(store);
  }

  /** Controller figures for runtime info. */
  status(): Record<string, number | string> {
    return {
      controllerBrokerId: this.#brokerId,
      controllerMasterEpoch: this.#knownEpoch,
      controllerEpoch: this.#epochs.lastEpoch,
      controllerSyncStateSet: this.#syncStateSet.syncStateSet.join(','),
      controllerLeader: this.#client.leader ?? '',
    };
  }

  /** Obtains the broker's id from the controller and opens the store as an idle replica. */
  async open(): Promise<void> {
    const { config, clock } = this.#d;
    const request = {
      io: new NodeFileIO(),
      clock,
      storePathRootDir: config.storePathRootDir,
      clusterName: config.brokerClusterName,
      brokerName: config.brokerName,
      brokerAddr: this.#d.brokerAddr,
      preferredId: config.brokerId,
    };
    // The controllers may still be electing their leader: retry, for a bounded time.
    for (let attempt = 1; ; attempt++) {
      try {
        this.#brokerId = await obtainBrokerId(this.#client, request);
        break;
      } catch (error) {
        const local = error instanceof MqError && error.code === ErrorCode.CONFIG_INVALID;
        if (local || attempt >= ID_MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, REGISTER_RETRY_MS));
      }
    }
    this.#d.logger.info('Controller mode: broker id obtained', { brokerId: this.#brokerId });
    await this.#openReplica();
  }

  async #openReplica(): Promise<void> {
    const { config } = this.#d;
    const replica = new SlaveReplica<BrokerStore>(
      {
        heartbeatIntervalMs: config.haSendHeartbeatInterval,
        housekeepingIntervalMs: config.haHousekeepingInterval,
        reconnectDelayMs: 200,
        maxFrameBodyBytes: 4 * Math.max(config.haTransferBatchSize, 32 * 1024),
      },
      {
        open: (truncateTo) => this.#openStore('SLAVE', truncateTo),
        clock: this.#d.clock,
        logger: this.#plain,
        onStore: (store) => {
          this.#epochs.truncateFrom(store.getMaxPhyOffset() + 1);
          this.#useStore(store);
        },
        epochs: {
          replicaIdentity: () => ({ brokerId: this.#brokerId, epochs: this.#epochs.entries }),
          onMasterEpochs: (entries) => {
            this.#masterEntries = entries;
            this.#copyMasterEpochs();
          },
        },
      },
    );
    this.#replica = replica;
    await replica.start(undefined);
  }

  #openStore(
    role: BrokerConfig['brokerRole'],
    truncateTo?: number,
    epochEntries?: readonly EpochEntry[],
  ): Promise<BrokerStore> {
    return openReplicatedStore(this.#d.config, this.#d.port, this.#plain, {
      brokerRole: role,
      truncateTo,
      ...(epochEntries === undefined ? {} : { epochEntries }),
    });
  }

  /** A replica copies its master's epochs as the bytes they cover arrive. */
  #copyMasterEpochs(): void {
    if (this.#isMaster || this.#masterEntries.length === 0) return;
    const end = this.#holder.current?.getMaxPhyOffset() ?? 0;
    try {
      this.#epochs.replace(entriesUpTo(this.#masterEntries, end));
    } catch (error) {
      this.#d.logger.warn('Epoch file not updated', { error: String(error) });
    }
  }

  /** Registers with the controller and starts following it. */
  start(links: ControllerModeLinks): void {
    this.#links = links;
    const { config } = this.#d;
    void this.#registerUntilDone();
    const every = (ms: number, name: string, task: () => Promise<void>) =>
      this.#timers.push(setInterval(() => this.#once(name, task), ms));
    // The lease is checked on every tick, even while a heartbeat to a silent controller waits.
    this.#timers.push(
      setInterval(() => {
        this.#checkLease();
        this.#once('heartbeat', () => this.#heartbeat());
      }, config.brokerHeartbeatInterval),
    );
    every(config.syncBrokerMetadataPeriod, 'metadata', () => this.#refresh());
    every(config.checkSyncStateSetPeriod, 'syncStateSet', () => this.#checkSyncStateSet());
    every(config.slaveSynchronizeInterval, 'slaveSync', () => this.#syncFromMaster());
  }

  /** Runs a periodic task unless its previous run is still going (no pile-up). */
  #once(name: string, task: () => Promise<void>): void {
    if (this.#stopped || this.#inFlight.has(name)) return;
    this.#inFlight.add(name);
    task()
      .catch((error: unknown) =>
        this.#d.logger.debug('Controller mode task failed', { task: name, error: String(error) }),
      )
      .finally(() => this.#inFlight.delete(name));
  }

  async #registerUntilDone(): Promise<void> {
    const { config, logger } = this.#d;
    while (!this.#stopped) {
      try {
        const info = await this.#client.register(
          config.brokerClusterName,
          config.brokerName,
          this.#brokerId,
          this.#d.brokerAddr,
        );
        logger.info('Registered with the controller', { ...info, syncStateSet: undefined });
        this.#apply(info, 'register');
        if (info.masterBrokerId === undefined) await this.#elect();
        return;
      } catch (error) {
        logger.warn('Registration with the controller failed; retrying', { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, REGISTER_RETRY_MS));
      }
    }
  }

  async #elect(): Promise<void> {
    const { config } = this.#d;
    try {
      const info = await this.#client.electMaster(
        config.brokerClusterName,
        config.brokerName,
        this.#brokerId,
      );
      this.#apply(info, 'elect');
    } catch (error) {
      this.#d.logger.debug('Election request not granted', { error: String(error) });
    }
  }

  async #refresh(): Promise<void> {
    const info = await this.#client.getReplicaInfo(this.#d.config.brokerName);
    this.#apply(info, 'replica info');
    if (info.masterBrokerId === undefined) await this.#elect();
  }

  /** NOTIFY_BROKER_ROLE_CHANGED from the controller leader. */
  onRoleNotification(info: MasterInfo): void {
    this.#apply(info, 'notification');
  }

  /** Follows the controller's word, ignoring anything older than what it already knows. */
  #apply(info: MasterInfo, source: string): void {
    if (info.masterEpoch < this.#knownEpoch) return;
    const newer = info.masterEpoch > this.#knownEpoch;
    const set = info.syncStateSet;
    if (set !== undefined && set.syncStateSetEpoch >= this.#syncStateSet.syncStateSetEpoch)
      this.#adoptSyncStateSet(set);
    if (info.masterBrokerId === undefined) {
      this.#knownEpoch = info.masterEpoch;
      if (newer && this.#isMaster)
        this.#fence(`the controller has no master at epoch ${info.masterEpoch}`);
      return;
    }
    const changed =
      newer || info.masterBrokerId !== this.#masterId || info.masterAddress !== this.#masterAddr;
    if (!changed) return;
    this.#knownEpoch = info.masterEpoch;
    this.#masterId = info.masterBrokerId;
    this.#masterAddr = info.masterAddress;
    const epoch = info.masterEpoch;
    this.#d.logger.info('Controller decision', {
      source,
      masterBrokerId: info.masterBrokerId,
      epoch,
    });
    if (info.masterBrokerId === this.#brokerId) this.#chainRole(() => this.#becomeMaster(epoch));
    else if (info.masterAddress !== undefined) {
      const address = info.masterAddress;
      this.#chainRole(() => this.#becomeSlave(address, epoch));
    }
  }

  #adoptSyncStateSet(set: SyncStateSet): void {
    this.#syncStateSet = {
      syncStateSet: [...set.syncStateSet],
      syncStateSetEpoch: set.syncStateSetEpoch,
    };
    if (this.#isMaster) this.#applyAckRule();
  }

  /** allAckInSyncStateSet: wait for the replica while the set holds one beside this master. */
  #applyAckRule(): void {
    const others = this.#syncStateSet.syncStateSet.some((id) => id !== this.#brokerId);
    this.#holder.current?.setReplicaAckRequired(this.#d.config.allAckInSyncStateSet && others);
  }

  #chainRole(step: () => Promise<void>): void {
    this.#chain = this.#chain.then(step).catch((error: unknown) => {
      this.#d.logger.error('Controller mode role change failed', { error: String(error) });
    });
  }

  async #becomeMaster(epoch: number): Promise<void> {
    if (this.#stopped || epoch < this.#knownEpoch) return;
    const { config, clock, logger } = this.#d;
    // The old master's epochs must not be copied over this one's from now on.
    this.#masterEntries = [];
    if (this.#epochs.lastEpoch > epoch) {
      logger.error('Refusing to become master at an older epoch than the epoch file holds', {
        epoch,
        fileEpoch: this.#epochs.lastEpoch,
      });
      return;
    }
    const end = await this.#closeCurrentStore();
    // Bytes past the last complete record (a replicated record cut short) are moved aside.
    if (this.#epochs.lastEpoch < epoch) this.#epochs.append(epoch, end);
    const store = await this.#openStore(
      config.allAckInSyncStateSet ? 'SYNC_MASTER' : 'ASYNC_MASTER',
      end,
      this.#epochs.entries,
    );
    this.#logCut(store);
    await store.changeRole(StoreRole.MASTER, epoch);
    this.#isMaster = true;
    this.#setCheck = new SyncStateSetCheck({
      selfId: this.#brokerId,
      maxNotCaughtUpMs: config.haMaxTimeSlaveNotCatchup,
      epochStartOffset: this.#epochs.entries.at(-1)?.startOffset ?? 0,
      nowMs: clock.monotonicMs(),
      wroteOffset: store.getMaxPhyOffset(),
    });
    this.#useStore(store);
    this.#applyAckRule();
    this.#lastHeartbeatOkMs = clock.monotonicMs();
    logger.info('Controller mode: this broker is the master now', { epoch, startOffset: end });
    this.#links?.role.changeRole(config.allAckInSyncStateSet ? 'SYNC_MASTER' : 'ASYNC_MASTER', 0);
  }

  async #becomeSlave(masterAddress: string, epoch: number): Promise<void> {
    if (this.#stopped || epoch < this.#knownEpoch) return;
    this.#masterEntries = [];
    if (this.#replica === undefined) {
      await this.#fenceNow(epoch);
      await this.#closeCurrentStore();
      await this.#openReplica();
    }
    this.#d.logger.info('Controller mode: this broker is a slave', { masterAddress, epoch });
    this.#replica?.setMasterAddress(undefined);
    void this.#learnMasterHaAddress(masterAddress);
  }

  /** Fences a master's store at once: puts are refused from this call on. */
  async #fenceNow(epoch: number): Promise<void> {
    const store = this.#holder.current;
    this.#isMaster = false;
    if (store !== undefined && store.role === StoreRole.MASTER)
      await store.changeRole(StoreRole.SLAVE, Math.max(epoch, store.fence));
    if (this.#links?.role.isMaster === true) this.#links.role.changeRole('SLAVE', this.#brokerId);
  }

  /** A deposed master stops taking writes now, then asks the controller what happened. */
  #fence(reason: string): void {
    if (!this.#isMaster) return;
    this.#d.logger.warn('Controller mode: this master fences itself', { reason });
    const store = this.#holder.current;
    this.#isMaster = false;
    // Synchronous part of changeRole: new puts are refused before this returns.
    if (store !== undefined)
      void store.changeRole(StoreRole.SLAVE, store.fence).catch(() => undefined);
    this.#chainRole(async () => {
      if (this.#links?.role.isMaster === true) this.#links.role.changeRole('SLAVE', this.#brokerId);
      // Forget the master so the next answer (even at the same epoch) is acted on.
      this.#masterId = undefined;
      this.#masterAddr = undefined;
    });
    void this.#refresh().catch(() => undefined);
  }

  /** Closes the store (a replica's or a master's) and returns where its last complete record ends. */
  async #closeCurrentStore(): Promise<number> {
    const replica = this.#replica;
    this.#replica = undefined;
    const store = this.#holder.current;
    if (replica !== undefined) await replica.close();
    else await store?.close();
    const figures = store?.storageFigures();
    return figures === undefined ? 0 : Math.min(figures.dispatchedOffset, figures.wroteOffset);
  }

  #logCut(store: BrokerStore): void {
    const cut = store.recoveryReport.truncated;
    if (cut !== undefined)
      this.#d.logger.warn('Controller mode: CommitLog cut at the last complete record', { ...cut });
  }

  /** A new slave re-registers until a NameServer hands out its master's HA address. */
  async #learnMasterHaAddress(masterAddress: string): Promise<void> {
    for (let i = 0; i < HA_ADDRESS_MAX_TRIES && !this.#stopped; i++) {
      if (this.#masterAddr !== masterAddress || this.#isMaster) return;
      if (this.#replica?.client?.masterAddress !== undefined) return;
      await this.#links?.registerNow().catch(() => undefined);
      if (this.#replica?.client?.masterAddress !== undefined) return;
      await new Promise((resolve) => setTimeout(resolve, HA_ADDRESS_RETRY_MS));
    }
  }

  /**
   * A slave that has not heard its master for a second re-registers (at most once a second): the
   * master may have reopened its store on a new HA port, which the NameServers then hand out.
   */
  #refreshMasterHaAddress(nowMs: number): void {
    const client = this.#replica?.client;
    if (this.#masterAddr === undefined || client === undefined || client.isMasterHeard) {
      this.#masterHeardMs = nowMs;
      return;
    }
    if (nowMs - this.#masterHeardMs < HA_ADDRESS_REFRESH_MS) return;
    this.#masterHeardMs = nowMs;
    void this.#links?.registerNow().catch(() => undefined);
  }

  /** The NameServers' view of the master (their answers to a slave's registration). */
  onMasterAddresses(addresses: MasterAddresses): void {
    if (this.#isMaster || addresses.masterAddr !== this.#masterAddr) return;
    if (addresses.haServerAddr !== '') this.#replica?.setMasterAddress(addresses.haServerAddr);
  }

  async #heartbeat(): Promise<void> {
    const { config, clock } = this.#d;
    const store = this.#holder.current;
    if (store === undefined || this.#brokerId === 0) return;
    const sentMs = clock.monotonicMs();
    const maxOffset = store.getMaxPhyOffset();
    const ha = store.haStatus();
    const ok = await this.#client.heartbeat({
      clusterName: config.brokerClusterName,
      brokerAddr: this.#d.brokerAddr,
      brokerName: config.brokerName,
      brokerId: this.#brokerId,
      epoch: this.#epochs.lastEpoch,
      maxOffset,
      confirmOffset:
        this.#isMaster && ha.slaveCount > 0 ? Math.min(maxOffset, ha.slaveAckedOffset) : maxOffset,
      heartbeatTimeoutMills: config.controllerHeartBeatTimeoutMills,
    });
    if (ok) this.#lastHeartbeatOkMs = Math.max(this.#lastHeartbeatOkMs, sentMs);
    if (!this.#isMaster) {
      this.#copyMasterEpochs();
      this.#refreshMasterHaAddress(sentMs);
    }
  }

  /**
   * A master that a replica has seen deposed, or that no controller has heard from for
   * controllerHeartBeatTimeoutMills - brokerHeartbeatInterval (counted from the send of the last
   * heartbeat one took, so the controller gives it up no sooner), fences itself.
   */
  #checkLease(): void {
    const store = this.#holder.current;
    if (!this.#isMaster || store === undefined) return;
    const { clock } = this.#d;
    const peerEpoch = store.haStatus().peerEpoch;
    if (peerEpoch > this.#epochs.lastEpoch)
      this.#fence(`a replica has seen epoch ${peerEpoch}, newer than ${this.#epochs.lastEpoch}`);
    // Checked every brokerHeartbeatInterval: one interval early, so the fence comes no later
    // than controllerHeartBeatTimeoutMills after the last heartbeat a controller took.
    else if (clock.monotonicMs() - this.#lastHeartbeatOkMs > this.#leaseMs)
      this.#fence(`no controller took a heartbeat for ${this.#leaseMs} ms`);
  }

  async #checkSyncStateSet(): Promise<void> {
    const store = this.#holder.current;
    const check = this.#setCheck;
    if (!this.#isMaster || store === undefined || check === undefined) return;
    const current = this.#syncStateSet;
    const next = check.check(
      current.syncStateSet,
      store.haStatus(),
      store.getMaxPhyOffset(),
      this.#d.clock.monotonicMs(),
    );
    if (next === undefined) return;
    try {
      const epoch = await this.#client.alterSyncStateSet(
        this.#d.config.brokerName,
        this.#brokerId,
        this.#epochs.lastEpoch,
        { syncStateSet: next, syncStateSetEpoch: current.syncStateSetEpoch },
      );
      this.#d.logger.info('SyncStateSet changed', { from: current.syncStateSet, to: next, epoch });
      this.#adoptSyncStateSet({ syncStateSet: next, syncStateSetEpoch: epoch });
    } catch (error) {
      const code = error instanceof ControllerRefusal ? error.responseCode : undefined;
      const fenced =
        code === ResponseCode.CONTROLLER_FENCED_MASTER_EPOCH ||
        code === ResponseCode.CONTROLLER_INVALID_MASTER;
      if (!fenced && code !== ResponseCode.CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH) throw error;
      // The controller's current word decides: a newer master fences this one (#apply); a
      // change overtaken by another is retried at the next check. Unreachable: fence now.
      await this.#refresh().catch(() => {
        if (fenced) this.#fence(`the controller refused the SyncStateSet change: ${String(error)}`);
      });
    }
  }

  async #syncFromMaster(): Promise<void> {
    const master = this.#masterAddr;
    if (this.#isMaster || master === undefined || master === this.#d.brokerAddr) return;
    const links = this.#links;
    if (links !== undefined)
      await syncFromMaster(this.#clientFor(master), links.targets, RPC_TIMEOUT_MS);
  }

  #clientFor(address: string): RemotingClient {
    let client = this.#brokerClients.get(address);
    if (client === undefined) {
      client = new RemotingClient({
        address,
        logger: this.#d.logger,
        ...outboundSecurity(this.#d.config),
      });
      this.#brokerClients.set(address, client);
    }
    return client;
  }

  /** The HA address a master registers: brokerIP2 and the port its HA sender bound. */
  haServerAddr(): string {
    const { config } = this.#d;
    const port = this.#isMaster ? (this.#holder.current?.haStatus().haPort ?? 0) : 0;
    return `${config.brokerIP2}:${port > 0 ? port : config.haListenPort}`;
  }

  /** A master serves reads; a slave with slaveReadEnable, or while its master is not heard. */
  servesReads(): boolean {
    if (this.#isMaster) return true;
    return this.#d.config.slaveReadEnable || this.#replica?.client?.isMasterHeard !== true;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    await this.#chain;
    await this.#client.close();
    for (const client of this.#brokerClients.values()) await client.close();
  }

  async closeStore(): Promise<void> {
    await this.#chain;
    if (this.#replica !== undefined) await this.#replica.close();
    else await this.#holder.current?.close();
  }
}
