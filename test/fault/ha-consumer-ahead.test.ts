// Goal: a consumer that read messages on the master which the slave never got is not sent back to
// the start of its queues when it fails over to the slave. A message is visible on the master as
// soon as it is written, before the slave has it (SYNC_MASTER answers FLUSH_SLAVE_TIMEOUT for it);
// if the master dies then, the consumer's next offset lies beyond the slave's queue. A slave must
// keep that offset and wait (as RocketMQ's slaves do: they never correct a consumer's offset),
// not answer "offset moved" with 0, which made the consumer consume the whole queue again.
// Method: the seed article's SYNC_MASTER group; under load, the HA link is blackholed so the master
// holds messages the slave lacks; the consumer reads them; the master is killed; the consumer
// polls the slave for several seconds; then the link heals, the master returns and the load
// resumes. Asserted: no offset moved, nothing delivered twice, every acknowledged message
// delivered. Printed: how far ahead of the slave the consumer was.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { HaPair } from '../harness/ha-pair.js';
import { waitFor } from '../harness/wait-for.js';
import { checkHistory, summarize } from './lib/checker.js';
import { outcomeCounts } from './lib/ha-figures.js';
import { startConsumerLoad, startSendLoad } from './lib/ha-workload.js';
import { History } from './lib/history.js';

const TOPIC = 'HaAhead';
const QUEUES = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a consumer ahead of the slave when the master dies', () => {
  let pair: HaPair | undefined;
  after(async () => pair?.stop());

  it('keeps its offsets on the slave and consumes nothing twice', {
    timeout: 120_000,
  }, async (t) => {
    pair = await HaPair.start({ masterRole: 'SYNC_MASTER', timings: { slaveTimeout: '1000' } });
    await pair.createTopic(TOPIC, QUEUES);
    const history = new History();
    const load = await startSendLoad(history, pair.namesrvAddr, TOPIC, {
      sendMsgTimeoutMs: 3000,
    });
    const consumer = await startConsumerLoad(history, pair.namesrvAddr, TOPIC, 'HaAheadGroup');
    try {
      load.start();
      await sleep(1000);
      pair.haLink.blackhole();
      const stalledAt = Date.now();
      // Stored on the master only: the consumer gets them there.
      const masterOnly = () =>
        [...history.sends.values()].filter(
          (s) => s.atMs > stalledAt && history.deliveries.some((d) => d.id === s.id),
        ).length;
      await waitFor(() => masterOnly() >= 8, { timeoutMs: 15_000, what: 'master-only deliveries' });
      await load.stop();
      await sleep(300);
      const ahead = masterOnly();
      const brokers = [
        `master ${pair.node('master').address}`,
        `slave ${pair.node('slave').address}`,
      ];
      await pair.kill('master');
      await pair.waitRoute(TOPIC, ['1'], 10_000);
      // Several long polls (1 s each) against the slave.
      await sleep(3500);
      const movedWhileAway = consumer.queueEvents.filter((e) => e.includes('Pull offset moved'));
      const twiceWhileAway = checkHistory(history).duplicated.length;
      pair.haLink.heal();
      brokers.push(`restarted master ${(await pair.startNode('master')).address}`);
      await pair.waitSlaveConnected(15_000);
      await pair.waitRoute(TOPIC, ['0', '1'], 15_000);
      load.start();
      await sleep(1500);
      await load.stop();
      const acked = history.acked();
      await waitFor(() => acked.every((id) => history.deliveries.some((d) => d.id === id)), {
        timeoutMs: 20_000,
        what: 'every acknowledged message delivered',
      });
      const report = checkHistory(history);
      t.diagnostic(
        `consumer-ahead: ${ahead} messages read on the master that the slave lacked at the kill; while on the slave: ${movedWhileAway.length} offsets moved, ${twiceWhileAway} messages delivered twice`,
      );
      t.diagnostic(`sends: ${outcomeCounts(history)}; brokers: ${brokers.join(', ')}`);
      t.diagnostic(`consumer: ${summarize(report)}`);
      for (const e of consumer.queueEvents) t.diagnostic(`  ${e}`);
      assert.deepEqual(movedWhileAway, [], 'the slave moved no offset');
      assert.equal(twiceWhileAway, 0, 'nothing consumed again on the slave');
      assert.deepEqual(report.lost, []);
      assert.deepEqual(report.duplicated, [], 'nothing consumed twice');
      assert.deepEqual(report.unexpected, []);
      assert.deepEqual(report.orderBreaks, []);
    } finally {
      await consumer.consumer.shutdown();
      await load.close();
    }
  });
});
