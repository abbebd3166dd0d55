// A running broker: the engine store, the remoting server with the broker's processors, the
// managers of topics, groups, offsets and clients, the long-poll hold service, the delayed-message
// service, and the registration with every NameServer. startBroker() brings them up in order and
// returns a handle whose close() takes them down in the reverse order.
//
// RocketMQ: broker/.../BrokerController.java (initialize, start, shutdown, registerBrokerAll,
// the scheduled tasks) and BrokerStartup.java (the CLI part lives in cli/mqbroker.ts).
//
// Start: listen (port 0 picks one) -> open the store (its STOREHOST is brokerIP1:<bound port>)
// -> load topics.json, subscriptionGroup.json, consumerOffset.json, delayOffset.json -> open the
// request gate -> register with the NameServers -> timers. Until the gate opens, known requests
// get SYSTEM_BUSY ("the broker is starting"); after close() starts, "shutting down".
// Close: gate closed -> timers stopped -> unregister -> held pulls answered -> server closed ->
// offsets persisted -> store closed.
//
// Seams for Master/Slave replication: BrokerRoleState (role and id in one place), `ha` in the
// deps (HA address to register, the master address a slave learns from the NameServers, and a
// close hook for a slave-sync service), suggestWhichBrokerId in pull responses.

import { totalmem } from 'node:os';
import { join } from 'node:path';
import { type Clock, systemClock } from '../common/clock.js';
import { PermName } from '../common/topic-rules.js';
import type { BrokerConfig } from '../config/load.js';
import type { BrokerStore as MessageStore } from '../engine/internal.js';
import type { FileIO } from '../engine/io/file-io.js';
import {
  type Logger,
  noopLogger,
  type RemotingConnection,
  RemotingServer,
} from '../protocol/index.js';
import { JsonStateFile, nodeFileIo } from '../server/config-file.js';
import { remotingServerLimits } from '../server/connection-limits.js';
import { listenOrExplain } from '../server/listen.js';
import { outboundSecurity, serverSecurity } from '../server/security-setup.js';
import { registerAdminOpsProcessors } from './admin-ops-processor.js';
import { registerAdminProcessors } from './admin-processor.js';
import { registerBrokerConfigUpdate } from './broker-config-update.js';
import type { BrokerContext, BrokerStats } from './broker-context.js';
import { BrokerControllerMode } from './broker-controller.js';
import { BrokerDledger } from './broker-dledger.js';
import { loadManagers, registeredTopics, type StoreWritability } from './broker-managers.js';
import { BrokerReplication } from './broker-replication.js';
import { BrokerRoleState } from './broker-role.js';
import { notifyConsumerIdsChanged, registerClientProcessors } from './client-processor.js';
import { ClientRegistry } from './client-registry.js';
import { registerControllerModeProcessors } from './controller-processor.js';
import type { DeferredStateFile } from './deferred-state-file.js';
import { parseDelayLevels } from './delay-levels.js';
import { registerDledgerAdmin } from './dledger-admin-processor.js';
import { createHaView } from './ha-status/broker-ha.js';
import { registerLockProcessors } from './lock-processor.js';
import { type RunningMetrics, startBrokerMetrics } from './metrics/broker-metrics-host.js';
import { sampleBrokerStats } from './metrics/broker-stats-data.js';
import { BrokerTraffic } from './metrics/broker-traffic.js';
import { StatsWindows } from './metrics/stats-windows.js';
import { NamesrvRegistrar, type RegisterRound } from './namesrv-registrar.js';
import { PullHoldService } from './pull-hold-service.js';
import { registerPullProcessor } from './pull-processor.js';
import { registerQueryProcessors } from './query-processor.js';
import { learnTopicsOnPromotion } from './replicated-topics.js';
import { registerReplyProcessors } from './reply-processor.js';
import { BROKER_REQUEST_CODES, RequestGate } from './request-gate.js';
import {
  parseDelayOffsetTable,
  renderDelayOffsetTable,
  ScheduleMessageService,
} from './schedule-message-service.js';
import { registerSendBackProcessor } from './send-back-processor.js';
import { registerSendProcessors } from './send-processor.js';
import { registerStatsProcessors } from './stats-processor.js';
import { registerStatsViewProcessors } from './stats-view-processor.js';
import type { TopicConfigWrapper } from './topic-config-manager.js';
import { registerEndTransactionProcessor } from './transaction/end-transaction-processor.js';
import { TransactionService } from './transaction/transaction-service.js';

