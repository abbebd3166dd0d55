// petrel: Petrel's own commands.
//
//   petrel cluster [--host 127.0.0.1] [--namesrv-port 9876] [--broker-port 10911]
//                  [--data-dir ./data/cluster] [--key=value ...]
//     A NameServer and a broker in one process (what `npm start` runs): prints their addresses
//     and how to try them, stops cleanly on Ctrl-C. --key=value sets broker config keys.
//   petrel check-config <file> [--namesrv] [--lenient]
//     Loads a broker (or NameServer) .properties file and reports every problem and warning.
//   petrel bench engine|produce|consume|ha [options]   (petrel-bench.ts)

import { join } from 'node:path';
import { startBroker } from '../broker/broker.js';
import { formatWarning } from '../config/config-error.js';
import { loadBrokerConfig, loadNamesrvConfig } from '../config/load.js';
import { startNamesrv } from '../namesrv/namesrv.js';
import {
  createConsoleLogger,
  type ParsedArgs,
  parseCliArgs,
  runMain,
  say,
  stopOnSignals,
  UsageError,
} from './cli-kit.js';
import { BENCH_USAGE, bench } from './petrel-bench.js';

const USAGE = `Usage:
  petrel cluster [--host 127.0.0.1] [--namesrv-port 9876] [--broker-port 10911]
                 [--data-dir ./data/cluster] [--key=value ...]
      Runs a NameServer and a broker in this process; Ctrl-C stops both.
      --key=value sets a broker config key (e.g. --flushDiskType=SYNC_FLUSH).
  petrel check-config <file> [--namesrv] [--lenient]
      Checks a broker (or, with --namesrv, a NameServer) .properties file.
${BENCH_USAGE}`;

function portOf(args: ParsedArgs, name: string, fallback: number): string {
  const text = args.values.get(name) ?? String(fallback);
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`${name} must be a port number (0 picks a free one), got "${text}"`);
  }
  return text;
}

async function cluster(argv: readonly string[]): Promise<number | undefined> {
  const args = parseCliArgs(argv, {
    withValue: ['--host', '--namesrv-port', '--broker-port', '--data-dir'],
    flags: [],
  });
  if (args.positionals.length > 0) throw new UsageError(`Unexpected "${args.positionals[0]}"`);
  const host = args.values.get('--host') ?? '127.0.0.1';
  // Listening on every address: clients are told the machine's address (brokerIP1's default).
  const isWildcard = host === '0.0.0.0' || host === '::';
  const reachable = isWildcard ? '127.0.0.1' : host;
  const dataDir = args.values.get('--data-dir') ?? join('data', 'cluster');
  const namesrvConfig = loadNamesrvConfig({
    overrides: {
      bindAddress: host,
      listenPort: portOf(args, '--namesrv-port', 9876),
      kvConfigPath: join(dataDir, 'namesrv', 'kvConfig.json'),
    },
  });
  const brokerLoaded = loadBrokerConfig({
    overrides: {
      brokerName: 'broker-a',
      ...(isWildcard ? {} : { brokerIP1: host }),
      bindAddress: host,
      listenPort: portOf(args, '--broker-port', 10911),
      storePathRootDir: join(dataDir, 'broker-a'),
      // Replaced below by the NameServer's bound address; set here so the file checks pass.
      namesrvAddr: `${reachable}:9876`,
      ...args.overrides,
    },
  });
  const namesrvLogger = createConsoleLogger('namesrv');
  const brokerLogger = createConsoleLogger('broker broker-a');
  for (const warning of brokerLoaded.warnings) brokerLogger.warn(formatWarning(warning));
  const namesrv = await startNamesrv(namesrvConfig.config, { logger: namesrvLogger });
  const namesrvAddr = `${reachable}:${namesrv.port}`;
  const brokerConfig = {
    ...brokerLoaded.config,
    namesrvAddr: [{ host: reachable, port: namesrv.port }],
  };
  let broker: Awaited<ReturnType<typeof startBroker>>;
  try {
    broker = await startBroker(brokerConfig, { logger: brokerLogger });
  } catch (error) {
    await namesrv.close();
    throw error;
  }
  stopOnSignals([namesrv, broker], brokerLogger);
  say(`namesrv listening ${namesrvAddr}`);
  say(`broker listening ${broker.brokerAddr}`);
  say(
    `Petrel is running: NameServer ${namesrvAddr}, broker ${brokerConfig.brokerName} at ${broker.brokerAddr}, data in ${dataDir}`,
  );
  say(
    `Try it: npx mqadmin sendMessage -n ${namesrvAddr} -t TopicTest -p "hello" && npx mqadmin consumeMessage -n ${namesrvAddr} -t TopicTest`,
  );
  say('Press Ctrl-C to stop.');
  return undefined;
}

function checkConfig(argv: readonly string[]): number {
  const args = parseCliArgs(argv, { withValue: [], flags: ['--namesrv', '--lenient'] });
  const file = args.positionals[0];
  if (file === undefined || args.positionals.length > 1) {
    throw new UsageError('check-config takes one file');
  }
  const options = { file, overrides: args.overrides, lenient: args.flags.has('--lenient') };
  const loaded = args.flags.has('--namesrv')
    ? loadNamesrvConfig(options)
    : loadBrokerConfig(options);
  for (const warning of loaded.warnings) say(`warning: ${formatWarning(warning)}`);
  const what = args.flags.has('--namesrv') ? 'NameServer' : 'broker';
  say(`${file}: valid ${what} config (${loaded.warnings.length} warnings)`);
  return 0;
}

async function main(): Promise<number | undefined> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'cluster':
      return cluster(rest);
    case 'check-config':
      return checkConfig(rest);
    case 'bench':
      return bench(rest);
    case undefined:
    case '-h':
    case '--help':
      say(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

runMain(USAGE, main);
