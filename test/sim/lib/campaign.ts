// Runs many simulation seeds and summarizes them: failures with their replay command and trace
// tail, fault counts, events per second, and the distributions reported in docs/raft.md.

import { runSimulation, type SimBug, type SimOptions, type SimResult } from './raft-sim.js';

export interface CampaignOptions {
  readonly seeds: readonly number[];
  readonly nodeCount?: 3 | 5;
  readonly bug?: SimBug;
  readonly scenario?: SimOptions['scenario'];
  /** Store simulation (SimOptions.store). */
  readonly store?: boolean;
  /** Stop at the first failure (the broken-core test wants the first one). */
  readonly stopAtFirstFailure?: boolean;
}

export interface CampaignFailure {
  readonly seed: number;
  readonly violation: string;
  readonly replayCommand: string;
}

export interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface CampaignSummary {
  readonly seedsRun: number;
  readonly threeNodeSeeds: number;
  readonly fiveNodeSeeds: number;
  readonly failures: readonly CampaignFailure[];
  readonly elapsedMs: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly simulatedMs: number;
  readonly proposals: number;
  readonly acked: number;
  readonly leaderTerms: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly healToLeaderTicks: Distribution;
  readonly leaderToAckTicks: Distribution;
  readonly leaderToAppliedTicks: Distribution;
  readonly crashToLeaderMs: Distribution;
  readonly crashToCommitMs: Distribution;
}

export function replayCommand(seed: number, options: Omit<CampaignOptions, 'seeds'>): string {
  const extra = [
    options.nodeCount === undefined ? '' : ` --nodes ${options.nodeCount}`,
    options.bug === undefined ? '' : ` --bug ${options.bug}`,
    options.scenario === 'leader-crash' ? ' --scenario leader-crash' : '',
    options.store === true ? ' --store' : '',
  ].join('');
  return `SEED=${seed} npm run sim -- --seed ${seed}${extra} --trace`;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = values.filter((v) => v >= 0).sort((a, b) => a - b);
  if (sorted.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

export function runCampaign(options: CampaignOptions): CampaignSummary {
  const started = performance.now();
  const results: SimResult[] = [];
  const failures: CampaignFailure[] = [];
  for (const seed of options.seeds) {
    const result = runSimulation({
      seed,
      ...(options.nodeCount === undefined ? {} : { nodeCount: options.nodeCount }),
      ...(options.bug === undefined ? {} : { bug: options.bug }),
      ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
      ...(options.store === true ? { store: true } : {}),
    });
    results.push(result);
    if (!result.ok) {
      failures.push({
        seed,
        violation: result.violation ?? 'unknown',
        replayCommand: replayCommand(seed, options),
      });
      if (options.stopAtFirstFailure === true) break;
    }
  }
  const elapsedMs = performance.now() - started;
  return summarize(results, failures, elapsedMs);
}

function summarize(
  results: readonly SimResult[],
  failures: readonly CampaignFailure[],
  elapsedMs: number,
): CampaignSummary {
  const faults: Record<string, number> = {};
  let events = 0;
  let simulatedMs = 0;
  let proposals = 0;
  let acked = 0;
  let leaderTerms = 0;
  for (const { stats } of results) {
    events += stats.events;
    simulatedMs += stats.simTimeMs;
    proposals += stats.proposals;
    acked += stats.acked;
    leaderTerms += stats.leaderTerms;
    for (const [kind, count] of Object.entries(stats.faults))
      faults[kind] = (faults[kind] ?? 0) + count;
  }
  const pick = (f: (r: SimResult) => number) => distribution(results.map(f));
  return {
    seedsRun: results.length,
    threeNodeSeeds: results.filter((r) => r.stats.nodeCount === 3).length,
    fiveNodeSeeds: results.filter((r) => r.stats.nodeCount === 5).length,
    failures,
    elapsedMs,
    events,
    eventsPerSecond: elapsedMs > 0 ? Math.round((events / elapsedMs) * 1000) : 0,
    simulatedMs,
    proposals,
    acked,
    leaderTerms,
    faults,
    healToLeaderTicks: pick((r) => r.stats.healToLeaderTicks),
    leaderToAckTicks: pick((r) => r.stats.leaderToAckTicks),
    leaderToAppliedTicks: pick((r) => r.stats.leaderToAppliedTicks),
    crashToLeaderMs: pick((r) => r.stats.crashToLeaderMs),
    crashToCommitMs: pick((r) => r.stats.crashToCommitMs),
  };
}

/** The last `lineCount` trace lines of a seed, by replaying it with tracing on. */
export function traceTail(
  seed: number,
  options: Omit<CampaignOptions, 'seeds'>,
  lineCount: number,
): string[] {
  const lines: string[] = [];
  runSimulation({
    seed,
    ...(options.nodeCount === undefined ? {} : { nodeCount: options.nodeCount }),
    ...(options.bug === undefined ? {} : { bug: options.bug }),
    ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
    ...(options.store === true ? { store: true } : {}),
    trace: (line) => {
      lines.push(line);
      if (lines.length > lineCount * 4) lines.splice(0, lines.length - lineCount);
    },
  });
  return lines.slice(-lineCount);
}

export function formatFailure(
  failure: CampaignFailure,
  options: Omit<CampaignOptions, 'seeds'>,
): string {
  return [
    `seed=${failure.seed} FAILED: ${failure.violation}`,
    `replay: ${failure.replayCommand}`,
    'last trace lines:',
    ...traceTail(failure.seed, options, 40).map((line) => `  ${line}`),
  ].join('\n');
}

export function formatSummary(summary: CampaignSummary): string {
  const d = (x: Distribution, unit: string) =>
    `p50 ${x.p50}${unit}, p99 ${x.p99}${unit}, max ${x.max}${unit} (n=${x.count})`;
  const faultText = Object.entries(summary.faults)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  return [
    `seeds ${summary.seedsRun} (${summary.threeNodeSeeds} x 3 nodes, ${summary.fiveNodeSeeds} x 5 nodes), failures ${summary.failures.length}`,
    `events ${summary.events} in ${(summary.elapsedMs / 1000).toFixed(1)} s = ${summary.eventsPerSecond} events/s; simulated ${(summary.simulatedMs / 1000).toFixed(0)} s`,
    `proposals ${summary.proposals}, acknowledged ${summary.acked}, leader terms ${summary.leaderTerms}`,
    `faults: ${faultText === '' ? 'none' : faultText}`,
    `heal -> agreed leader: ${d(summary.healToLeaderTicks, ' ticks')}`,
    `leader -> new proposal acknowledged: ${d(summary.leaderToAckTicks, ' ticks')}`,
    `leader -> new proposal applied everywhere: ${d(summary.leaderToAppliedTicks, ' ticks')}`,
    ...(summary.crashToLeaderMs.count > 0
      ? [
          `leader crash -> new leader: ${d(summary.crashToLeaderMs, ' ms')}`,
          `leader crash -> first commit of the new term: ${d(summary.crashToCommitMs, ' ms')}`,
        ]
      : []),
  ].join('\n');
}
