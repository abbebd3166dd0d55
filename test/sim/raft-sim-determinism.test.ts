// Determinism: the same seed must give the same run. Twenty seeds execute twice and must produce
// the same event-hash (a running hash over every event's kind, node, time and message fields) and
// the same statistics; a trace replay must not change the run either.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testSeeds } from '../harness/seed.js';
import { runSimulation } from './lib/raft-sim.js';

describe('Raft simulation determinism', () => {
  it('gives the same event-hash sequence for the same seed', () => {
    for (const seed of testSeeds(20, 900_001)) {
      const first = runSimulation({ seed });
      const second = runSimulation({ seed });
      assert.equal(second.eventHash, first.eventHash, `seed=${seed}`);
      assert.deepEqual(second.stats, first.stats, `seed=${seed}`);
    }
  });

  it('is not changed by tracing', () => {
    const seed = testSeeds(1, 900_100)[0] as number;
    const lines: string[] = [];
    const traced = runSimulation({ seed, trace: (line) => lines.push(line) });
    assert.equal(traced.eventHash, runSimulation({ seed }).eventHash);
    assert.ok(lines.length > 100);
  });

  it('gives different runs for different seeds', () => {
    const seeds = Array.from({ length: 10 }, (_, i) => 900_200 + i);
    const hashes = new Set(seeds.map((seed) => runSimulation({ seed }).eventHash));
    assert.equal(hashes.size, 10);
  });
});
