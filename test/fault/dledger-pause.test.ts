// Goal: a paused DLedger member never acknowledges what a majority does not hold, and the group
// recovers without losing an acknowledged message.
// Method: Petrel's client (4 producers, no retries) sends throughout. (1) The leader is paused
// (SIGSTOP) for 3 s: another member is elected and routed, and writes resume; after SIGCONT the
// old leader rejoins as a follower. (2) Both followers are paused: the leader loses its majority
// and, once check-quorum has deposed it, acknowledges nothing; after SIGCONT writes resume. At the
// end every member's CommitLog ends at the same offset and the leader holds every acknowledged
// message.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DLEDGER_IDS, DledgerGroup } from '../harness/dledger-group.js';
import { waitFor } from '../harness/wait-for.js';
import { checkLeaderHolds } from './lib/ha-figures.js';
import { startSendLoad } from './lib/ha-workload.js';
import { History } from './lib/history.js';

const TOPIC = 'DlPause';
const QUEUES = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Elections after 0.6-1.2 s of silence; check-quorum deposes a leader within about as long. */
const DEPOSED_WITHIN_MS = 3000;

describe('DLedger members paused with SIGSTOP', () => {
  let group: DledgerGroup | undefined;
  after(async () => {
    for (const node of group?.nodes ?? []) node?.child.kill('SIGCONT');
    await group?.stop();
  });

  it('a paused leader is replaced; a leader without its majority stops acknowledging', {
    timeout: 180_000,
  }, async (t) => {
    group = await DledgerGroup.start(['slaveReadEnable=true']);
    const g = group;
    const first = await g.waitLeader(20_000);
    await g.createTopic(TOPIC, QUEUES, first);
    const history = new History();
    const load = await startSendLoad(history, g.namesrvAddr, TOPIC, { sendMsgTimeoutMs: 3000 });
    try {
      load.start();
      await waitFor(() => history.acked().length >= 100, { timeoutMs: 30_000, what: 'acks' });

      // (1) The leader pauses: another member takes over.
      g.node(first).child.kill('SIGSTOP');
      const pausedAt = Date.now();
      const second = await g.waitLeader(10_000, first);
      t.diagnostic(
        `leader paused: ${DLEDGER_IDS[second]} routed after ${Date.now() - pausedAt} ms`,
      );
      await waitFor(() => history.ackedSince(Date.now() - 500) > 0, {
        timeoutMs: 10_000,
        what: 'acknowledged sends with the leader paused',
      });
      g.node(first).child.kill('SIGCONT');
      await waitFor(async () => (await g.runtime(first))['storeRole'] === 'SLAVE', {
        timeoutMs: 10_000,
        what: 'the old leader to rejoin as a follower',
      });

      // (2) Both followers pause: the leader loses its majority and stops acknowledging.
      const leader = await g.waitLeader(10_000);
      const followers = [0, 1, 2].filter((i) => i !== leader);
      for (const i of followers) g.node(i).child.kill('SIGSTOP');
      const isolatedAt = Date.now();
      await sleep(DEPOSED_WITHIN_MS + 3000);
      const lateAcks = [...history.sends.values()].filter(
        (s) => s.outcome === 'ACKED' && s.atMs >= isolatedAt + DEPOSED_WITHIN_MS,
      );
      assert.deepEqual(
        lateAcks.map((s) => s.id),
        [],
        'no send begun after the leader lost its majority is acknowledged',
      );
      assert.equal((await g.runtime(leader))['storeRole'], 'SLAVE', 'the leader stepped down');
      for (const i of followers) g.node(i).child.kill('SIGCONT');
      const healedAt = Date.now();
      await waitFor(() => history.ackedSince(healedAt) > 0, {
        timeoutMs: 15_000,
        what: 'acknowledged sends after SIGCONT',
      });
      t.diagnostic(`writes back ${Date.now() - healedAt} ms after SIGCONT`);
    } finally {
      await load.close();
    }
    await checkLeaderHolds(t, g, history, TOPIC, QUEUES);
  });
});
