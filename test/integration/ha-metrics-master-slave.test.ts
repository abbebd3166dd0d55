// HA metrics, haStatus and statsAll of a real SYNC_MASTER pair (NameServer, master, slave as
// processes; the slave's HA link runs through a TCP proxy). Scraped under load with a real
// Prometheus text parser; then the HA link is stalled, so the slave holds exactly what it held
// before: the master's per-replica lag in bytes must equal what the slave lacks, the lag in time
// must lie between the ages the test can bound from its own clock, and the slave must leave the
// in-sync set once it lacks haSlaveFallbehindMax bytes. statsAll's figures are checked against
// what was sent, pulled and committed.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdminOps } from '../../client/admin-ops.js';
import { RequestCode, ResponseCode } from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import { HaPair } from '../harness/ha-pair.js';
import { mqadminCli } from '../harness/mqadmin-cli.js';
import { family, metricsUrlOf, samples, scrape, value } from '../harness/prom-scrape.js';
import { waitFor } from '../harness/wait-for.js';

const TOPIC = 'HaLagTopic';
const STATS_TOPIC = 'StatsTopic';
const STATS_GROUP = 'StatsGroup';
const WINDOW_BYTES = 64 * 1024;
const BODY = Buffer.alloc(1024, 'h');
const STORED_OK = new Set<number>([
  ResponseCode.SUCCESS,
  ResponseCode.FLUSH_SLAVE_TIMEOUT,
  ResponseCode.SLAVE_NOT_AVAILABLE,
]);

/** A scrape with the wall-clock interval it happened in (the broker read its clock inside it). */
async function timedScrape(url: string) {
  const startMs = Date.now();
  const m = await scrape(url);
  return { m, startMs, endMs: Date.now() };
}

