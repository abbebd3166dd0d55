// A standalone controller (`mqcontroller -c controller.properties`): a remoting server on
// listenPort answering the controller requests, and the controller node (Raft on the
// controllerDLegerPeers port). The same node runs inside a NameServer with
// enableControllerInNamesrv=true (namesrv.ts).
//
// RocketMQ: controller/.../ControllerStartup.java, ControllerManager.java.

import { type Clock, systemClock } from '../../common/clock.js';
import type { ControllerProcessConfig } from '../../config/controller-schema.js';
import type { FileIO } from '../../engine/io/file-io.js';
import { type Logger, noopLogger, RemotingServer } from '../../protocol/index.js';
import { nodeFileIo } from '../../server/config-file.js';
import { remotingServerLimits } from '../../server/connection-limits.js';
import { listenOrExplain } from '../../server/listen.js';
import { ControllerNode } from './controller-node.js';
import { registerControllerProcessors } from './controller-processor.js';

export interface ControllerProcessDeps {
  clock?: Clock;
  logger?: Logger;
  io?: FileIO;
}

export interface ControllerHandle {
  /** The bound address, e.g. "0.0.0.0:9880". */
  readonly listenAddress: string;
  readonly port: number;
  readonly node: ControllerNode;
  /** Stops the node and the server. Idempotent. */
  close(): Promise<void>;
}

export async function startController(
  config: ControllerProcessConfig,
  deps: ControllerProcessDeps = {},
): Promise<ControllerHandle> {
  const logger = deps.logger ?? noopLogger;
  const node = new ControllerNode({
    config,
    clock: deps.clock ?? systemClock,
    logger,
    io: deps.io ?? nodeFileIo,
  });
  const server = new RemotingServer({ ...remotingServerLimits(config), logger });
  registerControllerProcessors(server, node);
  const bound = await listenOrExplain(server, 'controller', config.bindAddress, config.listenPort);
  try {
    await node.start(bound.port);
  } catch (error) {
    await node.close();
    await server.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    listenAddress: `${bound.host}:${bound.port}`,
    port: bound.port,
    node,
    close: () => {
      closing ??= (async () => {
        await node.close();
        await server.close();
      })();
      return closing;
    },
  };
}
