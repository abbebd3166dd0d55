// Goal: with the seed article's SYNC_MASTER + ASYNC_FLUSH group, a master killed (SIGKILL) under
// producer load loses no acknowledged message: every SEND_OK message is readable on the slave,
// nothing that was never sent appears there, and the consumer group keeps consuming from the
// slave without a restart. Producers meanwhile fail fast with E_NO_MASTER once the route has no
// master.
// Method: 4 logical producers (no client retries, so each send has one outcome) and one
// PushConsumer, held for a while before the kill so the master has messages it has not handed
// out (the consumer's prefetch is 16 per queue); after a seeded warm-up the master is killed;
// then every queue of the slave is read over the wire and checked against the history, and the
// consumer is drained. Printed: the consumer gap (kill -> first message the slave served ->
// every acknowledged message delivered), how long the NameServer kept routing to the dead master,
// and the outcome counts.
// SEED=<n> reruns one round's random choices (real processes: their timing differs); PETREL_LONG=1 (npm run test:fault -- --long) runs rounds
// with fresh seeds for up to 4.5 minutes, restarting the master on its store after each kill.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPrng } from '../../common/prng.js';
import { HaPair } from '../harness/ha-pair.js';
import { runSeededRounds } from '../harness/seed.js';
import { waitFor } from '../harness/wait-for.js';
import { checkHistory, summarize } from './lib/checker.js';
import { outcomeCounts } from './lib/ha-figures.js';
import {
  type ConsumerLoad,
  type SendLoad,
  startConsumerLoad,
  startSendLoad,
} from './lib/ha-workload.js';
import { History } from './lib/history.js';
import { dumpOverWire } from './lib/replica-dump.js';

const TOPIC = 'HaKill';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const QUEUES = 4;

interface RoundFigures {
  killedAt: number;
  firstFromSlaveMs: number;
  allAckedMs: number;
  routeGoneMs: number;
  noMasterSendMs: number;
}

/** One kill under load; the master is down when it returns. */
async function killRound(
  pair: HaPair,
  load: SendLoad,
  consumer: ConsumerLoad,
  history: History,
  seed: number,
): Promise<RoundFigures> {
  const prng = createPrng(seed);
  load.start();
  await sleep(prng.int(1000, 2500));
  // The consumer stops for a while, so the master holds messages it has not pulled at the kill.
  consumer.hold();
  const heldAt = Date.now();
  // More than the consumer prefetches (16 per queue, 4 queues), however slow the machine is.
  const ackedSinceHold = () =>
    [...history.sends.values()].filter((s) => s.atMs >= heldAt && s.outcome === 'ACKED').length;
  await waitFor(() => ackedSinceHold() >= 160, { timeoutMs: 20_000, what: 'a backlog' });
  await sleep(prng.int(0, 1000));
  const killedAt = Date.now();
  const masterAddr = pair.node('master').address;
  await pair.kill('master');
  // Once the consumer saw its connection to the dead master close, every answer the master sent
  // before it died has been handled; anything the consumer gets past these offsets was pulled
  // afterwards, from the slave.
  await waitFor(() => !consumer.consumer.inspect().connectedTo.includes(masterAddr), {
    timeoutMs: 10_000,
    what: "the consumer's connection to the dead master to close",
  });
  const frontier = consumer.pullFrontier();
  consumer.release();
  await pair.waitRoute(TOPIC, ['1'], 10_000);
  const routeGoneMs = Date.now() - killedAt;
  // Once the producer has read the new route, a send fails at once with E_NO_MASTER.
  await waitFor(async () => (await load.sendOne(0)) === 'E_NO_MASTER', {
    timeoutMs: 5000,
    what: 'E_NO_MASTER',
  });
  const probeAt = Date.now();
  assert.equal(await load.sendOne(0), 'E_NO_MASTER', 'a send with no master fails fast');
  const noMasterSendMs = Date.now() - probeAt;
  assert.ok(noMasterSendMs < 500, `E_NO_MASTER after ${noMasterSendMs} ms: no network wait`);
  await load.stop();
  const acked = history.acked();
  const firstDelivery = new Map<string, number>();
  await waitFor(
    () => {
      for (const d of history.deliveries)
        if (!firstDelivery.has(d.id)) firstDelivery.set(d.id, d.atMs);
      return acked.every((id) => firstDelivery.has(id));
    },
    { timeoutMs: 30_000, what: 'every acknowledged message delivered' },
  );
  const fromSlave = history.deliveries.find(
    (d) => d.atMs >= killedAt && d.queueOffset >= (frontier.get(d.queue) ?? 0),
  );
  if (fromSlave === undefined) {
    const inspect = JSON.stringify(consumer.consumer.inspect().queues);
    const sinceHold = [...history.sends.values()].filter((s) => s.atMs >= heldAt);
    throw new Error(
      `nothing pulled after the kill was delivered: frontier ${JSON.stringify([...frontier])}, sends since the hold: ${sinceHold.length} (${outcomeCounts(history, (s) => s.atMs >= heldAt)}), consumer ${inspect}`,
    );
  }
  assert.equal(fromSlave.broker, 'brokerId=1', 'read from the slave');
  return {
    killedAt,
    firstFromSlaveMs: fromSlave.atMs - killedAt,
    allAckedMs: Math.max(...acked.map((id) => firstDelivery.get(id) ?? 0)) - killedAt,
    routeGoneMs,
    noMasterSendMs,
  };
}

