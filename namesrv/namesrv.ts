// A running NameServer: the remoting server with the NameServer processors, the route table,
// the KV config, and the housekeeping that drops brokers whose connection closed (at once) or
// that stopped registering (after brokerChannelExpiredTime, checked every
// scanNotActiveBrokerInterval). Several NameServers run side by side without talking to each
// other; every broker registers with each of them. With enableControllerInNamesrv=true the
// NameServer also hosts a controller (controller/, docs/controller.md) on the same port.
//
// RocketMQ: namesrv/.../NamesrvController.java (initialize, start, shutdown, the scan task),
// namesrv/.../routeinfo/BrokerHousekeepingService.java (channel close -> onChannelDestroy).

import { assert } from '../common/assert.js';
import { type Clock, systemClock } from '../common/clock.js';
import type { NamesrvConfig } from '../config/load.js';
import type { FileIO } from '../engine/io/file-io.js';
import { type Logger, noopLogger, RemotingServer } from '../protocol/index.js';
import { nodeFileIo } from '../server/config-file.js';
import { remotingServerLimits } from '../server/connection-limits.js';
import { listenOrExplain } from '../server/listen.js';
import { serverSecurity } from '../server/security-setup.js';
import { ControllerNode } from './controller/controller-node.js';
import { registerControllerProcessors } from './controller/controller-processor.js';
import { KvConfig } from './kv-config.js';
import { startNamesrvMetrics } from './namesrv-metrics.js';
import { registerNamesrvProcessors } from './namesrv-processors.js';
import { RouteInfoTable } from './route-info-table.js';

export interface NamesrvDeps {
  clock?: Clock;
  logger?: Logger;
  io?: FileIO;
}

export interface NamesrvHandle {
  /** The bound address, e.g. "0.0.0.0:9876". */
  readonly listenAddress: string;
  readonly port: number;
  readonly routes: RouteInfoTable;
  /** http://host:port/metrics with metricsExporterType=PROM, else undefined. */
  readonly metricsUrl: string | undefined;
  /** The hosted controller (enableControllerInNamesrv=true), else undefined. */
  readonly controller: ControllerNode | undefined;
  /** Stops accepting, closes every connection and the timers. Idempotent. */
  close(): Promise<void>;
}

/** Starts a NameServer from a loaded config; resolves once it listens. */
export async function startNamesrv(
  config: NamesrvConfig,
  deps: NamesrvDeps = {},
): Promise<NamesrvHandle> {
  const logger = deps.logger ?? noopLogger;
  const clock = deps.clock ?? systemClock;
  const routes = new RouteInfoTable({
    clock,
    brokerChannelExpiredTimeMs: config.brokerChannelExpiredTime,
  });
  const kv = new KvConfig(deps.io ?? nodeFileIo, config.kvConfigPath);
  kv.load();
  const security = serverSecurity(config, logger);
  const server = new RemotingServer({
    ...remotingServerLimits(config),
    ...security.serverOptions,
    logger,
  });
  registerNamesrvProcessors(server, {
    routes,
    kv,
    orderMessageEnable: config.orderMessageEnable,
    logger,
  });
  const controller = config.enableControllerInNamesrv
    ? new ControllerNode({ config, clock, logger, io: deps.io ?? nodeFileIo })
    : undefined;
  if (controller !== undefined) registerControllerProcessors(server, controller);
  server.onConnectionClose((connection, reason) => {
    for (const addr of routes.onChannelClosed(connection.id)) {
      logger.info('Broker removed: its connection closed', { brokerAddr: addr, reason });
    }
  });
  let bound: { host: string; port: number };
  try {
    bound = await listenOrExplain(server, 'NameServer', config.bindAddress, config.listenPort);
  } catch (error) {
    security.close();
    throw error;
  }
  const scanTimer = setInterval(() => {
    for (const addr of routes.scanNotActiveBrokers()) {
      logger.warn('Broker removed: no registration within brokerChannelExpiredTime', {
        brokerAddr: addr,
        brokerChannelExpiredTime: config.brokerChannelExpiredTime,
      });
    }
  }, config.scanNotActiveBrokerInterval);
  let closing: Promise<void> | undefined;
  assert(bound.port > 0, 'NameServer bound a port');
  let metrics: Awaited<ReturnType<typeof startNamesrvMetrics>>;
  try {
    await controller?.start(bound.port);
    metrics = await startNamesrvMetrics(config, routes, bound.port);
  } catch (error) {
    clearInterval(scanTimer);
    await controller?.close();
    await server.close();
    throw error;
  }
  return {
    listenAddress: `${bound.host}:${bound.port}`,
    port: bound.port,
    routes,
    metricsUrl: metrics?.url,
    controller,
    close: () => {
      closing ??= (async () => {
        clearInterval(scanTimer);
        await controller?.close();
        security.close();
        await metrics?.close();
        await server.close();
      })();
      return closing;
    },
  };
}
