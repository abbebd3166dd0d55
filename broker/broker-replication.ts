// A broker's part in Master/Slave replication (RocketMQ: the HA wiring of BrokerController, and
// SlaveSynchronize). A master's store runs the HA sender (haListenPort) and the master registers
// its HA address; every slaveSynchronizeInterval it merges its slaves' consumer offsets. A slave's
// store is owned by a SlaveReplica, which replicates from the master's HA address (haMasterAddress,
// or the one the NameServers hand out) and may reopen the store after a divergence cut; every
// slaveSynchronizeInterval the slave copies its master's metadata (replica-sync.ts).
//
// Reads on a slave: with slaveReadEnable, always (the master points slow consumers here); without
// it, RocketMQ answers PULL_RETRY_IMMEDIATELY and sends consumers back to the master. Petrel does
// that only while the master is reachable (the HA link is up and the master has spoken on it: a
// TCP proxy in front of a dead master accepts connections too): once the HA link is down, the
// slave serves the pulls (and records their offsets), so consumers keep going while the master
// is away.

import type { Clock } from '../common/clock.js';
import type { BrokerConfig } from '../config/load.js';
import { toStoreOptions } from '../config/to-options.js';
import type { EpochEntry } from '../engine/checkpoint/epoch-file.js';
import { type BrokerStore, openBrokerStore } from '../engine/internal.js';
import { SlaveReplica } from '../ha/master-slave/slave-replica.js';
import {
  createRequest,
  decodeClusterInfo,
  type Logger,
  RemotingClient,
  RequestCode,
  ResponseCode,
} from '../protocol/index.js';
import { type OutboundSecurity, outboundSecurity } from '../server/security-setup.js';
import { createHaSenderFactory } from '../workers/store/ha-sender-host.js';
import type { MasterAddresses } from './namesrv-registrar.js';
import { pullOffsetsFrom, type SyncTargets, syncFromMaster } from './replica-sync.js';
import { StoreHolder } from './store-holder.js';

const RPC_TIMEOUT_MS = 3000;

/**
 * Opens the broker's store with the HA sender injected (a master serves slaves on haListenPort).
 * `brokerRole` overrides the configured one (controller mode decides it); `truncateTo` cuts the
 * CommitLog there (the cut bytes are moved aside); `epochEntries` turn on the epoch handshake.
 */
export function openReplicatedStore(
  config: BrokerConfig,
  port: number,
  logger: { info(message: string): void; warn(message: string): void },
  extra: {
    brokerRole?: BrokerConfig['brokerRole'];
    truncateTo?: number | undefined;
    epochEntries?: readonly EpochEntry[];
  } = {},
): Promise<BrokerStore> {
  const options = { ...toStoreOptions(config) };
  if (extra.brokerRole !== undefined) options.brokerRole = extra.brokerRole;
  // With listenPort=0 the port is known only now; STOREHOST (and message ids) must carry it.
  if (config.listenPort === 0 && options.storeHost === `${config.brokerIP1}:0`)
    options.storeHost = `${config.brokerIP1}:${port}`;
  return openBrokerStore(options, {
    logger,
    haSender: createHaSenderFactory(),
    ...(extra.truncateTo === undefined ? {} : { truncateCommitLogTo: extra.truncateTo }),
    ...(extra.epochEntries === undefined ? {} : { epochEntries: extra.epochEntries }),
  });
}

export interface ReplicationDeps {
  config: BrokerConfig;
  /** The port the broker listens on (STOREHOST carries it when listenPort=0). */
  port: number;
  clock: Clock;
  logger: Logger;
}

export class BrokerReplication {
  #d: ReplicationDeps;
  readonly #holder = new StoreHolder<BrokerStore>();
  #replica: SlaveReplica<BrokerStore> | undefined;
  #masterAddr: string | undefined;
  #clients = new Map<string, RemotingClient>();
  #timer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> = Promise.resolve();
  /** TLS and ACL credentials of the connections to the NameServers and the master. */
  readonly #outbound: OutboundSecurity;

  /** The store and the HA client log plain messages. */
  readonly #messageLogger: { info(message: string): void; warn(message: string): void };

  constructor(deps: ReplicationDeps) {
    this.#d = deps;
    this.#outbound = outboundSecurity(deps.config);
    this.#messageLogger = {
      info: (m) => deps.logger.info(m),
      warn: (m) => deps.logger.warn(m),
    };
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

