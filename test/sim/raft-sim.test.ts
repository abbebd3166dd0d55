// The default simulation suite: 2,000 seeds of the real Raft core (about 70% 3-node and 30%
// 5-node clusters, drawn per seed) through the fault phase with every safety checker on, then the
// heal phase with the liveness bounds. A failing seed prints its violation, the command that
// replays it exactly and the tail of its trace. SEED=<n> runs only that seed; SEED_BASE moves the
// window; `npm run sim -- --seeds N` runs longer campaigns.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testSeeds } from '../harness/seed.js';
import { formatFailure, formatSummary, runCampaign } from './lib/campaign.js';

const SEED_COUNT = 2000;
const CHUNK = 250;
const seeds = testSeeds(SEED_COUNT, 1);

describe('Raft simulation (default suite)', () => {
  for (let start = 0; start < seeds.length; start += CHUNK) {
    const chunk = seeds.slice(start, start + CHUNK);
    const first = chunk[0] as number;
    const last = chunk[chunk.length - 1] as number;
    it(`keeps every safety and liveness invariant for seeds ${first}..${last}`, (t) => {
      const summary = runCampaign({ seeds: chunk });
      t.diagnostic(formatSummary(summary).replaceAll('\n', '; '));
      const report = summary.failures.slice(0, 3).map((f) => formatFailure(f, {}));
      assert.equal(summary.failures.length, 0, `\n${report.join('\n\n')}`);
    });
  }
});
