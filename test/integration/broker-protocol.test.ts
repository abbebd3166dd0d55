// A NameServer and a broker as real processes on 127.0.0.1, driven through the raw RocketMQ
// protocol: routes, sends (V1, V2, batch), pulls with tag filtering and long polling, consumer
// offsets, offset queries, queries by key and id, heartbeats and consumer lists, send-back to the
// retry topic and then the DLQ, delayed delivery and topic creation. Bad input is in
// broker-bad-input.test.ts.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createRequest,
  decodeClusterInfo,
  decodeConsumerList,
  decodeConsumeStats,
  decodeKvTable,
  decodeTopicRouteData,
  decodeTopicStatsTable,
  encodeProperties,
  MqVersion,
  RequestCode,
  ResponseCode,
} from '../../protocol/index.js';
import { encodeMessageBatch } from '../../protocol/message-batch.js';
import { decodeOffsetMsgId } from '../../protocol/message-id.js';
import { decodeRecords, TestClient } from '../harness/broker-client.js';
import {
  type PetrelProcess,
  startBroker,
  startNamesrv,
  stopAll,
} from '../harness/petrel-processes.js';
import { waitFor } from '../harness/wait-for.js';

let namesrv: PetrelProcess;
let broker: PetrelProcess;
let ns: TestClient;
let client: TestClient;

before(async () => {
  namesrv = await startNamesrv();
  broker = await startBroker([namesrv.address], {
    extra: ['--messageDelayLevel=1s 1s 1s 1s 1s 1s', '--maxMessageSize=65536'],
  });
  ns = new TestClient(namesrv.address);
  client = new TestClient(broker.address);
});

after(async () => {
  await client?.close();
  await ns?.close();
  await stopAll();
});

function runtimeFigure(key: string): Promise<number> {
  return client.runtimeFigure(key);
}

function commitLogMaxOffset(): Promise<number> {
  return runtimeFigure('commitLogMaxOffset');
}

/** Resolves once the wall clock has passed `ms` (timestamps before and after it differ). */
function clockPast(ms: number): Promise<number> {
  return waitFor(() => (Date.now() > ms ? Date.now() : 0), {
    timeoutMs: 5000,
    intervalMs: 1,
    what: `the clock to pass ${ms}`,
  });
}

