// Request/reply against a real NameServer and broker: Producer.request() sends a request, a
// PushConsumer answers it with createReplyMessage() through another producer, and the broker pushes
// the reply to the requester (PUSH_REPLY_MESSAGE_TO_CLIENT) and stores it in <cluster>_REPLY_TOPIC.
// A request nobody answers rejects with E_REQUEST_TIMEOUT; a reply for a client that is not
// connected gets SYSTEM_ERROR naming it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import type { MessageExt } from '../../client/message.js';
import { Producer } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { createReplyMessage } from '../../client/request-reply.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import { encodeProperties, RequestCode, ResponseCode } from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitFor } from '../harness/wait-for.js';

const fast = { pollNameServerIntervalMs: 500, heartbeatBrokerIntervalMs: 500 };
let cluster: RealCluster;
let admin: Admin;
const closers: (() => Promise<void>)[] = [];

async function producer(group: string): Promise<Producer> {
  const p = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: group, ...fast });
  await p.start();
  closers.push(() => p.shutdown());
  return p;
}

describe('request/reply on a real broker', { timeout: 60_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([{ brokerName: 'broker-a' }]);
    admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
    await admin.start();
  });

  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await admin?.shutdown();
    await cluster?.stop();
  });

  it('delivers the reply to the requester and stores it in the reply topic', async () => {
    const topic = `REQ_${process.pid}`;
    await admin.createTopic({ topic, readQueueNums: 2, writeQueueNums: 2 });
    await waitFor(async () => (await admin.topicRoute(topic)).queueDatas.length === 1, {
      timeoutMs: 10_000,
      what: 'route',
    });
    const replier = await producer('REPLIER_P');
    const consumer = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'REPLIER_G',
      ...fast,
      rebalanceIntervalMs: 300,
      brokerSuspendMaxTimeMs: 1000,
      consumerTimeoutMsWhenSuspend: 5000,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    });
    closers.push(() => consumer.shutdown());
    const seen: MessageExt[] = [];
    consumer.subscribe(topic, '*', async (messages) => {
      for (const m of messages) {
        seen.push(m);
        if (m.body.toString() === 'ignore me') continue;
        await replier.send(createReplyMessage(m, `re: ${m.body.toString()}`));
      }
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    await consumer.start();
    const requester = await producer('REQUESTER_P');
    const reply = await requester.request({ topic, body: 'ping', properties: { k: 'v' } }, 10_000);
    assert.equal(reply.body.toString(), 're: ping');
    assert.equal(reply.properties['MSG_TYPE'], 'reply');
    const request = seen.find((m) => m.body.toString() === 'ping');
    assert.ok(request !== undefined);
    assert.equal(reply.properties['CORRELATION_ID'], request.properties['CORRELATION_ID']);
    assert.equal(request.properties['REPLY_TO_CLIENT'], requester.clientId);
    assert.equal(request.properties['k'], 'v');
    const replies = await Promise.all(
      [1, 2, 3].map((i) => requester.request({ topic, body: `n${i}` }, 10_000)),
    );
    assert.deepEqual(
      replies.map((r) => r.body.toString()),
      ['re: n1', 're: n2', 're: n3'],
    );
    const stored = await admin.topicRoute('DefaultCluster_REPLY_TOPIC');
    assert.equal(stored.queueDatas.length, 1, 'the reply topic is registered');

    await assert.rejects(requester.request({ topic, body: 'ignore me' }, 500), (error: unknown) => {
      assert.ok(error instanceof MqError);
      assert.equal(error.code, ErrorCode.REQUEST_TIMEOUT);
      return true;
    });
  });

  it('answers SYSTEM_ERROR to a reply whose requester is not connected', async () => {
    const client = new TestClient(cluster.brokers[0]?.address ?? '');
    try {
      const properties = encodeProperties({
        MSG_TYPE: 'reply',
        CORRELATION_ID: 'c-1',
        REPLY_TO_CLIENT: 'gone-client@0',
      });
      const header = {
        a: 'P',
        b: 'DefaultCluster_REPLY_TOPIC',
        c: 'TBW102',
        d: 4,
        e: 0,
        f: 0,
        g: Date.now(),
        h: 0,
        i: properties,
      };
      const r = await client.invoke(RequestCode.SEND_REPLY_MESSAGE_V2, header, Buffer.from('x'));
      assert.equal(r.code, ResponseCode.SYSTEM_ERROR);
      assert.match(r.remark ?? '', /channel of <gone-client@0> not found/);
    } finally {
      await client.close();
    }
  });
});
