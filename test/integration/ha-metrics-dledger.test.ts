// HA metrics and haStatus of a real DLedger group (three broker processes and a NameServer).
// Scraped under load with a real Prometheus text parser; every member reports the same Raft term;
// a SIGSTOPped follower's lag on the leader equals what it lacks (the leader's CommitLog end
// minus where every member ended before the stop) and it leaves the in-sync set; after a kill -9
// of the leader, the new leader counts one failover lasting at least an election timeout and no
// longer than the test saw from the kill to the new master in the route, and haStatus shows it.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdminOps } from '../../client/admin-ops.js';
import { decodeOffsetMsgId, ResponseCode } from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import { DLEDGER_IDS, DledgerGroup } from '../harness/dledger-group.js';
import {
  type Families,
  family,
  metricsUrlOf,
  samples,
  scrape,
  value,
} from '../harness/prom-scrape.js';
import { waitFor } from '../harness/wait-for.js';

const TOPIC = 'DlHaTopic';
const BODY = Buffer.alloc(512, 'd');

const term = (m: Families) => value(m, 'petrel_ha_epoch', { kind: 'term' });
const lagOf = (m: Families, id: string) =>
  value(m, 'petrel_replication_lag_bytes', { replica: id });

describe('HA metrics of a DLedger group', { timeout: 150_000 }, () => {
  let group: DledgerGroup;
  const urls: string[] = [];
  before(async () => {
    group = await DledgerGroup.start([
      'metricsExporterType=PROM',
      'metricsPromExporterPort=0',
      'metricsPromExporterHost=127.0.0.1',
    ]);
    for (let i = 0; i < 3; i++) urls.push(await metricsUrlOf(group.node(i).child));
  });
  after(async () => group?.stop());

  it('reports term, role, per-follower lag and the in-sync set; counts a failover after kill -9', async (t) => {
    const leader = await group.waitLeader(20_000);
    const followers = [0, 1, 2].filter((i) => i !== leader);
    const [stopped, running] = followers as [number, number];
    await group.admin.createTopic({
      topic: TOPIC,
      readQueueNums: 4,
      writeQueueNums: 4,
      brokerAddr: group.node(leader).address,
    });
    const client = new TestClient(group.node(leader).address);
    try {
      let acked = 0;
      let done = false;
      const loop = async () => {
        while (!done) {
          const sent = await client.send(TOPIC, BODY);
          assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark ?? '');
          acked++;
        }
      };
      const loops = [loop(), loop(), loop(), loop()];
      try {
        for (const target of [100, 200, 300]) {
          await waitFor(() => acked >= target, { timeoutMs: 30_000, what: `${target} sends` });
          const m = await scrape(urls[leader]!);
          assert.equal(value(m, 'petrel_ha_raft_role', { raft_role: 'LEADER' }), 1);
          const ids = samples(m, 'petrel_replication_lag_bytes').map((s) => s.labels?.['replica']);
          assert.deepEqual(ids.sort(), followers.map((i) => DLEDGER_IDS[i]).sort());
          const inSync = value(m, 'petrel_replication_in_sync_replicas');
          assert.ok(inSync >= 2 && inSync <= 3, `in-sync ${inSync}`);
        }
      } finally {
        done = true;
        await Promise.all(loops);
      }
      const end = await group.waitSameEnd(20_000);
      await waitFor(
        async () => {
          const m = await scrape(urls[leader]!);
          const idle = followers.every((i) => lagOf(m, DLEDGER_IDS[i]!) === 0);
          return idle && value(m, 'petrel_replication_in_sync_replicas') === 3;
        },
        { timeoutMs: 15_000, what: 'both followers caught up and in sync' },
      );
      const terms = await Promise.all(urls.map(async (u) => term(await scrape(u))));
      assert.ok(terms[0]! > 0 && terms.every((t) => t === terms[0]), `terms ${terms}`);
      for (const i of followers)
        assert.equal(
          value(await scrape(urls[i]!), 'petrel_ha_raft_role', { raft_role: 'FOLLOWER' }),
          1,
        );

      // A stopped follower holds `end`; the group commits without it.
      group.node(stopped).child.kill('SIGSTOP');
      await waitFor(() => group.node(stopped).child.isStopped(), {
        timeoutMs: 5000,
        intervalMs: 5,
        what: 'every thread of the follower stopped',
      });
      const sentFromMs = Date.now();
      let lastOffset = 0;
      for (let i = 0; i < 50; i++) {
        const sent = await client.send(TOPIC, BODY);
        assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark ?? '');
        lastOffset = decodeOffsetMsgId(String(sent.extFields['msgId'])).commitLogOffset;
      }
      const sentToMs = Date.now();
      // A member acknowledges a moment before its CommitLog holds the entry: wait for the last.
      const leaderEnd = await waitFor(
        async () => {
          const at = Number((await group.runtime(leader))['commitLogMaxOffset']);
          return at > lastOffset ? at : undefined;
        },
        { timeoutMs: 5000, intervalMs: 20, what: 'the leader to hold the last send' },
      );
      const stalled = await waitFor(
        async () => {
          const startMs = Date.now();
          const m = await scrape(urls[leader]!);
          const ready =
            lagOf(m, DLEDGER_IDS[running]!) === 0 &&
            value(m, 'petrel_replication_in_sync_replicas') === 2;
          return ready ? { m, startMs, endMs: Date.now() } : undefined;
        },
        { timeoutMs: 15_000, what: 'the stopped follower out of the in-sync set' },
      );
      const stoppedId = DLEDGER_IDS[stopped]!;
      assert.equal(lagOf(stalled.m, stoppedId), leaderEnd - end);
      const lagMs = value(stalled.m, 'petrel_replication_lag_ms', { replica: stoppedId });
      assert.ok(
        lagMs >= stalled.startMs - sentToMs && lagMs <= stalled.endMs - sentFromMs,
        `${lagMs}`,
      );
      assert.equal(
        value(stalled.m, 'petrel_replication_replica_in_sync', { replica: stoppedId }),
        0,
      );
      group.node(stopped).child.kill('SIGCONT');
      await waitFor(
        async () => {
          const m = await scrape(urls[leader]!);
          return lagOf(m, stoppedId) === 0 && value(m, 'petrel_replication_in_sync_replicas') === 3;
        },
        { timeoutMs: 15_000, what: 'the follower back in sync' },
      );
    } finally {
      await client.remoting.close();
    }

    const oldTerm = term(await scrape(urls[leader]!));
    const killedMs = Date.now();
    await group.kill(leader);
    const next = await group.waitLeader(30_000, leader);
    const foundMs = Date.now();
    const m = await scrape(urls[next]!);
    assert.equal(value(m, 'petrel_ha_failovers_total'), 1);
    // The parser keeps a histogram's buckets only: the one failover sits in one bucket.
    const buckets = family(m, 'petrel_ha_failover_duration_seconds').metrics[0]?.buckets ?? {};
    assert.equal(Number(buckets['+Inf']), 1);
    const bounds = Object.keys(buckets)
      .filter((b) => b !== '+Inf')
      .map(Number)
      .sort((a, b) => a - b);
    const upper = bounds.find((b) => Number(buckets[String(b)]) === 1) ?? Number.POSITIVE_INFINITY;
    const lower = bounds.filter((b) => b < upper).at(-1) ?? 0;
    assert.ok(value(m, 'petrel_ha_elections_total') >= 1);
    family(m, 'petrel_ha_election_duration_seconds');
    const newTerm = term(m);
    assert.ok(newTerm > oldTerm, `term ${oldTerm} -> ${newTerm}`);
    const other = followers.find((i) => i !== next)!;
    await waitFor(async () => term(await scrape(urls[other]!)) === newTerm, {
      timeoutMs: 10_000,
      what: 'the other member at the new term',
    });

    const ops = new AdminOps({ namesrvAddr: group.namesrvAddr, requestTimeoutMs: 5000 });
    try {
      const [status] = await ops.haStatus();
      assert.equal(status?.master, group.node(next).address);
      const ha = status?.ha;
      assert.ok(ha, 'the new leader answers petrelHaStatus');
      assert.equal(ha.mode, 'DLEDGER');
      assert.equal(ha.epochKind, 'term');
      assert.equal(ha.epoch, newTerm);
      assert.equal(ha.raft?.role, 'LEADER');
      assert.equal(ha.raft?.selfId, DLEDGER_IDS[next]);
      assert.equal(ha.failovers, 1);
      assert.ok(ha.lastFailover !== null);
      const { durationMs, atMs } = ha.lastFailover;
      t.diagnostic(
        `failover ${durationMs} ms; kill to new master routed: ${foundMs - killedMs} ms`,
      );
      // From the old leader's last message (at most a heartbeat, 200 ms, before the kill; 1 s of
      // slack for a loaded machine) to the new master, which the route showed at foundMs; at
      // least the shortest election timeout (6 ticks of 100 ms) minus one tick.
      assert.ok(durationMs >= 500, `failover ${durationMs} ms`);
      assert.ok(durationMs <= foundMs - killedMs + 1000, `failover ${durationMs} ms`);
      assert.ok(durationMs / 1000 > lower && durationMs / 1000 <= upper, 'in its bucket');
      assert.ok(atMs >= killedMs && atMs <= foundMs);
      assert.deepEqual(
        ha.replicas.map((r) => r.id).sort(),
        [0, 1, 2]
          .filter((i) => i !== next)
          .map((i) => DLEDGER_IDS[i])
          .sort(),
      );
    } finally {
      await ops.close();
    }
  });
});
