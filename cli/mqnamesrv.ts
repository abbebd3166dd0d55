// mqnamesrv: starts a NameServer (RocketMQ: namesrv/.../NamesrvStartup.java).
//
//   mqnamesrv [-c namesrv.properties] [-p] [--lenient] [--key=value ...]
//
// -c reads a RocketMQ NameServer .properties file; -p prints the effective config (with the
// source of every value) and exits; --key=value overrides a key. Prints `listening host:port`
// once it accepts connections, and stops cleanly on SIGINT / SIGTERM.

import { formatWarning } from '../config/config-error.js';
import { loadNamesrvConfig } from '../config/load.js';
import { startNamesrv } from '../namesrv/namesrv.js';
import { createConsoleLogger, runMain, say, stopOnSignals } from './cli-kit.js';
import { loadServerConfig } from './server-config.js';

const USAGE = `Usage: mqnamesrv [-c namesrv.properties] [-p] [--lenient] [--key=value ...]
  -c <file>      RocketMQ NameServer .properties file
  -p             print the effective config and exit
  --lenient      unknown keys are warnings instead of errors
  --key=value    set a config key (wins over the file)
  -h, --help     this help`;

async function main(): Promise<number | undefined> {
  const loaded = loadServerConfig(USAGE, loadNamesrvConfig);
  if (loaded === null) return 0;
  const logger = createConsoleLogger('namesrv');
  for (const warning of loaded.warnings) logger.warn(formatWarning(warning));
  const namesrv = await startNamesrv(loaded.config, { logger });
  stopOnSignals([namesrv], logger);
  // The console line comes first: supervisors read everything up to `listening`.
  if (namesrv.consoleUrl !== undefined) say(`console ${namesrv.consoleUrl}`);
  say(`listening ${namesrv.listenAddress}`);
  if (namesrv.metricsUrl !== undefined) say(`metrics ${namesrv.metricsUrl}`);
  say('The Name Server boot success. serializeType=JSON');
  return undefined;
}

runMain(USAGE, main);
