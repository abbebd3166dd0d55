// mqbroker: starts a broker (RocketMQ: broker/.../BrokerStartup.java).
//
//   mqbroker -c broker.properties [-n namesrvAddr] [-p] [--lenient] [--key=value ...]
//
// -c reads a RocketMQ broker .properties file (namesrvAddr, listenPort, storePathRootDir and
// every other key may come from it); -n sets namesrvAddr ("host:port;host:port"); -p prints the
// effective config with the source of every value and exits; --key=value overrides a key.
// Prints `listening host:port` once it serves requests and stops cleanly on SIGINT / SIGTERM.

import { startBroker } from '../broker/broker.js';
import { formatWarning } from '../config/config-error.js';
import { loadBrokerConfig } from '../config/load.js';
import { createConsoleLogger, runMain, say, stopOnSignals } from './cli-kit.js';
import { loadServerConfig } from './server-config.js';

const USAGE = `Usage: mqbroker -c broker.properties [-n namesrvAddr] [-p] [--lenient] [--key=value ...]
  -c <file>      RocketMQ broker .properties file
  -n <addr>      NameServer addresses, "host:port;host:port" (wins over the file)
  -p             print the effective config and exit
  --lenient      unknown keys are warnings instead of errors
  --key=value    set a config key (wins over the file)
  -h, --help     this help`;

async function main(): Promise<number | undefined> {
  const loaded = loadServerConfig(USAGE, loadBrokerConfig, { takesNamesrvAddr: true });
  if (loaded === null) return 0;
  const config = loaded.config;
  const logger = createConsoleLogger(`broker ${config.brokerName}`);
  for (const warning of loaded.warnings) logger.warn(formatWarning(warning));
  if (config.namesrvAddr === undefined) logger.warn('No namesrvAddr: the broker registers nowhere');
  const broker = await startBroker(config, { logger });
  stopOnSignals([broker], logger);
  const names = (config.namesrvAddr ?? []).map((a) => `${a.host}:${a.port}`).join(';');
  say(`listening ${broker.listenAddress}`);
  if (broker.metricsUrl !== undefined) say(`metrics ${broker.metricsUrl}`);
  say(
    `The broker[${config.brokerName}, ${broker.brokerAddr}] boot success. serializeType=JSON and name server is ${names || '(none)'}`,
  );
  return undefined;
}

runMain(USAGE, main);
