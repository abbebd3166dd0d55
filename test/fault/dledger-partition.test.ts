// Goal: a DLedger leader cut off from its group by a network partition (its processes keep
// running, its clients still reach it) is replaced, stops acknowledging, and after the partition
// heals rejoins without any acknowledged message lost.
// Method: every Raft link of the group runs through its own TCP proxy (test/harness/tcp-proxy.ts).
// Petrel's client (4 producers, no retries) sends throughout. The leader's links are blackholed
// both ways: a member of the majority side is elected and routed, and writes continue there; once
// check-quorum has deposed it, the isolated member's store is a slave (a put there is refused), and
// it appends nothing. After the links heal it follows the new leader: every CommitLog ends at the
// same offset and the leader holds every acknowledged message, none twice.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DLEDGER_IDS, DledgerGroup } from '../harness/dledger-group.js';
import { waitFor } from '../harness/wait-for.js';
import { checkLeaderHolds } from './lib/ha-figures.js';
import { startSendLoad } from './lib/ha-workload.js';
import { History } from './lib/history.js';

const TOPIC = 'DlPartition';
const QUEUES = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DLedger leader partitioned away through TCP proxies', () => {
  let group: DledgerGroup | undefined;
  after(async () => {
    await group?.stop();
  });

  it('the majority elects a new leader, the old one stops acknowledging, nothing is lost', {
    timeout: 180_000,
  }, async (t) => {
    group = await DledgerGroup.start(['slaveReadEnable=true'], { proxied: true });
    const g = group;
    const first = await g.waitLeader(20_000);
    await g.createTopic(TOPIC, QUEUES, first);
    const history = new History();
    const load = await startSendLoad(history, g.namesrvAddr, TOPIC, { sendMsgTimeoutMs: 3000 });
    try {
      load.start();
      await waitFor(() => history.acked().length >= 100, { timeoutMs: 30_000, what: 'acks' });

      g.isolate(first);
      const isolatedAt = Date.now();
      const second = await g.waitLeader(15_000, first);
      t.diagnostic(
        `${DLEDGER_IDS[first]} isolated: ${DLEDGER_IDS[second]} routed after ${Date.now() - isolatedAt} ms`,
      );
      // Check-quorum deposes the isolated leader: its store turns slave and refuses puts.
      await waitFor(async () => (await g.runtime(first))['storeRole'] === 'SLAVE', {
        timeoutMs: 10_000,
        what: 'the isolated leader to step down',
      });
      t.diagnostic(`${DLEDGER_IDS[first]} stepped down ${Date.now() - isolatedAt} ms after`);
      const isolatedEnd = (await g.runtime(first))['commitLogMaxOffset'];
      await waitFor(() => history.ackedSince(Date.now() - 500) > 0, {
        timeoutMs: 10_000,
        what: 'acknowledged sends on the majority side',
      });
      await sleep(1000);
      assert.equal(
        (await g.runtime(first))['commitLogMaxOffset'],
        isolatedEnd,
        'the isolated member appended nothing while cut off',
      );
      assert.equal((await g.runtime(first))['storeRole'], 'SLAVE');

      g.healLinks();
      const healedAt = Date.now();
      await waitFor(
        async () => Number((await g.runtime(first))['commitLogMaxOffset']) > Number(isolatedEnd),
        { timeoutMs: 15_000, what: 'the old leader to catch up after the heal' },
      );
      t.diagnostic(`old leader caught up ${Date.now() - healedAt} ms after the heal`);
      await waitFor(() => history.ackedSince(healedAt) > 0, {
        timeoutMs: 15_000,
        what: 'acknowledged sends after the heal',
      });
    } finally {
      await load.close();
    }
    await checkLeaderHolds(t, g, history, TOPIC, QUEUES);
  });
});