export interface BrokerDeps {
  clock?: Clock;
  logger?: Logger;
  /** File system for the JSON state files (the store has its own). */
  io?: FileIO;
  /** Memory the slave-read rule is computed against; default the machine's. */
  memoryBytes?: number;
}

export interface BrokerHandle {
  /** The bound address, e.g. "0.0.0.0:10911". */
  readonly listenAddress: string;
  readonly port: number;
  /** What the NameServers hand to clients: brokerIP1:(advertisedListenPort or the bound port). */
  readonly brokerAddr: string;
  readonly role: BrokerRoleState;
  readonly store: MessageStore;
  /** http://host:port/metrics with metricsExporterType=PROM, else undefined. */
  readonly metricsUrl: string | undefined;
  /** One registration round with every NameServer now. */
  registerNow(): Promise<RegisterRound>;
  close(): Promise<void>;
}

/** Bound on the series of statsAll's windows (as on the metrics' traffic tables). */
const STATS_MAX_SERIES = 10_000;

/** How this broker replicates: classic Master/Slave, DLedger, or controller mode. */
type Replication = BrokerReplication | BrokerDledger | BrokerControllerMode;

interface Running {
  ctx: BrokerContext;
  replication: Replication;
  gate: RequestGate;
  server: RemotingServer;
  registrar: NamesrvRegistrar;
  timers: NodeJS.Timeout[];
  /** The delayed-message pass in progress, awaited before the store closes. */
  scheduleTick: Promise<unknown>;
  /** The transaction check pass in progress, awaited before the store closes. */
  transactionTick: Promise<unknown>;
  deps: BrokerDeps;
  /** Stops the ACL reload timer. */
  stopSecurity?: () => void;
  writability: StoreWritability;
  stateFiles: DeferredStateFile<unknown>[];
  metrics: RunningMetrics | undefined;
}

/** Starts a broker from a loaded config; resolves once it listens and has registered once. */
export async function startBroker(
  config: BrokerConfig,
  deps: BrokerDeps = {},
): Promise<BrokerHandle> {
  const logger = deps.logger ?? noopLogger;
  const clock = deps.clock ?? systemClock;
  const security = serverSecurity(config, logger);
  const server = new RemotingServer({
    ...remotingServerLimits(config),
    ...security.serverOptions,
    logger,
  });
  const traffic = new BrokerTraffic(STATS_MAX_SERIES, () => clock.nowMs());
  const gate = new RequestGate(server, BROKER_REQUEST_CODES, traffic, clock);
  let bound: { host: string; port: number };
  let replication: Replication;
  let brokerAddr: string;
  try {
    bound = await listenOrExplain(server, 'broker', config.bindAddress, config.listenPort);
    brokerAddr = `${config.brokerIP1}:${config.advertisedListenPort ?? bound.port}`;
    replication = createReplication(config, bound.port, brokerAddr, clock, logger);
    await replication.open();
  } catch (error) {
    security.close();
    await server.close();
    throw error;
  }
  const running = assemble(config, deps, {
    server,
    gate,
    replication,
    brokerAddr,
    clock,
    logger,
    traffic,
  });
  running.stopSecurity = security.close;
  registerProcessors(gate, running.ctx, replication);
  registerDledgerAdmin(gate, replication instanceof BrokerDledger ? replication : undefined);
  gate.open();
  watchConnections(running);
  const round = await running.registrar.register(true);
  const nameServers = (config.namesrvAddr ?? []).map((a) => `${a.host}:${a.port}`);
  if (replication instanceof BrokerDledger)
    await replication.startRaft(running.ctx.role, running.ctx, nameServers);
  else if (replication instanceof BrokerControllerMode)
    replication.start({
      role: running.ctx.role,
      targets: running.ctx,
      registerNow: () => running.registrar.register(true),
    });
  else replication.start(running.ctx, nameServers, brokerAddr);
  logger.info('Broker started', {
    brokerName: config.brokerName,
    brokerAddr,
    role: running.ctx.role.role,
    nameServers: running.registrar.nameServerCount,
    registered: round.registered,
  });
  startTimers(running);
  try {
    const link = replication instanceof BrokerReplication ? replication : {};
    running.metrics = await startBrokerMetrics(running.ctx, link, config.bindAddress);
  } catch (error) {
    await shutdown(running);
    throw error;
  }
  return handleOf(running, bound);
}

