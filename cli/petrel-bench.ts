// petrel bench: the benchmarks of bench/e2e as one command. Each prints its table on stdout;
// --out=FILE also records it (the npm scripts bench, bench:cluster and bench:ha record theirs in
// bench/results/ by default).

import { runClusterBench } from '../bench/e2e/cluster-bench.js';
import { runEngineBench } from '../bench/e2e/engine-bench.js';
import { runHaBench } from '../bench/e2e/ha-bench.js';
import { ErrorCode, MqError } from '../common/errors.js';
import { say, UsageError } from './cli-kit.js';

export const BENCH_USAGE = `  petrel bench engine [--seconds=3] [--sizes=1024,16384] [--in-flight=1,256] [--dir=DIR]
                      [--out=FILE]
      The embedded engine at full speed (each flush mode, threads or not), beside the disk and
      CPU limits measured in the same run.
  petrel bench produce|consume [--duration=10] [--warmup=2] [--size=1024] [--concurrency=32]
                      [--clients=petrel,ali-ons] [--flush=ASYNC_FLUSH] [--queues=8]
                      [--messages=50000] [--rate=2000] [--out=FILE]
      A NameServer and a broker as child processes on loopback, driven by Petrel's client and
      ali-ons: msgs/s, latency p50/p99, broker event-loop delay, ratio to the embedded engine.
  petrel bench ha [--duration=10] [--warmup=2] [--size=1024] [--in-flight=1,32,256]
                      [--setups=standalone,ASYNC_MASTER,SYNC_MASTER] [--flush=ASYNC_FLUSH]
                      [--queues=8] [--sample=20] [--profile=DIR] [--out=FILE]
      A NameServer, a master and its slave as child processes: put msgs/s and latency per
      setup and sends in flight, replicated bytes/s, slave lag and catch-up, loop delays.`;

/** Without --out a benchmark run from the command line records nothing. */
function withOut(args: readonly string[]): string[] {
  return args.some((a) => a.startsWith('--out')) ? [...args] : [...args, '--out=none'];
}

async function run(kind: string, args: readonly string[]): Promise<number> {
  const command = `petrel bench ${kind} ${args.join(' ')}`.trim();
  switch (kind) {
    case 'engine':
      say(await runEngineBench(args, command));
      return 0;
    case 'produce':
    case 'consume':
      return runClusterBench(withOut([kind, ...args]), command);
    case 'ha':
      return runHaBench(withOut(args), command);
    default:
      throw new UsageError(
        kind === ''
          ? 'bench needs a kind'
          : `Unknown benchmark "${kind}" (engine, produce, consume or ha)`,
      );
  }
}

/** `petrel bench <kind> [options]`; a bad option is a usage error (exit 2). */
export async function bench(argv: readonly string[]): Promise<number> {
  const [kind = '', ...args] = argv;
  try {
    return await run(kind, args);
  } catch (error) {
    if (error instanceof MqError && error.code === ErrorCode.USAGE)
      throw new UsageError(error.message);
    throw error;
  }
}
