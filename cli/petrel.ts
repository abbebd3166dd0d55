// petrel: Petrel's own commands.
//
//   petrel cluster [...]   the local Master/Slave cluster `npm start` runs (cli/petrel-cluster.ts)
//   petrel check-config <file> [--namesrv] [--lenient]
//     Loads a broker (or NameServer) .properties file and reports every problem and warning.
//   petrel check-config <dir>   a whole topology folder (check-topology.ts)
//   petrel bench engine|produce|consume|ha [options]   (petrel-bench.ts)

import { statSync } from 'node:fs';
import { formatWarning } from '../config/config-error.js';
import { loadBrokerConfig, loadNamesrvConfig } from '../config/load.js';
import { noopLogger } from '../protocol/logger.js';
import { outboundSecurity, serverSecurity } from '../server/security-setup.js';
import { checkTopology, formatFinding } from './check-topology.js';
import { parseCliArgs, runMain, say, UsageError } from './cli-kit.js';
import { BENCH_USAGE, bench } from './petrel-bench.js';
import { CLUSTER_USAGE, runCluster } from './petrel-cluster.js';

const USAGE = `Usage:
${CLUSTER_USAGE}
  petrel check-config <file> [--namesrv] [--lenient]
      Checks a broker (or, with --namesrv, a NameServer) .properties file.
  petrel check-config <dir>
      Checks a whole topology folder: duplicate brokerName + brokerId, DLedger peers, a
      SYNC_MASTER without a slave, ports used twice; each problem with its file and line.
${BENCH_USAGE}`;

function checkConfig(argv: readonly string[]): number {
  const args = parseCliArgs(argv, { withValue: [], flags: ['--namesrv', '--lenient'] });
  const file = args.positionals[0];
  if (file === undefined || args.positionals.length > 1) {
    throw new UsageError('check-config takes one file or one topology folder');
  }
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory() === true) {
    const { files, findings } = checkTopology(file);
    for (const finding of findings) say(formatFinding(finding));
    say(
      `${file}: ${files} files, ${findings.length === 0 ? 'a consistent topology' : `${findings.length} problems`}`,
    );
    return findings.length === 0 ? 0 : 1;
  }
  const options = { file, overrides: args.overrides, lenient: args.flags.has('--lenient') };
  const loaded = args.flags.has('--namesrv')
    ? loadNamesrvConfig(options)
    : loadBrokerConfig(options);
  for (const warning of loaded.warnings) say(`warning: ${formatWarning(warning)}`);
  // The ACL and TLS files are read as a start would read them: a missing one fails here too.
  serverSecurity(loaded.config, noopLogger).close();
  if ('useTLS' in loaded.config) outboundSecurity(loaded.config);
  const what = args.flags.has('--namesrv') ? 'NameServer' : 'broker';
  say(`${file}: valid ${what} config (${loaded.warnings.length} warnings)`);
  return 0;
}

async function main(): Promise<number | undefined> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'cluster':
      return runCluster(rest);
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
