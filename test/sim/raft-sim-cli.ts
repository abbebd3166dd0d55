// Command line for the Raft simulator:
//
//   npm run sim -- --seeds N [--base B] [--nodes 3|5]    run N seeds (from B, default 1) and summarize
//   npm run sim -- --seed S [--trace] [--nodes 3|5]      replay one seed, optionally with its trace
//   npm run sim -- --elections N [--nodes 3|5]           leader-crash scenario: election figures
//   npm run sim -- --store ...                         store simulation (applied stores, S1-S2)
//   npm run sim -- ... --bug ackBeforePersist|ackBeforeQuorum|quorumOneShort|grantVoteToStaleLog|skipLogSync (with --store)
//
// SEED=<n> in the environment is the same as --seed <n>. Exits 1 when any seed fails.

import { parseArgs } from 'node:util';
import { formatFailure, formatSummary, runCampaign } from './lib/campaign.js';
import { type CliArgs, cliArgs } from './lib/cli-args.js';
import { runSimulation, SimBug, type SimScenario } from './lib/raft-sim.js';

const cli: CliArgs = cliArgs(
  'raft-sim',
  'usage: npm run sim -- [--seeds N [--base B]] [--seed S [--trace]] [--elections N] [--nodes 3|5] [--bug NAME]',
);

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    seed: { type: 'string' },
    base: { type: 'string' },
    elections: { type: 'string' },
    nodes: { type: 'string' },
    bug: { type: 'string' },
    scenario: { type: 'string' },
    trace: { type: 'boolean', default: false },
    store: { type: 'boolean', default: false },
  },
  strict: true,
});

const nodesValue = cli.count('nodes', values.nodes);
if (nodesValue !== undefined && nodesValue !== 3 && nodesValue !== 5)
  cli.usage('--nodes must be 3 or 5');
const nodeCount = nodesValue as 3 | 5 | undefined;
const bugNames = Object.values(SimBug) as string[];
if (values.bug !== undefined && !bugNames.includes(values.bug)) {
  cli.usage(`--bug must be one of ${bugNames.join(', ')}`);
}
const bug = values.bug as SimBug | undefined;
const scenarioText = values.scenario ?? 'faults';
if (scenarioText !== 'faults' && scenarioText !== 'leader-crash') {
  cli.usage('--scenario must be faults or leader-crash');
}
const scenario: SimScenario = scenarioText;
const common = {
  ...(nodeCount === undefined ? {} : { nodeCount }),
  ...(bug === undefined ? {} : { bug }),
  ...(values.store ? { store: true } : {}),
};

const envSeed = process.env['SEED'];
const oneSeed = cli.count('seed', values.seed ?? (envSeed === '' ? undefined : envSeed));

if (oneSeed !== undefined) {
  const result = runSimulation({
    seed: oneSeed,
    ...common,
    scenario,
    ...(values.trace ? { trace: (line: string) => console.log(line) } : {}),
  });
  console.log(JSON.stringify(result.stats));
  console.log(`seed=${oneSeed} ${result.ok ? 'ok' : `FAILED: ${result.violation}`}`);
  console.log(`event hash ${result.eventHash.toString(16)}`);
  process.exit(result.ok ? 0 : 1);
}

const elections = cli.count('elections', values.elections);
const seedCount = elections ?? cli.count('seeds', values.seeds) ?? 100;
const base = cli.count('base', values.base ?? process.env['SEED_BASE']) ?? 1;
const seeds = Array.from({ length: seedCount }, (_, i) => base + i);
const campaignOptions = {
  ...common,
  scenario: elections === undefined ? scenario : ('leader-crash' as const),
};
const summary = runCampaign({ seeds, ...campaignOptions });
for (const failure of summary.failures.slice(0, 5)) {
  console.log(formatFailure(failure, campaignOptions));
}
console.log(`seeds ${base}..${base + seedCount - 1}, scenario ${campaignOptions.scenario}`);
console.log(formatSummary(summary));
process.exit(summary.failures.length === 0 ? 0 : 1);
