// What each Master/Slave mode guarantees when power fails on the master, the slave or both
// (test/sim/lib/ha-power-loss-sim.ts; the table in docs/ha.md). Every mode and loss target runs the
// same seeds; "lost" means an acknowledged put is missing or changed after both stores recovered.
// The rows that may lose puts are asserted to lose some, so these seeds do reach the window.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrokerRole, FlushDiskType } from '../../engine/options.js';
import { LossTarget, runHaLossSimulation } from './lib/ha-power-loss-sim.js';

// Fixed seeds (not SEED): the "can be lost" rows need the whole set to reach the window.
const seeds = Array.from({ length: 25 }, (_, i) => i + 1);

async function tally(
  role: Extract<BrokerRole, 'SYNC_MASTER' | 'ASYNC_MASTER'>,
  flush: FlushDiskType,
  target: LossTarget,
) {
  const sum = { acked: 0, lostOnMaster: 0, lostOnBoth: 0 };
  for (const seed of seeds) {
    const r = await runHaLossSimulation(seed, role, flush, target);
    assert.equal(r.failure, undefined, `seed ${seed}: ${r.failure}`);
    sum.acked += r.acked;
    sum.lostOnMaster += r.lostOnMaster;
    sum.lostOnBoth += r.lostOnBoth;
  }
  return sum;
}

describe('Master/Slave power loss', () => {
  for (const role of ['SYNC_MASTER', 'ASYNC_MASTER'] as const) {
    for (const target of Object.values(LossTarget)) {
      it(`${role} + SYNC_FLUSH, power lost on ${target}: the master keeps every acknowledged put`, async (t) => {
        const r = await tally(role, 'SYNC_FLUSH', target);
        t.diagnostic(JSON.stringify(r));
        assert.ok(r.acked > 0);
        assert.equal(r.lostOnMaster, 0);
      });
    }
    it(`${role} + ASYNC_FLUSH, power lost on the slave: nothing acknowledged is lost`, async (t) => {
      const r = await tally(role, 'ASYNC_FLUSH', LossTarget.SLAVE);
      t.diagnostic(JSON.stringify(r));
      assert.equal(r.lostOnMaster, 0);
    });
  }

  it('SYNC_MASTER + ASYNC_FLUSH, power lost on the master: the slave holds what the master lost', async (t) => {
    const r = await tally('SYNC_MASTER', 'ASYNC_FLUSH', LossTarget.MASTER);
    t.diagnostic(JSON.stringify(r));
    assert.ok(r.lostOnMaster > 0, 'the seeds never reached the unflushed window');
    assert.equal(r.lostOnBoth, 0);
  });

  it('SYNC_MASTER + ASYNC_FLUSH, power lost on both: acknowledged puts can be lost', async (t) => {
    const r = await tally('SYNC_MASTER', 'ASYNC_FLUSH', LossTarget.BOTH);
    t.diagnostic(JSON.stringify(r));
    assert.ok(r.lostOnBoth > 0);
  });

  it('ASYNC_MASTER + ASYNC_FLUSH, power lost on the master: acknowledged puts can be lost', async (t) => {
    const r = await tally('ASYNC_MASTER', 'ASYNC_FLUSH', LossTarget.MASTER);
    t.diagnostic(JSON.stringify(r));
    assert.ok(r.lostOnBoth > 0);
  });
});
