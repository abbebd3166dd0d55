// Goal: no acknowledged SYNC_FLUSH message is ever lost, altered, duplicated or moved by a process
// crash (kill -9). The kernel keeps the page cache across it, so this says nothing about fsync or
// power loss: test/sim/store-power-loss-sim.test.ts, which drops unsynced writes, carries that claim.
// Method: a child process puts messages (16 in flight, bodies 32 B - 16 KiB, 1 MiB segments) and
// prints each acknowledgement; the test kills it with SIGKILL after a seeded random delay, then
// opens the store (crash recovery) and reads everything back. Rounds continue on the same store.
// SEED=<n> replays one round's timing; PETREL_LONG=1 (npm run test:fault -- --long) runs 150 rounds.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPrng } from '../../common/prng.js';
import { openStore } from '../../engine/index.js';
import { isLongRun, testSeeds } from '../harness/seed.js';
import { spawnNode } from '../harness/spawn-process.js';
import { type Ack, checkAcked, parseAcks, readAllMessages } from '../harness/store-checker.js';
import { makeTmpDir } from '../harness/tmp-dir.js';

const child = fileURLToPath(new URL('../fixtures/engine/store-child.js', import.meta.url));
const verifyOptions = {
  threads: false,
  mappedFileSizeCommitLog: 1024 * 1024,
  mappedFileSizeConsumeQueue: 20 * 1000,
  maxMessageSize: 64 * 1024,
  tailCacheBytes: 4 * 1024 * 1024,
  appendRingBytes: 4 * 1024 * 1024,
  maxHashSlotNum: 1000,
  maxIndexNum: 20_000,
};

describe('process crash (kill -9, page cache kept) during SYNC_FLUSH puts', () => {
  const dir = makeTmpDir('petrel-kill-');
  after(() => dir.remove());

  it('keeps every acknowledged message across many process crashes', {
    timeout: 600_000,
  }, async () => {
    const seeds = testSeeds(isLongRun() ? 150 : 25, 1000);
    const acks: Ack[] = [];
    let nextId = 0;
    let abnormalRecoveries = 0;
    let tornTails = 0;
    for (const seed of seeds) {
      const prng = createPrng(seed);
      const proc = spawnNode(child, [
        dir.path,
        String(nextId),
        'SYNC_FLUSH',
        '16',
        String(1024 * 1024),
      ]);
      await proc.waitForLine(/^ready/, 30_000);
      await new Promise((resolve) => setTimeout(resolve, prng.int(20, 250)));
      proc.kill('SIGKILL');
      await proc.exited;
      // Acks printed just before the kill may still be in the pipe at 'exit'.
      await proc.stdoutDone;
      const roundAcks = parseAcks(proc.lines);
      acks.push(...roundAcks);
      const store = await openStore({ storePathRootDir: dir.path, ...verifyOptions });
      try {
        if (store.recoveryReport.abnormal) abnormalRecoveries++;
        if (store.recoveryReport.tornTail !== undefined) tornTails++;
        const content = await readAllMessages(store, 'Crash', 4);
        checkAcked(content, acks);
        const highestAttempted = Math.max(nextId - 1, ...roundAcks.map((a) => a.id)) + 16;
        assert.ok(
          content.maxId <= highestAttempted,
          `message ${content.maxId} was never attempted`,
        );
        nextId = Math.max(content.maxId, highestAttempted) + 1;
      } catch (error) {
        throw new Error(
          `seed=${seed} (SEED=${seed} reruns its kill delay; process timing differs): ${(error as Error).message}`,
          { cause: error },
        );
      } finally {
        await store.close();
      }
    }
    assert.ok(acks.length > seeds.length, 'the child acknowledged puts before it was killed');
    assert.equal(abnormalRecoveries, seeds.length, 'every round recovered from a crash');
    process.stdout.write(
      `# kill rounds=${seeds.length} acked=${acks.length} torn tails=${tornTails}\n`,
    );
  });
});