  async open(): Promise<void> {
    const { config } = this.#d;
    if (config.brokerRole !== 'SLAVE') {
      this.#useStore(await this.#openStore());
      return;
    }
    const clientOptions = {
      heartbeatIntervalMs: config.haSendHeartbeatInterval,
      housekeepingIntervalMs: config.haHousekeepingInterval,
      reconnectDelayMs: 1000,
      maxFrameBodyBytes: 4 * Math.max(config.haTransferBatchSize, 32 * 1024),
    };
    const replica = new SlaveReplica<BrokerStore>(clientOptions, {
      open: (truncateTo) => this.#openStore(truncateTo),
      clock: this.#d.clock,
      logger: this.#messageLogger,
      onStore: (store) => this.#useStore(store),
    });
    this.#replica = replica;
    await replica.start(config.haMasterAddress);
  }

  #openStore(truncateTo?: number): Promise<BrokerStore> {
    const { config, port } = this.#d;
    return openReplicatedStore(config, port, this.#messageLogger, { truncateTo });
  }

  /** The HA address a master registers: brokerIP2 and the port its HA sender bound. */
  haServerAddr(): string {
    const { config } = this.#d;
    const port = this.#holder.current?.haStatus().haPort ?? 0;
    return `${config.brokerIP2}:${port > 0 ? port : config.haListenPort}`;
  }

  /** A slave learnt (or re-learnt) its master's addresses from a NameServer. */
  onMasterAddresses(addresses: MasterAddresses): void {
    this.#masterAddr = addresses.masterAddr === '' ? undefined : addresses.masterAddr;
    if (this.#d.config.haMasterAddress === undefined && addresses.haServerAddr !== '')
      this.#replica?.setMasterAddress(addresses.haServerAddr);
  }

  /** Whether a pull may be served here (always on a master; see the header comment for slaves). */
  servesReads(): boolean {
    if (this.#replica === undefined) return true;
    return this.#d.config.slaveReadEnable || !this.isMasterReachable();
  }

  /** The HA link is up and the master has spoken on it (not merely a TCP connect accepted). */
  isMasterReachable(): boolean {
    return this.#replica?.client?.isMasterHeard === true;
  }

  /** Starts the periodic metadata sync (slave) or offset merge (master). */
  start(targets: SyncTargets, nameServers: readonly string[], brokerAddr: string): void {
    const run = () => {
      this.#syncing = this.#syncRound(targets, nameServers, brokerAddr).catch((error: unknown) => {
        this.#d.logger.warn('Replica metadata sync failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
    };
    this.#timer = setInterval(run, this.#d.config.slaveSynchronizeInterval);
    run();
  }

  async #syncRound(
    targets: SyncTargets,
    nameServers: readonly string[],
    brokerAddr: string,
  ): Promise<void> {
    if (this.#replica !== undefined) {
      const master = this.#masterAddr;
      if (master === undefined || master === brokerAddr) return;
      const report = await syncFromMaster(this.#client(master), targets, RPC_TIMEOUT_MS);
      if (report.topicsReplaced || report.groupsReplaced || report.offsetsMoved > 0)
        this.#d.logger.info('Slave synchronized from its master', { master, ...report });
      return;
    }
    const slaves = await this.#slaveAddresses(nameServers, brokerAddr);
    for (const slave of slaves) {
      const moved = await pullOffsetsFrom(this.#client(slave), targets.offsets, RPC_TIMEOUT_MS);
      if (moved > 0)
        this.#d.logger.info('Consumer offsets carried back from a slave', { slave, moved });
    }
  }

  /** The other brokers of this group, from the first NameServer that answers. */
  async #slaveAddresses(nameServers: readonly string[], self: string): Promise<string[]> {
    for (const ns of nameServers) {
      try {
        const response = await this.#client(ns).invoke(
          createRequest(RequestCode.GET_BROKER_CLUSTER_INFO),
          RPC_TIMEOUT_MS,
        );
        if (response.code !== ResponseCode.SUCCESS) continue;
        const group = decodeClusterInfo(response.body).brokerAddrTable[this.#d.config.brokerName];
        return Object.entries(group?.brokerAddrs ?? {})
          .filter(([id, addr]) => id !== '0' && addr !== self)
          .map(([, addr]) => addr);
      } catch {
        // The next NameServer may answer.
      }
    }
    return [];
  }

  #client(address: string): RemotingClient {
    let client = this.#clients.get(address);
    if (client === undefined) {
      client = new RemotingClient({ address, logger: this.#d.logger, ...this.#outbound });
      this.#clients.set(address, client);
    }
    return client;
  }

  /** Stops syncing and replication; the store itself is closed by the broker. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#syncing;
    for (const client of this.#clients.values()) await client.close();
    this.#replica?.client?.close();
  }

  /** Closes the store (and, on a slave, its replication). */
  async closeStore(): Promise<void> {
    if (this.#replica !== undefined) await this.#replica.close();
    else await this.#holder.current?.close();
  }
}