describe('HA metrics of a SYNC_MASTER pair', { timeout: 120_000 }, () => {
  let pair: HaPair;
  let client: TestClient;
  let url: string;
  const cli = mqadminCli(() => pair.namesrvAddr);
  before(async () => {
    pair = await HaPair.start({
      masterRole: 'SYNC_MASTER',
      timings: {
        slaveTimeout: '1000',
        haSlaveFallbehindMax: String(WINDOW_BYTES),
        metricsExporterType: 'PROM',
        metricsPromExporterPort: '0',
        metricsPromExporterHost: '127.0.0.1',
      },
    });
    url = await metricsUrlOf(pair.node('master').child);
    client = new TestClient(pair.node('master').address);
    await pair.createTopic(TOPIC, 4);
  });
  after(async () => {
    await client?.remoting.close();
    await pair?.stop();
  });

  it('reports per-replica lag in bytes and time, and the in-sync set, against what the slave holds', async () => {
    let acked = 0;
    let stopped = false;
    const loop = async () => {
      while (!stopped) {
        const sent = await client.send(TOPIC, BODY.subarray(0, 512));
        assert.ok(STORED_OK.has(sent.code), `send: ${sent.code} ${sent.remark}`);
        acked++;
      }
    };
    const loops = [loop(), loop(), loop(), loop()];
    try {
      for (const target of [100, 200, 300]) {
        await waitFor(() => acked >= target, { timeoutMs: 30_000, what: `${target} sends` });
        const m = await scrape(url);
        const lag = samples(m, 'petrel_replication_lag_bytes');
        assert.equal(lag.length, 1, 'one replica streaming');
        assert.ok(Number(lag[0]?.value) >= 0);
        assert.ok(lag[0]?.labels?.['replica']?.startsWith('127.0.0.1:'));
        assert.ok(value(m, 'petrel_replication_lag_ms') >= 0);
        assert.equal(value(m, 'petrel_replication_connected_slaves'), 1);
        const inSync = value(m, 'petrel_replication_in_sync_replicas');
        assert.ok(inSync === 1 || inSync === 2, `in-sync ${inSync}`);
        assert.ok(value(m, 'petrel_ha_epoch', { kind: 'epoch' }) >= 0);
        assert.equal(value(m, 'petrel_ha_failovers_total'), 0);
      }
    } finally {
      stopped = true;
      await Promise.all(loops);
    }
    const settled = await waitFor(
      async () => {
        const m = await scrape(url);
        const caughtUp =
          value(m, 'petrel_replication_lag_bytes') === 0 &&
          value(m, 'petrel_replication_lag_ms') === 0 &&
          value(m, 'petrel_replication_in_sync_replicas') === 2;
        return caughtUp ? m : undefined;
      },
      { timeoutMs: 15_000, what: 'the slave acknowledges everything' },
    );
    assert.equal(value(settled, 'petrel_replication_replica_in_sync'), 1);
    const slaveEnd = Number((await pair.runtime('master'))['commitLogMaxOffset']);
    assert.equal(Number((await pair.runtime('slave'))['commitLogMaxOffset']), slaveEnd);

    // Stall the HA link: the slave keeps exactly slaveEnd.
    pair.haLink.stall();
    const sentFromMs = Date.now();
    const sends = await Promise.all(Array.from({ length: 100 }, () => client.send(TOPIC, BODY)));
    const sentToMs = Date.now();
    for (const sent of sends) assert.ok(STORED_OK.has(sent.code), `send: ${sent.code}`);
    const masterEnd = Number((await pair.runtime('master'))['commitLogMaxOffset']);
    assert.ok(masterEnd - slaveEnd > WINDOW_BYTES, 'the slave lacks more than the window');
    assert.equal(Number((await pair.runtime('slave'))['commitLogMaxOffset']), slaveEnd);

    const first = await timedScrape(url);
    assert.equal(value(first.m, 'petrel_replication_lag_bytes'), masterEnd - slaveEnd);
    const lagMs = value(first.m, 'petrel_replication_lag_ms');
    assert.ok(
      lagMs >= first.startMs - sentToMs,
      `lag ${lagMs} ms is at least the newest send's age`,
    );
    assert.ok(
      lagMs <= first.endMs - sentFromMs,
      `lag ${lagMs} ms is at most the oldest send's age`,
    );
    assert.equal(value(first.m, 'petrel_replication_replica_in_sync'), 0);
    assert.equal(value(first.m, 'petrel_replication_in_sync_replicas'), 1);
    // The lag in time grows with the clock while the slave holds nothing new.
    const later = await waitFor(
      async () => {
        const s = await timedScrape(url);
        return value(s.m, 'petrel_replication_lag_ms') >= lagMs + 200 ? s : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50, what: 'the time lag to grow' },
    );
    const grown = value(later.m, 'petrel_replication_lag_ms') - lagMs;
    assert.ok(grown >= later.startMs - first.endMs && grown <= later.endMs - first.startMs);
    assert.equal(value(later.m, 'petrel_replication_lag_bytes'), masterEnd - slaveEnd);

    // haStatus (the function `mqadmin haStatus --json` prints) reads the same from the master.
    const ops = new AdminOps({ namesrvAddr: pair.namesrvAddr, requestTimeoutMs: 5000 });
    try {
      const [group] = await ops.haStatus();
      const ha = group?.ha;
      assert.ok(ha, 'the master answers petrelHaStatus');
      assert.equal(ha.mode, 'MASTER_SLAVE');
      assert.equal(ha.epochKind, 'epoch');
      assert.deepEqual(ha.inSync, [pair.node('master').address]);
      assert.equal(ha.inSyncWindowBytes, WINDOW_BYTES);
      assert.equal(ha.replicas.length, 1);
      assert.equal(ha.replicas[0]?.ackOffset, slaveEnd);
      assert.equal(ha.replicas[0]?.lagBytes, masterEnd - slaveEnd);
      assert.equal(ha.replicas[0]?.inSync, false);
      assert.equal(ha.failovers, 0);
      assert.equal(ha.lastFailover, null);
    } finally {
      await ops.close();
    }

    pair.haLink.heal();
    await waitFor(
      async () => {
        const m = await scrape(url);
        return (
          value(m, 'petrel_replication_lag_bytes') === 0 &&
          value(m, 'petrel_replication_in_sync_replicas') === 2
        );
      },
      { timeoutMs: 15_000, what: 'the slave back in sync' },
    );
    const table = await cli.run('haStatus');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /#Epoch\s+#InSync\s+#Lag \(replica:bytes\/ms\)\s+#Last Failover/);
    assert.match(table.stdout, /epoch \d+\s+2\s+127\.0\.0\.1:\d+:0B\/0ms/);
    family(await scrape(url), 'petrel_ha_failover_duration_seconds');
  });

  it('statsAll adds up what was sent, pulled and committed', async () => {
    await pair.createTopic(STATS_TOPIC, 1);
    const sentCount = 30;
    const firstSendMs = Date.now();
    let firstStoredMs = 0;
    for (let i = 0; i < sentCount; i++) {
      const sent = await client.send(STATS_TOPIC, BODY.subarray(0, 100), { queueId: 0 });
      assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark ?? '');
      if (i === 0) firstStoredMs = Date.now();
    }
    const pulled = await client.pull({
      group: STATS_GROUP,
      topic: STATS_TOPIC,
      queueId: 0,
      offset: 0,
      maxMsgNums: 20,
    });
    assert.equal(pulled.messages.length, 20);
    const committed = await client.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, {
      consumerGroup: STATS_GROUP,
      topic: STATS_TOPIC,
      queueId: 0,
      commitOffset: 12,
    });
    assert.equal(committed.code, ResponseCode.SUCCESS);

    const askedMs = Date.now();
    const report = await cli.json('statsAll', '-t', STATS_TOPIC);
    const doneMs = Date.now();
    assert.deepEqual(report['errors'], []);
    const rows = report['rows'] as Array<Record<string, unknown>>;
    assert.equal(rows.length, 1);
    const row = rows[0] ?? {};
    assert.equal(row['topic'], STATS_TOPIC);
    assert.equal(row['group'], STATS_GROUP);
    assert.equal(row['inMsg24Hour'], sentCount);
    assert.equal(row['outMsg24Hour'], 20);
    assert.equal(row['accumulation'], sentCount - 12);
    // Within the first minute the rate is the count over the time since the first message.
    const inTps = Number(row['inTps']);
    assert.ok(inTps >= (sentCount * 1000) / (doneMs - firstSendMs), `in TPS ${inTps}`);
    if (askedMs > firstStoredMs)
      assert.ok(inTps <= (sentCount * 1000) / (askedMs - firstStoredMs), `in TPS ${inTps}`);
    assert.ok(Number(row['outTps']) > 0);

    // -a leaves out topics with no traffic; HaLagTopic, with no consumer, says NO_CONSUMER.
    const active = (await cli.json('statsAll', '-a'))['rows'] as Array<Record<string, unknown>>;
    const lag = active.find((r) => r['topic'] === TOPIC);
    assert.ok(lag && lag['group'] === null && Number(lag['inMsg24Hour']) > 0);
    assert.ok(!active.some((r) => r['inMsg24Hour'] === 0 && r['outMsg24Hour'] === 0));
    const text = await cli.run('statsAll', '-t', STATS_TOPIC);
    assert.match(text.stdout, /#Topic\s+#Consumer Group\s+#Accumulation\s+#InTPS\s+#OutTPS/);
    assert.match(text.stdout, new RegExp(`${STATS_TOPIC}\\s+${STATS_GROUP}\\s+18\\s`));
  });

  it('exposes every metric the sample Grafana dashboard plots', async () => {
    const dashboard = readFileSync(join(process.cwd(), 'conf', 'grafana-petrel.json'), 'utf8');
    const names = new Set(
      [...dashboard.matchAll(/\b(?:rocketmq|petrel)_[a-z_]+/g)].map((m) =>
        m[0].replace(/_(bucket|sum|count)$/, ''),
      ),
    );
    assert.ok(names.has('petrel_replication_lag_ms') && names.has('petrel_ha_epoch'));
    const exposed = new Set((await scrape(url)).map((f) => f.name));
    assert.deepEqual(
      [...names].filter((n) => !exposed.has(n)),
      [],
    );
  });

  it('answers an unknown stats item and a malformed request with RocketMQ errors', async () => {
    const missing = await client.invoke(RequestCode.VIEW_BROKER_STATS_DATA, {
      statsName: 'TOPIC_PUT_NUMS',
      statsKey: 'NoSuchTopic',
    });
    assert.equal(missing.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(missing.remark, 'The stats <TOPIC_PUT_NUMS> <NoSuchTopic> not exist');
    const malformed = await client.invoke(RequestCode.VIEW_BROKER_STATS_DATA, { statsName: 'X' });
    assert.notEqual(malformed.code, ResponseCode.SUCCESS);
    assert.match(malformed.remark ?? '', /statsKey/);
    const who = await client.invoke(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic: STATS_TOPIC });
    assert.equal(who.code, ResponseCode.SUCCESS);
    assert.deepEqual(JSON.parse(who.body?.toString('utf8') ?? '{}'), { groupList: [STATS_GROUP] });
  });
});
