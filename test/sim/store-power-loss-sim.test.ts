// The store's power-loss simulation, default suite: 1,000 seeds of the shipped recovery and write
// path on a disk that loses unsynced writes (test/sim/lib/power-loss-disk.ts), each checked for
// lost acknowledged puts, lost flushed bytes, phantom or changed records, and ConsumeQueue/index
// disagreement (store-sim-checks.ts). A failure prints the command that replays its seed. SEED=<n>
// runs only that seed; SEED_BASE moves the window; --long (PETREL_LONG=1) runs 20,000 seeds, and
// `npm run sim:store -- --seeds N` any number.
//
// The canaries prove the simulation can fail for the reason it names: acknowledging SYNC_FLUSH
// puts before their fdatasync, or letting the checkpoint vouch for ConsumeQueues and index that
// were not fdatasync'ed, or for CommitLog bytes beyond the flushed position, must each fail within
// the default seeds. A checkpoint written without its fdatasync must stay harmless: a checkpoint
// only ever understates what is durable, so losing it loses nothing (the canary that matters for
// the checkpoint is what it claims, not whether it is synced).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLongRun, testSeeds } from '../harness/seed.js';
import { formatStoreFailure, runStoreCampaign } from './lib/store-campaign.js';
import { runStoreSimulation, StoreCanary } from './lib/store-sim.js';

/** 1,000 seeds by default; 20,000 with `npm run test:... -- --long` (PETREL_LONG=1). */
const SEED_COUNT = isLongRun() ? 20_000 : 1000;
const CHUNK = 250;
const seeds = testSeeds(SEED_COUNT, 1);

describe('store power-loss simulation (default suite)', () => {
  for (let start = 0; start < seeds.length; start += CHUNK) {
    const chunk = seeds.slice(start, start + CHUNK);
    it(`keeps every acknowledged put and agrees with itself for seeds ${chunk[0]}..${chunk.at(-1)}`, async (t) => {
      const summary = await runStoreCampaign(chunk);
      t.diagnostic(summary.text);
      const report = summary.failures.slice(0, 3).map((f) => formatStoreFailure(f));
      assert.equal(summary.failures.length, 0, `\n${report.join('\n\n')}`);
    });
  }
});

/** The first default seed that fails with the canary on, or undefined. */
async function firstFailure(
  canary: StoreCanary,
): Promise<{ seed: number; violation: string } | undefined> {
  for (let seed = 1; seed <= SEED_COUNT; seed++) {
    const r = await runStoreSimulation({ seed, canary });
    if (!r.ok) return { seed, violation: r.violation ?? '' };
  }
  return undefined;
}

describe('store power-loss simulation replay', () => {
  it('replays a seed exactly (same events, same outcome)', async () => {
    const first = await runStoreSimulation({ seed: 7 });
    const again = await runStoreSimulation({ seed: 7 });
    assert.equal(again.eventHash, first.eventHash);
    assert.deepEqual(again.stats, first.stats);
    assert.ok(first.stats.powerLosses > 0 && first.stats.puts > 0, 'seed 7 exercises power loss');
  });
});

describe('store power-loss simulation canaries', () => {
  it('fails when SYNC_FLUSH puts are acknowledged before the fdatasync', async (t) => {
    const failed = await firstFailure(StoreCanary.ackBeforeSync);
    assert.ok(
      failed !== undefined,
      'no default seed noticed acknowledgements before the fdatasync',
    );
    t.diagnostic(`seed ${failed.seed}: ${failed.violation}`);
  });

  it('fails when the checkpoint vouches for ConsumeQueues and index that were not fdatasynced', async (t) => {
    const failed = await firstFailure(StoreCanary.skipLogicsSync);
    assert.ok(
      failed !== undefined,
      'no default seed noticed the missing ConsumeQueue/index fdatasync',
    );
    t.diagnostic(`seed ${failed.seed}: ${failed.violation}`);
  });

  it('fails when the checkpoint vouches for CommitLog bytes no fdatasync covered', async (t) => {
    const failed = await firstFailure(StoreCanary.checkpointAheadOfFlush);
    assert.ok(failed !== undefined, 'no default seed noticed a checkpoint ahead of the flush');
    t.diagnostic(`seed ${failed.seed}: ${failed.violation}`);
  });

  it('stays correct when only the checkpoint itself is not fdatasynced (200 seeds)', async () => {
    const summary = await runStoreCampaign(
      Array.from({ length: 200 }, (_, i) => i + 1),
      StoreCanary.skipCheckpointSync,
    );
    assert.equal(summary.failures.length, 0, summary.failures[0]?.violation);
  });
});
