// mqcontroller: starts a standalone controller (RocketMQ 5: controller/.../ControllerStartup.java).
//
//   mqcontroller [-c controller.properties] [-p] [--lenient] [--key=value ...]
//
// -c reads a controller .properties file (controllerDLegerGroup, controllerDLegerPeers,
// controllerDLegerSelfId, controllerStorePath, ...; docs/controller.md); -p prints the effective
// config and exits. Prints `listening host:port` once it accepts controller requests, and stops
// cleanly on SIGINT / SIGTERM.

import { formatWarning } from '../config/config-error.js';
import { loadControllerConfig } from '../config/load.js';
import { startController } from '../namesrv/controller/controller-process.js';
import { createConsoleLogger, runMain, say, stopOnSignals } from './cli-kit.js';
import { loadServerConfig } from './server-config.js';

const USAGE = `Usage: mqcontroller [-c controller.properties] [-p] [--lenient] [--key=value ...]
  -c <file>      controller .properties file (RocketMQ 5 ControllerConfig keys)
  -p             print the effective config and exit
  --lenient      unknown keys are warnings instead of errors
  --key=value    set a config key (wins over the file)
  -h, --help     this help`;

async function main(): Promise<number | undefined> {
  const loaded = loadServerConfig(USAGE, loadControllerConfig);
  if (loaded === null) return 0;
  const logger = createConsoleLogger('controller');
  for (const warning of loaded.warnings) logger.warn(formatWarning(warning));
  const controller = await startController(loaded.config, { logger });
  stopOnSignals([controller], logger);
  say(`listening ${controller.listenAddress}`);
  say(`The Controller boot success. raft ${loaded.config.controllerDLegerSelfId}`);
  return undefined;
}

runMain(USAGE, main);
