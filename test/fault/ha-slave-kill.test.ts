// Goal: a SYNC_MASTER never answers SEND_OK for a message its slave does not have. With the slave
// killed (SIGKILL) under load, sends are answered SLAVE_NOT_AVAILABLE (or FLUSH_SLAVE_TIMEOUT for
// those waiting at the kill): stored on the master, not acknowledged. Once the slave is restarted
// on its store it catches up (its CommitLog ends where the master's does) and SEND_OK resumes.
// Method: the seed article's SYNC_MASTER + ASYNC_FLUSH group; 4 logical producers and a consumer
// group on the master; after a seeded warm-up the slave is killed, left down for a seeded time and
// restarted. At the end both brokers are stopped and their stores read from the files: every
// acknowledged message on each, nothing unexpected, the same message at every queue offset, and
// CommitLogs byte-identical. Printed: the send outcomes while the slave was down, and how long
// the restarted slave took to reconnect and to catch up.
// SEED=<n> reruns one round's random choices (real processes: their timing differs); PETREL_LONG=1 (npm run test:fault -- --long) runs rounds
// with fresh seeds for up to 4.5 minutes on the same group.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPrng } from '../../common/prng.js';
import { HaPair } from '../harness/ha-pair.js';
import { runSeededRounds } from '../harness/seed.js';
import { waitFor } from '../harness/wait-for.js';
import { checkHistory, summarize } from './lib/checker.js';
import { outcomeCounts } from './lib/ha-figures.js';
import { type SendLoad, startConsumerLoad, startSendLoad } from './lib/ha-workload.js';
import { History } from './lib/history.js';
import { dumpStore, sameCommitLog } from './lib/replica-dump.js';

const TOPIC = 'HaSlave';
const QUEUES = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RoundFigures {
  downMs: number;
  whileDown: string;
  catchUpMs: number;
  backlogBytes: number;
}

async function slaveKillRound(
  pair: HaPair,
  load: SendLoad,
  history: History,
  seed: number,
): Promise<RoundFigures> {
  const prng = createPrng(seed);
  load.start();
  await sleep(prng.int(1000, 2500));
  const masterEnd = async () => Number((await pair.runtime('master'))['commitLogMaxOffset']);
  await pair.kill('slave');
  const goneAt = Date.now();
  const endAtKill = await masterEnd();
  // Longer than slaveTimeout (2 s): sends waiting at the kill time out first, later ones are
  // answered SLAVE_NOT_AVAILABLE while the slave is still down.
  await sleep(prng.int(2500, 4000));
  const restartAt = Date.now();
  // What the master wrote while the slave was away: how long until the restarted slave has it.
  const backlogEnd = await masterEnd();
  await pair.startNode('slave');
  await waitFor(
    async () => Number((await pair.runtime('slave'))['commitLogMaxOffset']) >= backlogEnd,
    { timeoutMs: 15_000, intervalMs: 10, what: 'the slave to copy the backlog' },
  );
  const catchUpMs = Date.now() - restartAt;
  await pair.waitSlaveConnected(15_000);
  const reconnectedAt = Date.now();
  // Sent after the slave was gone and answered before it came back: the slave has none of them.
  const whileDown = (s: { atMs: number; doneMs?: number }) =>
    s.atMs > goneAt && (s.doneMs ?? Number.POSITIVE_INFINITY) < restartAt;
  const down = [...history.sends.values()].filter(whileDown);
  assert.ok(down.length > 0, 'sends were answered while the slave was down');
  assert.deepEqual(
    down.filter((s) => s.detail === 'SEND_OK').map((s) => s.id),
    [],
    'no SEND_OK without the slave',
  );
  assert.ok(
    down.every((s) => s.detail === 'SLAVE_NOT_AVAILABLE' || s.detail === 'FLUSH_SLAVE_TIMEOUT'),
    `answers while the slave was down: ${outcomeCounts(history, whileDown)}`,
  );
  await waitFor(
    () => [...history.sends.values()].some((s) => s.atMs > reconnectedAt && s.detail === 'SEND_OK'),
    {
      timeoutMs: 10_000,
      what: 'SEND_OK after the slave came back',
    },
  );
  await sleep(prng.int(300, 1000));
  await load.stop();
  await pair.waitCaughtUp(15_000);
  return {
    downMs: restartAt - goneAt,
    whileDown: outcomeCounts(history, whileDown),
    catchUpMs,
    backlogBytes: backlogEnd - endAtKill,
  };
}