function createReplication(
  config: BrokerConfig,
  port: number,
  brokerAddr: string,
  clock: Clock,
  logger: Logger,
): Replication {
  if (config.enableControllerMode)
    return new BrokerControllerMode({ config, port, brokerAddr, clock, logger });
  return config.enableDLegerCommitLog
    ? new BrokerDledger({ config, port, clock, logger })
    : new BrokerReplication({ config, port, clock, logger });
}

function registerProcessors(gate: RequestGate, ctx: BrokerContext, replication: Replication): void {
  registerControllerModeProcessors(
    gate,
    replication instanceof BrokerControllerMode ? replication : undefined,
    ctx.config,
  );
  registerSendProcessors(gate, ctx);
  registerSendBackProcessor(gate, ctx);
  registerPullProcessor(gate, ctx);
  registerClientProcessors(gate, ctx);
  registerLockProcessors(gate, ctx);
  registerEndTransactionProcessor(gate, ctx);
  registerReplyProcessors(gate, ctx);
  registerQueryProcessors(gate, ctx);
  registerAdminProcessors(gate, ctx);
  registerStatsProcessors(gate, ctx);
  registerStatsViewProcessors(gate, ctx);
  registerAdminOpsProcessors(gate, ctx);
  registerBrokerConfigUpdate(gate, ctx);
}

interface AssembleParts {
  server: RemotingServer;
  gate: RequestGate;
  replication: Replication;
  brokerAddr: string;
  clock: Clock;
  logger: Logger;
  traffic: BrokerTraffic;
}

/**
 * A DLedger member starts as a follower (the Raft leader becomes master, broker-dledger.ts); a
 * controller-mode broker as a slave with its controller id (the controller names the master).
 */
function initialRole(config: BrokerConfig, replication: Replication): BrokerRoleState {
  if (replication instanceof BrokerDledger)
    return new BrokerRoleState('SLAVE', replication.followerBrokerId);
  if (replication instanceof BrokerControllerMode)
    return new BrokerRoleState('SLAVE', replication.brokerId);
  return new BrokerRoleState(config.brokerRole, config.brokerId);
}

function assemble(config: BrokerConfig, deps: BrokerDeps, parts: AssembleParts): Running {
  const { clock, logger, replication } = parts;
  const delayLevels = parseDelayLevels(config.messageDelayLevel);
  const managers = loadManagers(config, clock, deps.io ?? nodeFileIo, delayLevels.length, logger);
  const role = initialRole(config, replication);
  const schedule = scheduleService(config, deps, parts, delayLevels, () => role.isMaster);
  const writability: StoreWritability = { writable: true, changes: 0 };
  const wrapperOf = (only?: readonly string[]) =>
    registeredTopics(ctx.config, managers.topics, writability, only);
  const registrar = createRegistrar(config, parts, role, () => wrapperOf());
  // Before the registration below, so the route keeps the topics a promoted replica holds.
  learnTopicsOnPromotion(role, {
    store: () => parts.replication.store,
    topics: managers.topics,
    logger,
  });
  // A promotion or demotion changes brokerId: the NameServers must hear of it at once.
  reregisterOnRoleChange(role, registrar, logger);
  const stats: BrokerStats = {
    msgPutTotal: 0,
    msgGetTotal: 0,
    bootTimestamp: clock.nowMs(),
    traffic: parts.traffic,
    windows: new StatsWindows(STATS_MAX_SERIES),
  };
  let clients: ClientRegistry<RemotingConnection> | undefined;
  const transactions = transactionService(config, managers, parts, {
    isMaster: () => role.isMaster,
    producerChannel: (group) => clients?.producerChannel(group),
    topicsChanged: () => void registrar.register(true).catch(() => undefined),
  });
  const ctx: BrokerContext = {
    config,
    role,
    get store() {
      return replication.store;
    },
    servesReads: () => replication.servesReads(),
    ...managers,
    clients: new ClientRegistry<RemotingConnection>({
      clock,
      maxClients: config.maxClients,
      channelExpiredTimeMs: config.clientChannelExpiredTime,
    }),
    holds: new PullHoldService({ clock, maxHeld: config.maxHeldPullRequests }),
    schedule,
    transactions,
    delayLevels,
    clock,
    logger,
    brokerAddr: parts.brokerAddr,
    memoryBytes: deps.memoryBytes ?? totalmem(),
    stats,
    ...(replication instanceof BrokerReplication
      ? {}
      : { replicationInfo: () => replication.status() }),
    topicsChanged: (only) => registerChanged(registrar, wrapperOf, only),
    ha: createHaView(config, role, replication, clock, parts.brokerAddr),
  };
  clients = ctx.clients;
  const scheduleTick = Promise.resolve();
  return {
    ctx,
    replication,
    gate: parts.gate,
    server: parts.server,
    registrar,
    timers: [],
    scheduleTick,
    transactionTick: Promise.resolve(),
    deps,
    writability,
    stateFiles: managers.stateFiles,
    metrics: undefined,
  };
}