describe('Broker and NameServer over the wire', { timeout: 120_000 }, () => {
  it('registers the broker and its topics with the NameServer', async () => {
    const cluster = decodeClusterInfo((await ns.invoke(RequestCode.GET_BROKER_CLUSTER_INFO)).body);
    assert.deepEqual(cluster.clusterAddrTable, { DefaultCluster: ['broker-a'] });
    assert.deepEqual(cluster.brokerAddrTable['broker-a']?.brokerAddrs, { '0': broker.address });
    const route = await ns.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TBW102' });
    assert.equal(route.code, ResponseCode.SUCCESS);
    assert.equal(decodeTopicRouteData(route.body).queueDatas[0]?.perm, 7);
    const unknown = await ns.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'NoSuchTopic' });
    assert.equal(unknown.code, ResponseCode.TOPIC_NOT_EXIST);
    const legacy = createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'NoSuchTopic' });
    legacy.version = MqVersion.V3_4_9;
    const legacyAnswer = await ns.remoting.invoke(legacy, 5000);
    assert.equal(legacyAnswer.code, ResponseCode.SUCCESS, 'ali-ons falls back to TBW102');
    assert.equal(legacyAnswer.body, null);
  });

  it('stores SEND_MESSAGE_V2 and SEND_MESSAGE sends, auto-creating the topic', async () => {
    const v2 = await client.send('TopicSend', 'hello v2', { tags: 'TagA', keys: 'k1 k2' });
    assert.equal(v2.code, ResponseCode.SUCCESS, v2.remark ?? '');
    assert.match(v2.extFields['msgId'] ?? '', /^[0-9A-F]{32}$/);
    assert.equal(v2.extFields['queueOffset'], '0');
    const v1 = await client.send('TopicSend', 'hello v1', { tags: 'TagB', v1: true });
    assert.equal(v1.code, ResponseCode.SUCCESS, v1.remark ?? '');
    assert.equal(v1.extFields['queueOffset'], '1');
    const pulled = await client.pull({
      group: 'G-send',
      topic: 'TopicSend',
      queueId: 0,
      offset: 0,
    });
    assert.equal(pulled.code, ResponseCode.SUCCESS);
    assert.deepEqual(
      pulled.messages.map((m) => [m.body.toString(), m.properties['TAGS'], m.queueOffset]),
      [
        ['hello v2', 'TagA', 0],
        ['hello v1', 'TagB', 1],
      ],
    );
    assert.equal(pulled.messages[0]?.properties['KEYS'], 'k1 k2');
    assert.equal(pulled.messages[0]?.properties['CLUSTER'], 'DefaultCluster');
    assert.equal(pulled.messages[0]?.storeHost, broker.address);
    assert.deepEqual([pulled.nextBeginOffset, pulled.minOffset, pulled.maxOffset], [2, 0, 2]);
    await waitFor(
      async () =>
        (await ns.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicSend' })).code ===
        ResponseCode.SUCCESS,
      { timeoutMs: 5000, what: 'the new topic in the NameServer route' },
    );
  });

  it('stores a SEND_BATCH_MESSAGE batch whole, and refuses a malformed one whole', async () => {
    const body = encodeMessageBatch(
      [0, 1, 2].map((i) => ({
        flag: i,
        body: Buffer.from(`batch ${i}`),
        properties: encodeProperties({ UNIQ_KEY: `U${i}`, TAGS: 'B' }),
      })),
    );
    const ok = await client.invoke(
      RequestCode.SEND_BATCH_MESSAGE,
      { a: 'PG', b: 'TopicBatch', c: 'TBW102', d: 4, e: 1, f: 0, g: Date.now(), h: 0, m: true },
      body,
    );
    assert.equal(ok.code, ResponseCode.SUCCESS, ok.remark ?? '');
    assert.equal(ok.extFields['msgId']?.split(',').length, 3);
    const pulled = await client.pull({ group: 'G', topic: 'TopicBatch', queueId: 1, offset: 0 });
    assert.deepEqual(
      pulled.messages.map((m) => [m.body.toString(), m.flag, m.properties['UNIQ_KEY']]),
      [
        ['batch 0', 0, 'U0'],
        ['batch 1', 1, 'U1'],
        ['batch 2', 2, 'U2'],
      ],
    );
    const before = await commitLogMaxOffset();
    const broken = Buffer.from(body);
    broken.writeInt32BE(broken.readInt32BE(0) + 7, 0);
    const refused = await client.invoke(
      RequestCode.SEND_BATCH_MESSAGE,
      { a: 'PG', b: 'TopicBatch', c: 'TBW102', d: 4, e: 1, f: 0, g: Date.now(), h: 0, m: true },
      broken,
    );
    assert.equal(refused.code, ResponseCode.MESSAGE_ILLEGAL);
    assert.equal(await commitLogMaxOffset(), before, 'nothing appended');
  });

  it('filters pulls by tag hash codes on the broker', async () => {
    for (const tag of ['TagA', 'TagB', 'TagB', 'TagA', 'TagC']) {
      const r = await client.send('TopicTags', `m-${tag}`, { tags: tag, queueId: 2 });
      assert.equal(r.code, ResponseCode.SUCCESS);
    }
    const a = await client.pull({
      group: 'G',
      topic: 'TopicTags',
      queueId: 2,
      offset: 0,
      subscription: 'TagA || TagC',
    });
    assert.deepEqual(
      a.messages.map((m) => [m.properties['TAGS'], m.queueOffset]),
      [
        ['TagA', 0],
        ['TagA', 3],
        ['TagC', 4],
      ],
    );
    assert.equal(a.nextBeginOffset, 5);
    const none = await client.pull({
      group: 'G',
      topic: 'TopicTags',
      queueId: 2,
      offset: 1,
      maxMsgNums: 2,
      subscription: 'TagZ',
    });
    assert.equal(none.code, ResponseCode.PULL_RETRY_IMMEDIATELY);
    assert.equal(none.nextBeginOffset, 5, 'the filtered entries are skipped');
  });

  it('answers offsets out of range with PULL_OFFSET_MOVED and the valid range', async () => {
    await client.send('TopicRange', 'x', { queueId: 0 });
    const beyond = await client.pull({ group: 'G', topic: 'TopicRange', queueId: 0, offset: 50 });
    assert.equal(beyond.code, ResponseCode.PULL_OFFSET_MOVED);
    assert.deepEqual([beyond.minOffset, beyond.maxOffset], [0, 1]);
    const atEnd = await client.pull({ group: 'G', topic: 'TopicRange', queueId: 0, offset: 1 });
    assert.equal(atEnd.code, ResponseCode.PULL_NOT_FOUND);
    assert.equal(atEnd.nextBeginOffset, 1);
    const badQueue = await client.pull({ group: 'G', topic: 'TopicRange', queueId: 99, offset: 0 });
    assert.equal(badQueue.code, ResponseCode.SYSTEM_ERROR);
    const noTopic = await client.pull({ group: 'G', topic: 'NoTopicHere', queueId: 0, offset: 0 });
    assert.equal(noTopic.code, ResponseCode.TOPIC_NOT_EXIST);
  });

  it('holds an empty pull until a message arrives (long polling)', async () => {
    await client.send('TopicPoll', 'first', { queueId: 0 });
    let answered = false;
    const held = client
      .pull({ group: 'G', topic: 'TopicPoll', queueId: 0, offset: 1, suspendMs: 10_000 })
      .finally(() => {
        answered = true;
      });
    // The broker reports the pull as held before anything arrives for it.
    await waitFor(async () => (await runtimeFigure('heldPullRequests')) === 1, {
      timeoutMs: 5000,
      what: 'the pull to be held',
    });
    assert.equal(answered, false, 'an empty pull is held, not answered');
    await client.send('TopicPoll', 'second', { queueId: 0 });
    const result = await held;
    assert.equal(result.code, ResponseCode.SUCCESS);
    assert.deepEqual(
      result.messages.map((m) => m.body.toString()),
      ['second'],
    );
    assert.equal(await runtimeFigure('heldPullRequests'), 0, 'the arrival woke the held pull');
  });

  it('answers a held pull with PULL_NOT_FOUND when its suspend time ends', async () => {
    await client.send('TopicIdle', 'only', { queueId: 0 });
    const started = Date.now();
    const result = await client.pull({
      group: 'G',
      topic: 'TopicIdle',
      queueId: 0,
      offset: 1,
      suspendMs: 800,
    });
    const waitedMs = Date.now() - started;
    assert.equal(result.code, ResponseCode.PULL_NOT_FOUND);
    assert.equal(result.nextBeginOffset, 1);
    assert.ok(waitedMs >= 700 && waitedMs < 4000, `answered after ${waitedMs} ms`);
  });

  it('stores and returns consumer offsets, from updates and from pulls', async () => {
    await client.send('TopicOffsets', 'a', { queueId: 0 });
    const query = () =>
      client.invoke(RequestCode.QUERY_CONSUMER_OFFSET, {
        consumerGroup: 'GO',
        topic: 'TopicOffsets',
        queueId: 0,
      });
    const fresh = await query();
    assert.equal(fresh.code, ResponseCode.SUCCESS, 'a young queue starts a new group at 0');
    assert.equal(fresh.extFields['offset'], '0');
    const update = (commitOffset: number) =>
      client.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, {
        consumerGroup: 'GO',
        topic: 'TopicOffsets',
        queueId: 0,
        commitOffset,
      });
    assert.equal((await update(1)).code, ResponseCode.SUCCESS);
    assert.equal((await query()).extFields['offset'], '1');
    await update(-1);
    assert.equal((await query()).extFields['offset'], '1', 'a negative offset is ignored');
    await client.pull({
      group: 'GO',
      topic: 'TopicOffsets',
      queueId: 0,
      offset: 0,
      commitOffset: 1,
    });
    await client.send('TopicOffsets', 'b', { queueId: 0 });
    await client.pull({
      group: 'GO',
      topic: 'TopicOffsets',
      queueId: 0,
      offset: 1,
      commitOffset: 2,
    });
    assert.equal((await query()).extFields['offset'], '2');
    const all = await client.invoke(RequestCode.GET_ALL_CONSUMER_OFFSET);
    assert.match(all.body?.toString() ?? '', /"TopicOffsets@GO":\{"0":2\}/);
  });

  it('answers max, min, search-by-time and earliest-time queries', async () => {
    await client.send('TopicTimes', 'a', { queueId: 0 });
    const a = await client.pull({ group: 'GT', topic: 'TopicTimes', queueId: 0, offset: 0 });
    // A middle instant strictly after a's store time, and b stored strictly after it.
    const middle = await clockPast(a.messages[0]?.storeTimestamp ?? Date.now());
    await clockPast(middle);
    await client.send('TopicTimes', 'b', { queueId: 0 });
    const q = { topic: 'TopicTimes', queueId: 0 };
    assert.equal((await client.invoke(RequestCode.GET_MAX_OFFSET, q)).extFields['offset'], '2');
    assert.equal((await client.invoke(RequestCode.GET_MIN_OFFSET, q)).extFields['offset'], '0');
    const found = await client.invoke(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, {
      ...q,
      timestamp: middle,
    });
    assert.equal(found.extFields['offset'], '1');
    const earliest = await client.invoke(RequestCode.GET_EARLIEST_MSG_STORETIME, q);
    assert.ok(Number(earliest.extFields['timestamp']) < middle);
  });

  it('finds messages by key and by offset message id', async () => {
    const sent = await client.send('TopicQuery', 'findme', {
      keys: 'order-42 customer-7',
      queueId: 1,
    });
    const byKey = await client.invoke(RequestCode.QUERY_MESSAGE, {
      topic: 'TopicQuery',
      key: 'customer-7',
      maxNum: 10,
      beginTimestamp: 0,
      endTimestamp: Date.now() + 60_000,
    });
    assert.equal(byKey.code, ResponseCode.SUCCESS, byKey.remark ?? '');
    assert.deepEqual(
      decodeRecords(byKey.body).map((m) => m.body.toString()),
      ['findme'],
    );
    const msgId = sent.extFields['msgId'] ?? '';
    const { commitLogOffset } = decodeOffsetMsgId(msgId);
    const byId = await client.invoke(RequestCode.VIEW_MESSAGE_BY_ID, { offset: commitLogOffset });
    assert.equal(byId.code, ResponseCode.SUCCESS);
    assert.equal(decodeRecords(byId.body)[0]?.properties['KEYS'], 'order-42 customer-7');
    const missing = await client.invoke(RequestCode.QUERY_MESSAGE, {
      topic: 'TopicQuery',
      key: 'nothing',
      maxNum: 10,
      beginTimestamp: 0,
      endTimestamp: Date.now() + 60_000,
    });
    assert.equal(missing.code, ResponseCode.QUERY_NOT_FOUND);
  });

  it('registers consumers by heartbeat, lists them, and creates the retry topic', async () => {
    const hb = await client.heartbeat('10.0.0.9@1', 'GH', 'TopicSend', 'TagA');
    assert.equal(hb.code, ResponseCode.SUCCESS);
    const list = await client.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, {
      consumerGroup: 'GH',
    });
    assert.deepEqual(decodeConsumerList(list.body).consumerIdList, ['10.0.0.9@1']);
    await waitFor(
      async () =>
        (await ns.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: '%RETRY%GH' })).code ===
        ResponseCode.SUCCESS,
      { timeoutMs: 5000, what: 'the retry topic route' },
    );
    await client.invoke(RequestCode.UNREGISTER_CLIENT, {
      clientID: '10.0.0.9@1',
      consumerGroup: 'GH',
    });
    const empty = await client.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, {
      consumerGroup: 'GH',
    });
    assert.equal(empty.code, ResponseCode.SYSTEM_ERROR);
  });

  it('sends a given-back message to the retry topic after its delay, then to the DLQ', async () => {
    await client.send('TopicRetry', 'fail me', { tags: 'T', queueId: 0 });
    const original = (
      await client.pull({ group: 'GR', topic: 'TopicRetry', queueId: 0, offset: 0 })
    ).messages[0];
    assert.ok(original);
    const back = (offset: number) =>
      client.invoke(RequestCode.CONSUMER_SEND_MSG_BACK, {
        offset,
        group: 'GR',
        delayLevel: 0,
        originMsgId: 'X',
        originTopic: 'TopicRetry',
        maxReconsumeTimes: 1,
      });
    assert.equal((await back(original.commitLogOffset)).code, ResponseCode.SUCCESS);
    const retried = await waitFor(
      async () =>
        (await client.pull({ group: 'GR', topic: '%RETRY%GR', queueId: 0, offset: 0 })).messages[0],
      { timeoutMs: 8000, what: 'the message in %RETRY%GR' },
    );
    assert.equal(retried.body.toString(), 'fail me');
    assert.equal(retried.reconsumeTimes, 1);
    assert.equal(retried.properties['RETRY_TOPIC'], 'TopicRetry');
    assert.equal(retried.properties['TAGS'], 'T');
    assert.match(retried.properties['ORIGIN_MESSAGE_ID'] ?? '', /^[0-9A-F]{32}$/);
    assert.equal(retried.properties['DELAY'], undefined);
    assert.equal((await back(retried.commitLogOffset)).code, ResponseCode.SUCCESS);
    const dead = await waitFor(
      async () =>
        (await client.pull({ group: 'G', topic: '%DLQ%GR', queueId: 0, offset: 0 })).messages[0],
      { timeoutMs: 5000, what: 'the message in %DLQ%GR' },
    );
    assert.equal(dead.reconsumeTimes, 2);
    assert.equal(dead.properties['RETRY_TOPIC'], 'TopicRetry');
  });

  it('delivers a DELAY message after its level delay, into its real queue', async () => {
    const sent = await client.send('TopicDelay', 'later', {
      queueId: 1,
      properties: { DELAY: '2' },
    });
    assert.equal(sent.code, ResponseCode.SUCCESS);
    assert.equal(sent.extFields['queueId'], '1');
    const sentAt = Date.now();
    const early = await client.pull({ group: 'G', topic: 'TopicDelay', queueId: 1, offset: 0 });
    assert.equal(early.messages.length, 0, 'not visible before its delay');
    const delivered = await waitFor(
      async () =>
        (await client.pull({ group: 'G', topic: 'TopicDelay', queueId: 1, offset: 0 })).messages[0],
      { timeoutMs: 8000, what: 'the delayed message' },
    );
    assert.ok(Date.now() - sentAt >= 800, 'delivered after about one second');
    assert.equal(delivered.body.toString(), 'later');
    assert.equal(delivered.properties['DELAY'], undefined);
    assert.equal(delivered.properties['REAL_TOPIC'], 'TopicDelay');
  });

  it('creates and updates topics by UPDATE_AND_CREATE_TOPIC and registers them', async () => {
    const created = await client.invoke(RequestCode.UPDATE_AND_CREATE_TOPIC, {
      topic: 'TopicAdmin',
      defaultTopic: 'TBW102',
      readQueueNums: 3,
      writeQueueNums: 2,
      perm: 6,
      topicFilterType: 'SINGLE_TAG',
      order: false,
    });
    assert.equal(created.code, ResponseCode.SUCCESS, created.remark ?? '');
    const route = decodeTopicRouteData(
      (await ns.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicAdmin' })).body,
    );
    assert.deepEqual(
      [route.queueDatas[0]?.readQueueNums, route.queueDatas[0]?.writeQueueNums],
      [3, 2],
    );
    const outside = await client.send('TopicAdmin', 'x', { queueId: 2 });
    assert.equal(outside.code, ResponseCode.MESSAGE_ILLEGAL, 'queue 2 is not a write queue');
    const reserved = await client.invoke(RequestCode.UPDATE_AND_CREATE_TOPIC, {
      topic: 'DefaultCluster',
      defaultTopic: 'TBW102',
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: 6,
      topicFilterType: 'SINGLE_TAG',
      order: false,
    });
    assert.equal(reserved.code, ResponseCode.SYSTEM_ERROR);
  });

  it('reports topic and consume statistics', async () => {
    const topicStats = decodeTopicStatsTable(
      (await client.invoke(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'TopicOffsets' })).body,
    );
    const queue0 = topicStats.offsetTable.find((e) => e.messageQueue.queueId === 0);
    assert.deepEqual([queue0?.value.minOffset, queue0?.value.maxOffset], [0, 2]);
    assert.ok((queue0?.value.lastUpdateTimestamp ?? 0) > 0);
    const consume = decodeConsumeStats(
      (await client.invoke(RequestCode.GET_CONSUME_STATS, { consumerGroup: 'GO' })).body,
    );
    const row = consume.offsetTable.find(
      (e) => e.messageQueue.topic === 'TopicOffsets' && e.messageQueue.queueId === 0,
    );
    assert.deepEqual([row?.value.brokerOffset, row?.value.consumerOffset], [2, 2]);
  });

  it('reports runtime info and config', async () => {
    const info = decodeKvTable(
      (await client.invoke(RequestCode.GET_BROKER_RUNTIME_INFO)).body,
    ).table;
    assert.equal(info['brokerRole'], 'ASYNC_MASTER');
    assert.ok(Number(info['msgPutTotalTodayNow']) > 0);
    const config = await client.invoke(RequestCode.GET_BROKER_CONFIG);
    assert.match(config.body?.toString() ?? '', /^brokerName=broker-a$/m);
  });
});