describe('slave killed and restarted under SYNC_MASTER load', () => {
  let pair: HaPair | undefined;
  after(async () => pair?.stop());

  it('answers SLAVE_NOT_AVAILABLE while the slave is down, never SEND_OK; the slave catches up', {
    timeout: 600_000,
  }, async (t) => {
    pair = await HaPair.start({ masterRole: 'SYNC_MASTER', timings: { slaveTimeout: '2000' } });
    const activePair = pair;
    await pair.createTopic(TOPIC, QUEUES);
    const history = new History();
    const load = await startSendLoad(history, pair.namesrvAddr, TOPIC, {
      sendMsgTimeoutMs: 3500,
    });
    const consumer = await startConsumerLoad(history, pair.namesrvAddr, TOPIC, 'HaSlaveGroup');
    let rounds = 0;
    try {
      rounds = await runSeededRounds(7200, { count: 60, ms: 270_000 }, async (seed) => {
        const f = await slaveKillRound(activePair, load, history, seed);
        t.diagnostic(
          `slave-kill seed=${seed}: down ${f.downMs} ms, answers meanwhile: ${f.whileDown}; the restarted slave had the ${f.backlogBytes} bytes written meanwhile ${f.catchUpMs} ms after its restart (process start included)`,
        );
      });
      const acked = history.acked();
      await waitFor(() => acked.every((id) => history.deliveries.some((d) => d.id === id)), {
        timeoutMs: 20_000,
        what: 'the consumer to receive every acknowledged message',
      });
    } finally {
      await consumer.consumer.shutdown();
      await load.close();
    }
    await pair.stopNode('slave');
    await pair.stopNode('master');
    const onMaster = await dumpStore(pair.dir('master'), TOPIC, QUEUES, 'master');
    const onSlave = await dumpStore(pair.dir('slave'), TOPIC, QUEUES, 'slave');
    const reports = {
      master: checkHistory(history, onMaster.deliveries),
      slave: checkHistory(history, onSlave.deliveries),
      consumer: checkHistory(history),
    };
    t.diagnostic(`rounds=${rounds} sends: ${outcomeCounts(history)}`);
    for (const [name, r] of Object.entries(reports)) {
      t.diagnostic(`${name}: ${summarize(r)}`);
      assert.deepEqual(r.lost, [], `${name}: every acknowledged message`);
      assert.deepEqual(r.unexpected, [], `${name}: nothing that was not sent`);
      assert.deepEqual(r.aborted, [], `${name}: no definitely failed send`);
      assert.deepEqual(r.inconsistentOffsets, [], `${name}: one message per offset`);
      assert.deepEqual(r.orderBreaks, [], `${name}: queue order`);
    }
    assert.deepEqual(reports.master.duplicated, [], 'each message stored once (no client retries)');
    const positions = (ds: typeof onMaster.deliveries) =>
      ds.map((d) => `${d.queue}@${d.queueOffset}=${d.id}`);
    assert.deepEqual(
      positions(onSlave.deliveries),
      positions(onMaster.deliveries),
      'the slave holds what the master holds',
    );
    assert.equal(onSlave.commitLogMaxOffset, onMaster.commitLogMaxOffset);
    assert.ok(sameCommitLog(pair.dir('master'), pair.dir('slave'), onMaster.commitLogMaxOffset));
  });
});
