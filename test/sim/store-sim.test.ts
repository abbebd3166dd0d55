// The store simulation (default suite): 500 seeds of the shipped RaftHost over the shipped
// FileLogStore on a simulated file system (SimFileIO: unsynced writes lost or byte-torn in a crash,
// recovery through FileLogStore.open) and the simulated network, with a simulated store per node
// (test/sim/lib/sim-applied-store.ts: committed entries appended to a byte log that is durable up to
// its last flush, the restarted host given that index as appliedIndex). Checked after every event:
// S1 committed prefixes byte-identical, S2 no acknowledged entry lost, F1 the file store's recovery
// keeps everything that was durable, beside the Raft checkers (D1 at most one leader per term,
// D2-D6). A failing seed prints its replay command. Then the broken host (answers COMMITTED before
// a majority holds the entry) must make it fail.
//
// The engine's in-thread store is not what runs here: its pipeline commits on setImmediate and
// flushes on setInterval (real time), which the simulator's synchronous virtual time cannot drive.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLongRun, testSeeds } from '../harness/seed.js';
import { formatFailure, formatSummary, replayCommand, runCampaign } from './lib/campaign.js';
import { runSimulation, SimBug } from './lib/raft-sim.js';

/** 500 seeds by default; --long (PETREL_LONG=1) runs 5,000. */
const SEED_COUNT = isLongRun() ? 5000 : 500;
const CHUNK = 250;
const seeds = testSeeds(SEED_COUNT, 500_001);

describe('store simulation (default suite)', () => {
  for (let start = 0; start < seeds.length; start += CHUNK) {
    const chunk = seeds.slice(start, start + CHUNK);
    const first = chunk[0] as number;
    const last = chunk[chunk.length - 1] as number;
    it(`keeps every store, safety and liveness invariant for seeds ${first}..${last}`, (t) => {
      const summary = runCampaign({ seeds: chunk, store: true });
      t.diagnostic(formatSummary(summary).replaceAll('\n', '; '));
      const report = summary.failures.slice(0, 3).map((f) => formatFailure(f, { store: true }));
      assert.equal(summary.failures.length, 0, `\n${report.join('\n\n')}`);
    });
  }
});

describe('store simulation with a broken host', () => {
  const bug = SimBug.ACK_BEFORE_QUORUM;

  function failures(maxSeeds: number, checkDurabilityAtAck: boolean) {
    const found: { seed: number; violation: string }[] = [];
    for (let seed = 1; seed <= maxSeeds; seed++) {
      const result = runSimulation({ seed, bug, store: true, checkDurabilityAtAck });
      if (!result.ok) found.push({ seed, violation: result.violation ?? '' });
    }
    return found;
  }

  it('fails at once with the durability-at-ack check (D5)', (t) => {
    const found = failures(1, true);
    assert.equal(found.length, 1, 'seed 1 must fail');
    t.diagnostic(`seed ${found[0]?.seed}: ${found[0]?.violation}`);
    assert.match(found[0]?.violation ?? '', /^D5:/);
  });

  it('without D5, loses acknowledged entries that the checkers report', (t) => {
    const found = failures(10, false);
    for (const f of found) t.diagnostic(`seed ${f.seed}: ${f.violation}`);
    t.diagnostic(`replay: ${replayCommand(found[0]?.seed ?? 1, { bug, store: true })}`);
    assert.ok(found.length >= 3, `only ${found.length} of 10 seeds failed`);
    for (const f of found) assert.match(f.violation, /^(S[12]|D[1-6]|F1):/);
    assert.ok(
      found.some((f) => /^S2: .* (lacks|lost)/.test(f.violation)),
      'the store checker itself reports a lost acknowledged entry',
    );
  });

  it('catches a file store that does not fsync its entries (F1)', (t) => {
    for (let seed = 1; seed <= 10; seed++) {
      const result = runSimulation({ seed, bug: SimBug.SKIP_LOG_SYNC, store: true });
      if (result.ok) continue;
      t.diagnostic(`seed ${seed}: ${result.violation}`);
      assert.match(result.violation ?? '', /^(F1|D[1-6]|S[12]):/);
      return;
    }
    assert.fail('a file store without fsync went unnoticed for 10 seeds');
  });
});
