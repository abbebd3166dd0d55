// The Prometheus endpoints of a real NameServer and broker (metricsExporterType=PROM): sends and
// pulls go through the broker's remoting port, then /metrics is scraped and read with a real
// Prometheus text-format parser (parse-prometheus-text-format, a port of the Prometheus Python
// client's parser), and the values are checked against what was sent and consumed. Histogram
// details per label set are checked in test/unit/server/batched-histogram.test.ts.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RequestCode, ResponseCode } from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import {
  type PetrelProcess,
  startBroker,
  startNamesrv,
  stopAll,
} from '../harness/petrel-processes.js';
import { family, metricsUrlOf, scrape, value } from '../harness/prom-scrape.js';
import { waitFor } from '../harness/wait-for.js';

const TOPIC = 'TopicMetrics';
const GROUP = 'GroupMetrics';
const SENT = 200;
const BODY = Buffer.alloc(300, 'm');
const PULLED = 32;
const COMMITTED = 10;
const prom = ['--metricsExporterType=PROM', '--metricsPromExporterPort=0'];

async function metricsUrl(process: PetrelProcess): Promise<string> {
  return metricsUrlOf(process.child);
}

describe('Prometheus metrics', { timeout: 120_000 }, () => {
  let namesrv: PetrelProcess;
  let broker: PetrelProcess;
  let client: TestClient;
  after(async () => {
    await client?.remoting.close();
    await stopAll();
  });
  before(async () => {
    namesrv = await startNamesrv(prom);
    broker = await startBroker([namesrv.address], {
      extra: [...prom, '--metricsPromExporterHost=127.0.0.1', '--brokerClusterName=MetricsCluster'],
    });
    client = new TestClient(broker.address);
  });

  it('counts what a broker stored and served, with RocketMQ 5 names and labels', async () => {
    const created = await client.invoke(RequestCode.UPDATE_AND_CREATE_TOPIC, {
      topic: TOPIC,
      defaultTopic: 'TBW102',
      readQueueNums: 2,
      writeQueueNums: 2,
      perm: 6,
      topicFilterType: 'SINGLE_TAG',
      order: false,
    });
    assert.equal(created.code, ResponseCode.SUCCESS, created.remark ?? '');
    const sends = [];
    for (let i = 0; i < SENT; i++) sends.push(client.send(TOPIC, BODY, { queueId: i % 2 }));
    for (const sent of await Promise.all(sends)) assert.equal(sent.code, ResponseCode.SUCCESS);
    const pulled = await client.pull({
      group: GROUP,
      topic: TOPIC,
      queueId: 0,
      offset: 0,
      maxMsgNums: PULLED,
    });
    assert.equal(pulled.messages.length, Math.min(PULLED, SENT / 2));
    const pulledCount = pulled.messages.length;
    const committed = await client.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, {
      consumerGroup: GROUP,
      topic: TOPIC,
      queueId: 0,
      commitOffset: COMMITTED,
    });
    assert.equal(committed.code, ResponseCode.SUCCESS, committed.remark ?? '');

    const url = await metricsUrl(broker);
    const m = await scrape(url);
    const common = { cluster: 'MetricsCluster', node_type: 'broker', node_id: 'broker-a' };
    const inLabels = { ...common, topic: TOPIC, message_type: 'Normal', is_system: 'false' };
    assert.equal(family(m, 'rocketmq_messages_in_total').type, 'COUNTER');
    assert.equal(value(m, 'rocketmq_messages_in_total', inLabels), SENT);
    // A stored record is the body plus its header, topic and properties: more than the body.
    const bytesIn = value(m, 'rocketmq_throughput_in_total', inLabels);
    assert.ok(bytesIn > SENT * BODY.length && bytesIn < SENT * (BODY.length + 400), `${bytesIn}`);
    // The parser keeps one series of a histogram family, without its labels (its known limit);
    // only TOPIC's records were stored, so rocketmq_message_size has that one series.
    const size = family(m, 'rocketmq_message_size');
    assert.equal(size.type, 'HISTOGRAM');
    assert.equal(size.metrics.length, 1);
    assert.equal(Number(size.metrics[0]?.buckets?.['+Inf']), SENT);
    assert.equal(Number(size.metrics[0]?.buckets?.['1024']), SENT, 'every record is under 1 KiB');
    const outLabels = { topic: TOPIC, consumer_group: GROUP };
    assert.equal(value(m, 'rocketmq_messages_out_total', outLabels), pulledCount);
    assert.equal(
      value(m, 'rocketmq_throughput_out_total', outLabels),
      (bytesIn / SENT) * pulledCount,
      'records are the same size, so the bytes out are in proportion',
    );
    assert.equal(value(m, 'rocketmq_consumer_lag_messages', outLabels), SENT / 2 - COMMITTED);
    assert.equal(
      value(m, 'rocketmq_consumer_inflight_messages', outLabels),
      pulledCount - COMMITTED,
    );
    assert.ok(value(m, 'rocketmq_consumer_lag_latency', outLabels) >= 0);
    assert.ok(value(m, 'rocketmq_topic_number') >= 1);
    assert.ok(value(m, 'rocketmq_storage_size', { storage_type: 'local' }) >= bytesIn);
    assert.ok(value(m, 'rocketmq_storage_flush_behind_bytes', { storage_type: 'local' }) >= 0);
    assert.ok(value(m, 'rocketmq_storage_dispatch_behind_bytes', { storage_type: 'local' }) >= 0);
    const latency = family(m, 'rocketmq_rpc_latency');
    assert.equal(latency.type, 'HISTOGRAM');
    assert.ok(Number(latency.metrics[0]?.buckets?.['+Inf']) >= 1);
    assert.equal(value(m, 'petrel_broker_role', { role: 'ASYNC_MASTER' }), 1);
    assert.ok(value(m, 'petrel_ring_capacity_bytes', { ring: 'append' }) > 0);
    assert.ok(value(m, 'petrel_event_loop_delay_seconds', { stat: 'max' }) >= 0);
    assert.equal(value(m, 'petrel_metrics_dropped_total'), 0);
    for (const name of [
      'rocketmq_producer_connections',
      'rocketmq_consumer_connections',
      'rocketmq_consumer_group_number',
      'petrel_flushes_total',
      'petrel_replication_connected_slaves',
    ])
      family(m, name);
  });

  it('keeps counting across scrapes (counters only grow)', async () => {
    const url = await metricsUrl(broker);
    const before = value(await scrape(url), 'rocketmq_messages_in_total', { topic: TOPIC });
    const sent = await client.send(TOPIC, BODY, { queueId: 1 });
    assert.equal(sent.code, ResponseCode.SUCCESS);
    const afterOne = value(await scrape(url), 'rocketmq_messages_in_total', { topic: TOPIC });
    assert.equal(afterOne, before + 1);
  });

  it('serves the NameServer route figures and 404 elsewhere', async () => {
    const url = await metricsUrl(namesrv);
    const m = await waitFor(
      async () => {
        const scraped = await scrape(url);
        return value(scraped, 'rocketmq_topic_number') >= 1 ? scraped : undefined;
      },
      { timeoutMs: 10_000, what: 'the topic reaches the NameServer' },
    );
    assert.equal(
      value(m, 'petrel_namesrv_brokers', { cluster: 'MetricsCluster', broker_name: 'broker-a' }),
      1,
    );
    assert.equal((await fetch(url.replace('/metrics', '/other'))).status, 404);
  });
});