/** The master comes back on its store; the slave follows it and sends succeed again. */
async function restartMaster(pair: HaPair, load: SendLoad): Promise<void> {
  const node = await pair.startNode('master');
  process.stderr.write(
    `${new Date().toISOString()} master restarted at ${node.address}, slave at ${pair.node('slave').address}\n`,
  );
  await pair.waitSlaveConnected(15_000);
  await pair.waitRoute(TOPIC, ['0', '1'], 15_000);
  await waitFor(async () => (await load.sendOne(0)) === 'SEND_OK', {
    timeoutMs: 10_000,
    what: 'SEND_OK from the restarted master',
  });
}

describe('SYNC_MASTER killed under load', () => {
  let pair: HaPair | undefined;
  after(async () => pair?.stop());

  it('keeps every acknowledged message on the slave; consumers move there', {
    timeout: 600_000,
  }, async (t) => {
    pair = await HaPair.start({ masterRole: 'SYNC_MASTER', timings: { slaveTimeout: '2000' } });
    const activePair = pair;
    const conf = await pair.runtime('master');
    assert.equal(conf['brokerRole'], 'SYNC_MASTER', 'the seed config loaded');
    assert.equal(conf['flushDiskType'], 'ASYNC_FLUSH');
    assert.equal((await pair.runtime('slave'))['brokerId'], '1');
    const cluster = await pair.admin.clusterInfo();
    assert.deepEqual(cluster.clusterAddrTable['tom-cluster'], ['broker-a']);
    await pair.createTopic(TOPIC, QUEUES);
    const history = new History();
    const load = await startSendLoad(history, pair.namesrvAddr, TOPIC, {
      sendMsgTimeoutMs: 3500,
    });
    const consumer = await startConsumerLoad(history, pair.namesrvAddr, TOPIC, 'HaKillGroup');
    try {
      const rounds = await runSeededRounds(7100, { count: 60, ms: 270_000 }, async (seed, i) => {
        if (i > 0) await restartMaster(activePair, load);
        const f = await killRound(activePair, load, consumer, history, seed);
        t.diagnostic(
          `master-kill seed=${seed} (killed ${new Date(f.killedAt).toISOString()}): consumer gap kill->first message served by the slave ${f.firstFromSlaveMs} ms, kill->all acknowledged delivered ${f.allAckedMs} ms; route without the master after ${f.routeGoneMs} ms; a send with no master failed in ${f.noMasterSendMs} ms (E_NO_MASTER)`,
        );
      });
      const slave = pair.node('slave').address;
      const onSlave = checkHistory(history, await dumpOverWire(slave, TOPIC, QUEUES, 'slave'));
      const delivered = checkHistory(history);
      t.diagnostic(`rounds=${rounds} sends: ${outcomeCounts(history)}`);
      t.diagnostic(
        `slave: ${summarize(onSlave)} (unacknowledged sends present: ${onSlave.recovered.length})`,
      );
      t.diagnostic(`consumer: ${summarize(delivered)}`);
      const moved = consumer.queueEvents.filter((e) => e.includes('Pull offset moved'));
      assert.deepEqual(onSlave.lost, [], 'every acknowledged message is on the slave');
      assert.deepEqual(onSlave.unexpected, [], 'nothing on the slave that was not sent');
      assert.deepEqual(onSlave.aborted, [], 'no definitely failed send on the slave');
      assert.deepEqual(onSlave.duplicated, [], 'each message stored once (no client retries)');
      assert.deepEqual(onSlave.inconsistentOffsets, []);
      assert.deepEqual(delivered.lost, [], 'every acknowledged message consumed');
      assert.deepEqual(delivered.unexpected, []);
      assert.deepEqual(delivered.aborted, []);
      assert.deepEqual(delivered.inconsistentOffsets, []);
      assert.deepEqual(delivered.orderBreaks, []);
      assert.deepEqual(moved, [], 'no consumer offset was moved (no rewind)');
      assert.ok(history.acked().length > 100, 'the load was acknowledged before the kill');
    } finally {
      await consumer.consumer.shutdown();
      await load.close();
    }
  });
});
