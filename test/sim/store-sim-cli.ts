// Command line for the store's power-loss simulation:
//
//   npm run sim:store -- --seeds N [--base B]    run N seeds (from B, default 1) and summarize
//   npm run sim:store -- --seed S [--trace]      replay one seed, optionally with its trace
//   npm run sim:store -- ... --canary ackBeforeSync|skipLogicsSync|skipCheckpointSync|checkpointAheadOfFlush
//
// SEED=<n> in the environment is the same as --seed <n>. Exits 1 when any seed fails.

import { parseArgs } from 'node:util';
import { type CliArgs, cliArgs } from './lib/cli-args.js';
import { formatStoreFailure, runStoreCampaign } from './lib/store-campaign.js';
import { runStoreSimulation, StoreCanary } from './lib/store-sim.js';

const cli: CliArgs = cliArgs(
  'store-sim',
  'usage: npm run sim:store -- [--seeds N [--base B]] [--seed S [--trace]] [--canary NAME]',
);

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    seed: { type: 'string' },
    base: { type: 'string' },
    canary: { type: 'string' },
    trace: { type: 'boolean', default: false },
  },
  strict: true,
});
const canaryNames = Object.values(StoreCanary) as string[];
if (values.canary !== undefined && !canaryNames.includes(values.canary))
  cli.usage(`--canary must be one of ${canaryNames.join(', ')}`);
const canary = values.canary as StoreCanary | undefined;
const envSeed = process.env['SEED'];
const oneSeed = cli.count('seed', values.seed ?? (envSeed === '' ? undefined : envSeed));

if (oneSeed !== undefined) {
  const result = await runStoreSimulation({
    seed: oneSeed,
    ...(canary === undefined ? {} : { canary }),
    ...(values.trace ? { trace: (line: string) => console.log(line) } : {}),
  });
  console.log(JSON.stringify(result.stats));
  console.log(`seed=${oneSeed} ${result.ok ? 'ok' : `FAILED: ${result.violation}`}`);
  console.log(`event hash ${result.eventHash.toString(16)}`);
  process.exit(result.ok ? 0 : 1);
}

const seedCount = cli.count('seeds', values.seeds) ?? 1000;
const base = cli.count('base', values.base ?? process.env['SEED_BASE']) ?? 1;
const seeds = Array.from({ length: seedCount }, (_, i) => base + i);
const summary = await runStoreCampaign(seeds, canary);
console.log(summary.text);
for (const failure of summary.failures.slice(0, 5))
  console.log(`\n${formatStoreFailure(failure, canary)}`);
process.exit(summary.failures.length === 0 ? 0 : 1);
