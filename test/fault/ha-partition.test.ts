// Goal: a SYNC_MASTER cut off from its slave times sends out cleanly with FLUSH_SLAVE_TIMEOUT
// (after slaveTimeout, here 1 s), never answers SEND_OK for a message the slave did not get, and
// answers SEND_OK again once the link heals; nothing acknowledged is lost on either broker.
// Method: the seed article's SYNC_MASTER + ASYNC_FLUSH group whose slave replicates through a
// TcpProxy (haMasterAddress). Under load from 4 logical producers, three faults of a seeded length
// each: the HA link blackholed (bytes dropped, sockets open), the HA link stalled (nothing moves,
// TCP delivers it all after the heal), and the slave process paused (SIGSTOP, then SIGCONT). At
// the end both brokers are stopped and their stores read from the files. Printed per fault: the
// answers during it, how long the FLUSH_SLAVE_TIMEOUT answers took, and the time from heal to
// the first SEND_OK.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPrng } from '../../common/prng.js';
import { HaPair } from '../harness/ha-pair.js';
import { testSeeds } from '../harness/seed.js';
import { waitFor } from '../harness/wait-for.js';
import { checkHistory, summarize } from './lib/checker.js';
import { outcomeCounts } from './lib/ha-figures.js';
import { startSendLoad } from './lib/ha-workload.js';
import { History, type SendEvent } from './lib/history.js';
import { dumpStore } from './lib/replica-dump.js';

const TOPIC = 'HaPartition';
const QUEUES = 4;
const SLAVE_TIMEOUT_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Fault {
  name: string;
  start(pair: HaPair): void;
  heal(pair: HaPair): void;
}

const faults: Fault[] = [
  { name: 'HA link blackholed', start: (p) => p.haLink.blackhole(), heal: (p) => p.haLink.heal() },
  { name: 'HA link stalled', start: (p) => p.haLink.stall(), heal: (p) => p.haLink.heal() },
  {
    name: 'slave paused (SIGSTOP)',
    start: (p) => p.node('slave').child.pause(),
    heal: (p) => p.node('slave').child.resume(),
  },
];

/** Runs one fault under load; returns the line to print. */
async function faultPhase(
  pair: HaPair,
  history: History,
  fault: Fault,
  lengthMs: number,
): Promise<string> {
  await sleep(1000);
  const startAt = Date.now();
  fault.start(pair);
  await sleep(lengthMs);
  const healAt = Date.now();
  fault.heal(pair);
  const during = (s: SendEvent) =>
    s.atMs > startAt && (s.doneMs ?? Number.POSITIVE_INFINITY) < healAt;
  const answered = [...history.sends.values()].filter(during);
  assert.deepEqual(
    answered.filter((s) => s.detail === 'SEND_OK').map((s) => s.id),
    [],
    `${fault.name}: no SEND_OK without the slave`,
  );
  const timedOut = answered.filter((s) => s.detail === 'FLUSH_SLAVE_TIMEOUT');
  assert.ok(
    timedOut.length > 0,
    `${fault.name}: sends timed out (${outcomeCounts(history, during)})`,
  );
  assert.ok(
    answered.every((s) => s.detail === 'FLUSH_SLAVE_TIMEOUT' || s.detail === 'SLAVE_NOT_AVAILABLE'),
    `${fault.name}: only slave statuses (${outcomeCounts(history, during)})`,
  );
  const latencies = timedOut.map((s) => (s.doneMs ?? 0) - s.atMs);
  for (const ms of latencies)
    assert.ok(
      ms >= SLAVE_TIMEOUT_MS - 50,
      `FLUSH_SLAVE_TIMEOUT after ${ms} ms, not before slaveTimeout`,
    );
  const firstOk = await waitFor(
    () =>
      [...history.sends.values()].find((s) => s.atMs > healAt && s.detail === 'SEND_OK')?.doneMs,
    { timeoutMs: 15_000, what: `SEND_OK after ${fault.name} healed` },
  );
  return `${fault.name} for ${healAt - startAt} ms: ${outcomeCounts(history, during)}; FLUSH_SLAVE_TIMEOUT after ${Math.min(...latencies)}..${Math.max(...latencies)} ms; first SEND_OK ${firstOk - healAt} ms after the heal`;
}

describe('SYNC_MASTER partitioned from its slave', () => {
  let pair: HaPair | undefined;
  after(async () => pair?.stop());

  it('times sends out with FLUSH_SLAVE_TIMEOUT, acknowledges again after the heal, loses nothing', {
    timeout: 180_000,
  }, async (t) => {
    const [seed = 7300] = testSeeds(1, 7300);
    const prng = createPrng(seed);
    pair = await HaPair.start({
      masterRole: 'SYNC_MASTER',
      timings: { slaveTimeout: String(SLAVE_TIMEOUT_MS) },
    });
    await pair.createTopic(TOPIC, QUEUES);
    const history = new History();
    const load = await startSendLoad(history, pair.namesrvAddr, TOPIC, {
      sendMsgTimeoutMs: SLAVE_TIMEOUT_MS + 2000,
    });
    load.start();
    try {
      for (const fault of faults) {
        const line = await faultPhase(pair, history, fault, prng.int(2000, 3000)).catch(
          (error: unknown) => {
            throw new Error(
              `seed=${seed} (SEED=${seed} reruns its random choices; process timing differs): ${String(error)}`,
              {
                cause: error,
              },
            );
          },
        );
        t.diagnostic(`partition seed=${seed}: ${line}`);
      }
    } finally {
      await load.close();
    }
    const end = await pair.waitCaughtUp(15_000);
    await pair.stopNode('slave');
    await pair.stopNode('master');
    t.diagnostic(`sends: ${outcomeCounts(history)}; both CommitLogs end at ${end}`);
    for (const name of ['master', 'slave'] as const) {
      const r = checkHistory(
        history,
        (await dumpStore(pair.dir(name), TOPIC, QUEUES, name)).deliveries,
      );
      t.diagnostic(`${name}: ${summarize(r)}`);
      assert.deepEqual(r.lost, [], `${name}: every acknowledged message`);
      assert.deepEqual(r.unexpected, [], `${name}: nothing that was not sent`);
      assert.deepEqual(r.aborted, [], `${name}: no definitely failed send`);
      assert.deepEqual(r.duplicated, [], `${name}: each message once`);
      assert.deepEqual(r.inconsistentOffsets, [], `${name}: one message per offset`);
    }
  });
});