function scheduleService(
  config: BrokerConfig,
  deps: BrokerDeps,
  parts: AssembleParts,
  levels: readonly number[],
  isMaster: () => boolean,
): ScheduleMessageService {
  const schedule = new ScheduleMessageService({
    get store() {
      return parts.replication.store;
    },
    offsets: new JsonStateFile({
      io: deps.io ?? nodeFileIo,
      path: join(config.storePathRootDir, 'config', 'delayOffset.json'),
      parse: parseDelayOffsetTable,
      render: renderDelayOffsetTable,
    }),
    levels,
    clock: parts.clock,
    logger: parts.logger,
    isActive: isMaster,
  });
  schedule.load();
  return schedule;
}

function transactionService(
  config: BrokerConfig,
  managers: ReturnType<typeof loadManagers>,
  parts: AssembleParts,
  live: {
    isMaster(): boolean;
    producerChannel(group: string): RemotingConnection | undefined;
    topicsChanged(): void;
  },
): TransactionService {
  return new TransactionService({
    store: () => parts.replication.store,
    offsets: managers.offsets,
    producerChannel: live.producerChannel,
    ensureTopic: (topic) => {
      if (managers.topics.ensure(topic, 1, PermName.READ | PermName.WRITE).created) {
        live.topicsChanged();
      }
    },
    isActive: live.isMaster,
    clock: parts.clock,
    logger: parts.logger,
    timeoutMs: config.transactionTimeOut,
    checkIntervalMs: config.transactionCheckInterval,
    checkMax: config.transactionCheckMax,
    maxPending: config.maxPendingTransactions,
  });
}

/** All topics (a forced round), or `only` some of them (an incremental registration). */
async function registerChanged(
  registrar: NamesrvRegistrar,
  wrapperOf: (only: readonly string[]) => TopicConfigWrapper,
  only: readonly string[] | undefined,
): Promise<void> {
  if (only === undefined) await registrar.register(true);
  else await registrar.registerTopics(wrapperOf(only));
}

function createRegistrar(
  config: BrokerConfig,
  parts: AssembleParts,
  role: BrokerRoleState,
  topics: () => TopicConfigWrapper,
): NamesrvRegistrar {
  const { logger, replication } = parts;
  let learntMaster: string | undefined;
  return new NamesrvRegistrar({
    addresses: (config.namesrvAddr ?? []).map((a) => `${a.host}:${a.port}`),
    timeoutMs: config.registerBrokerTimeoutMills,
    logger,
    outbound: outboundSecurity(config),
    identity: () => ({
      clusterName: config.brokerClusterName,
      brokerName: config.brokerName,
      brokerAddr: parts.brokerAddr,
      brokerId: role.brokerId,
      haServerAddr: replication.haServerAddr(),
    }),
    topics,
    onMasterAddresses: (addresses) => {
      if (addresses.masterAddr !== learntMaster) {
        learntMaster = addresses.masterAddr;
        logger.info('Master learnt from a NameServer', { ...addresses });
      }
      replication.onMasterAddresses(addresses);
    },
  });
}

function registerAtOnce(registrar: NamesrvRegistrar, logger: Logger, after: string): void {
  registrar.register(true).catch((error: unknown) => {
    logger.warn(`Registration after ${after} failed`, { error: String(error) });
  });
}

