// Goal: two processes that open one store at the same moment never both get it.
// Method: two long-lived child processes race openStore on a fresh directory per round; the
// parent starts both in the same millisecond (a start time both spin towards), on a fresh store,
// on one with a stale lock of an older Petrel (`lock` naming a dead pid), and on one with a stale
// lock generation. Every round must have exactly one winner and one E_STORE_LOCKED.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnNode } from '../harness/spawn-process.js';
import { makeTmpDir } from '../harness/tmp-dir.js';

const child = fileURLToPath(new URL('../fixtures/engine/lock-race-child.js', import.meta.url));
const ROUNDS = 100;

/** A pid no process has now (kill(pid, 0) fails with ESRCH). */
function deadPid(): number {
  for (let pid = 4_000_000; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

describe('store lock under a race of two processes', () => {
  const dir = makeTmpDir('petrel-lock-race-');
  after(() => dir.remove());

  it(`gives the store to exactly one of two processes, ${ROUNDS} rounds of ${ROUNDS}`, {
    timeout: 300_000,
  }, async () => {
    const stale = String(deadPid());
    for (let round = 0; round < ROUNDS; round++) {
      const store = `${dir.path}/store-${round}`;
      mkdirSync(store);
      if (round % 3 === 1) writeFileSync(`${store}/lock`, stale);
      if (round % 3 === 2) writeFileSync(`${store}/lock.7`, stale);
    }
    const racers = [0, 1].map(() => spawnNode(child, [dir.path, String(ROUNDS)]));
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      writeFileSync(`${dir.path}/go-${round}`, String(Date.now() + 40));
      const lines = await Promise.all(
        racers.map((r) => r.waitForLine(new RegExp(`^${round} (won|locked)`), 30_000)),
      );
      outcomes.push(lines.sort().join(' / '));
      writeFileSync(`${dir.path}/done-${round}`, '');
      const finished = new RegExp(`^${round} (closed|locked)`);
      await Promise.all(racers.map((r) => r.waitForLine(finished, 30_000)));
    }
    await Promise.all(racers.map((r) => r.exited));
    const bad = outcomes.filter((o) => !/^\d+ locked E_STORE_LOCKED \/ \d+ won$/.test(o));
    assert.deepEqual(bad, [], 'rounds without exactly one winner and one E_STORE_LOCKED');
  });
});
