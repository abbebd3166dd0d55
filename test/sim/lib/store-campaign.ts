// Runs many seeds of the store's power-loss simulation and summarizes them; a failure prints its
// violation, the command that replays it exactly and the tail of its trace.

import { runStoreSimulation, type StoreCanary, type StoreSimResult } from './store-sim.js';

export interface StoreCampaign {
  runs: number;
  failures: StoreSimResult[];
  text: string;
}

export async function runStoreCampaign(
  seeds: readonly number[],
  canary?: StoreCanary,
): Promise<StoreCampaign> {
  const failures: StoreSimResult[] = [];
  const totals = { puts: 0, acked: 0, powerLosses: 0, crashesMidCall: 0, recoveries: 0 };
  const more = { segmentsExpired: 0, filesTorn: 0, dirsReverted: 0, syncSeeds: 0 };
  for (const seed of seeds) {
    const r = await runStoreSimulation({ seed, ...(canary === undefined ? {} : { canary }) });
    if (!r.ok) failures.push(r);
    totals.puts += r.stats.puts;
    totals.acked += r.stats.acked;
    totals.powerLosses += r.stats.powerLosses;
    totals.crashesMidCall += r.stats.crashesMidCall;
    totals.recoveries += r.stats.recoveries;
    more.segmentsExpired += r.stats.segmentsExpired;
    more.filesTorn += r.stats.filesTorn;
    more.dirsReverted += r.stats.dirsReverted;
    if (r.stats.flushDiskType === 'SYNC_FLUSH') more.syncSeeds++;
  }
  const text =
    `${seeds.length} seeds (${more.syncSeeds} SYNC_FLUSH), ${failures.length} failed; ` +
    `${totals.puts} puts (${totals.acked} acknowledged durable), ${totals.powerLosses} power losses ` +
    `(${totals.crashesMidCall} inside a file call), ${totals.recoveries} recoveries, ` +
    `${more.segmentsExpired} segments expired, ${more.filesTorn} files torn, ` +
    `${more.dirsReverted} directories reverted`;
  return { runs: seeds.length, failures, text };
}

export function formatStoreFailure(r: StoreSimResult, canary?: StoreCanary): string {
  const flag = canary === undefined ? '' : ` --canary ${canary}`;
  return [
    `seed=${r.seed} FAILED: ${r.violation}`,
    `replay: SEED=${r.seed} npm run sim:store --${flag} --trace`,
    ...r.traceTail.slice(-15).map((line) => `  ${line}`),
  ].join('\n');
}