/** A promotion or demotion changes brokerId: every NameServer hears of it at once. */
function reregisterOnRoleChange(
  role: BrokerRoleState,
  registrar: NamesrvRegistrar,
  logger: Logger,
): void {
  role.onChange((newRole, brokerId) => {
    registrar.register(true).then(
      (round) =>
        logger.info('Registered after a role change', { role: newRole, brokerId, ...round }),
      (error: unknown) => {
        logger.warn('Registration after a role change failed', { error: String(error) });
      },
    );
  });
}

function watchConnections(r: Running): void {
  const { ctx } = r;
  r.replication.onStore((store) => {
    store.onMessageArriving((topic, queueId, maxOffset) => {
      ctx.holds.notifyMessageArriving(topic, queueId, maxOffset);
    });
    store.onStorageFault((fault) => {
      if (r.writability.writable !== (fault === undefined)) {
        r.writability.writable = fault === undefined;
        r.writability.changes++;
      }
      if (fault === undefined) ctx.logger.info('The store takes writes again');
      else
        ctx.logger.error('The store refuses writes: storage fault', {
          code: fault.code,
          reason: fault.reason,
          latched: fault.latched,
        });
      // Withdraw (or restore) write permission on the NameServers now, not at the next period.
      registerAtOnce(r.registrar, ctx.logger, 'a storage fault change');
    });
  });
  r.server.onConnectionClose((connection) => {
    ctx.holds.onChannelClosed(connection.id);
    for (const group of ctx.clients.onChannelClosed(connection.id)) {
      ctx.logger.info('Consumer left: its connection closed', {
        group,
        client: connection.remoteAddress,
      });
      notifyConsumerIdsChanged(ctx, group);
    }
  });
}

function startTimers(r: Running): void {
  const { ctx } = r;
  const { config, logger } = ctx;
  const every = (ms: number, task: () => void) => r.timers.push(setInterval(task, ms));
  const report = (what: string) => (error: unknown) =>
    logger.error(`${what} failed`, {
      error: error instanceof Error ? error.message : String(error),
    });
  every(100, () => {
    ctx.holds.expire();
  });
  every(100, () => {
    r.scheduleTick = ctx.schedule.tick().catch(report('Delayed message delivery'));
  });
  every(1000, () => {
    r.transactionTick = ctx.transactions.tick().catch(report('Transaction check'));
  });
  every(config.flushConsumerOffsetInterval, () => {
    try {
      ctx.offsets.persist();
      ctx.schedule.persist();
    } catch (error) {
      report('Persisting consumer offsets')(error);
    }
  });
  every(10_000, () => sampleBrokerStats(ctx.stats.traffic, ctx.stats.windows, ctx.clock.nowMs()));
  every(10_000, () => {
    const expired = ctx.clients.scanExpired();
    for (const channel of expired.channels) channel.close();
    for (const group of expired.groups) notifyConsumerIdsChanged(ctx, group);
  });
  every(config.registerNameServerPeriod, () => {
    r.registrar.register(config.forceRegister).catch(report('Registration'));
  });
}

function handleOf(r: Running, bound: { host: string; port: number }): BrokerHandle {
  let closing: Promise<void> | undefined;
  return {
    listenAddress: `${bound.host}:${bound.port}`,
    port: bound.port,
    brokerAddr: r.ctx.brokerAddr,
    role: r.ctx.role,
    store: r.ctx.store,
    metricsUrl: r.metrics?.url,
    registerNow: () => r.registrar.register(true),
    close: () => {
      closing ??= shutdown(r);
      return closing;
    },
  };
}

async function shutdown(r: Running): Promise<void> {
  const { ctx } = r;
  r.gate.close();
  for (const timer of r.timers) clearInterval(timer);
  r.stopSecurity?.();
  await r.metrics?.close();
  await r.registrar.unregister();
  ctx.holds.wakeAll();
  await r.server.close();
  await r.replication.stop();
  await r.scheduleTick;
  await r.transactionTick;
  try {
    for (const file of r.stateFiles) file.close();
    ctx.offsets.persist();
    ctx.schedule.persist();
  } finally {
    await r.replication.closeStore();
    await r.registrar.close();
  }
  ctx.logger.info('Broker stopped', { brokerAddr: ctx.brokerAddr });
}
