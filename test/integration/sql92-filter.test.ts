// SQL92 filtering against real processes: a NameServer, broker-a with enablePropertyFilter=true and
// broker-b without it. Petrel's producer sends messages with user properties; Petrel's PushConsumer
// and PullConsumer and the real ali-ons client (child process, its { expressionType: 'SQL92' }
// form) subscribe with SQL92 expressions and receive exactly the messages whose properties match,
// filtered on the broker. A malformed expression fails at subscribe(); a broker without
// enablePropertyFilter refuses the subscription at start() (CHECK_CLIENT_CONFIG) with its remark.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Admin } from '../../client/admin.js';
import type { MessageExt } from '../../client/message.js';
import { Producer } from '../../client/producer.js';
import { PullConsumer } from '../../client/pull-consumer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { bySql } from '../../client/subscription.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import { pullAll } from '../harness/pull-all.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { type Child, spawnNode } from '../harness/spawn-process.js';
import { waitFor } from '../harness/wait-for.js';

const aliOnsFixture = fileURLToPath(
  new URL('../fixtures/ali-ons/ali-ons-client.js', import.meta.url),
);
const fast = { pollNameServerIntervalMs: 1000, heartbeatBrokerIntervalMs: 1000 };
const COUNT = 60;

let cluster: RealCluster;
let admin: Admin;
let producer: Producer;
const closers: (() => Promise<void>)[] = [];
const children: Child[] = [];

/** Message i: region alternates eu/us/apac, amount = i * 10, vip on every fifth, TAGS T<i % 3>. */
function expected(predicate: (i: number) => boolean): string[] {
  return Array.from({ length: COUNT }, (_, i) => i)
    .filter(predicate)
    .map((i) => `m-${i}`)
    .sort();
}

async function createTopic(topic: string, brokerIndex: number): Promise<void> {
  const brokerAddr = cluster.brokers[brokerIndex]?.address;
  assert.ok(brokerAddr !== undefined);
  await admin.createTopic({ topic, readQueueNums: 4, writeQueueNums: 4, brokerAddr });
  await waitFor(async () => (await admin.topicRoute(topic)).queueDatas.length === 1, {
    timeoutMs: 10_000,
    what: `route of ${topic}`,
  });
}

async function sendAll(topic: string): Promise<void> {
  for (let i = 0; i < COUNT; i++) {
    const properties: Record<string, string> = {
      region: ['eu', 'us', 'apac'][i % 3] as string,
      amount: String(i * 10),
    };
    if (i % 5 === 0) properties['vip'] = 'true';
    const result = await producer.send({ topic, body: `m-${i}`, tags: `T${i % 3}`, properties });
    assert.equal(result.sendStatus, 'SEND_OK');
  }
}

function pushConsumer(group: string): { consumer: PushConsumer; got: MessageExt[] } {
  const consumer = new PushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    groupName: group,
    ...fast,
    rebalanceIntervalMs: 500,
    brokerSuspendMaxTimeMs: 1000,
    consumerTimeoutMsWhenSuspend: 5000,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  });
  closers.push(() => consumer.shutdown());
  const got: MessageExt[] = [];
  consumer.registerMessageListener(async (messages) => {
    got.push(...messages);
    return ConsumeStatus.CONSUME_SUCCESS;
  });
  return { consumer, got };
}

function bodies(messages: readonly MessageExt[]): string[] {
  return messages.map((m) => m.body.toString()).sort();
}

describe('SQL92 filters on a real broker', { timeout: 120_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([
      { brokerName: 'broker-a', config: { enablePropertyFilter: 'true' } },
      { brokerName: 'broker-b' },
    ]);
    admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
    await admin.start();
    producer = new Producer({ namesrvAddr: cluster.namesrvAddr, groupName: 'SQLP', ...fast });
    await producer.start();
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await producer?.shutdown();
    await admin?.shutdown();
    await cluster?.stop();
  });

  it('delivers to a PushConsumer only the messages whose properties match', async () => {
    const topic = `SQL_PUSH_${process.pid}`;
    await createTopic(topic, 0);
    await sendAll(topic);
    const { consumer, got } = pushConsumer('SQL_PUSH_G');
    consumer.subscribe(topic, bySql("region IN ('eu', 'apac') AND amount BETWEEN 100 AND 400"));
    await consumer.start();
    const want = expected((i) => i % 3 !== 1 && i * 10 >= 100 && i * 10 <= 400);
    await waitFor(() => got.length >= want.length, {
      timeoutMs: 20_000,
      what: 'filtered messages',
    });
    // Everything after the last match is read and filtered out before the queue looks drained.
    const vip = pushConsumer('SQL_PUSH_VIP');
    vip.consumer.subscribe(topic, bySql("vip IS NOT NULL AND TAGS <> 'T1'"));
    await vip.consumer.start();
    const wantVip = expected((i) => i % 5 === 0 && i % 3 !== 1);
    await waitFor(() => vip.got.length >= wantVip.length, { timeoutMs: 20_000, what: 'vip' });
    await producer.send({ topic, body: 'late-eu', properties: { region: 'eu', amount: '200' } });
    await waitFor(() => got.some((m) => m.body.toString() === 'late-eu'), {
      timeoutMs: 20_000,
      what: 'a message sent after the consumer started',
    });
    assert.deepEqual(bodies(got), [...want, 'late-eu'].sort());
    assert.deepEqual(bodies(vip.got), wantVip);
  });

  it('filters pulls of a PullConsumer by its SQL92 expression', async () => {
    const topic = `SQL_PULL_${process.pid}`;
    await createTopic(topic, 0);
    await sendAll(topic);
    const consumer = new PullConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'SQL_PULL_G',
    });
    closers.push(() => consumer.shutdown());
    await consumer.start();
    const got: MessageExt[] = [];
    for (const queue of await consumer.fetchSubscribeMessageQueues(topic))
      got.push(...(await pullAll(consumer, queue, bySql('amount > 450'))));
    assert.deepEqual(
      bodies(got),
      expected((i) => i * 10 > 450),
    );
  });

  it('delivers SQL92-filtered messages to the real ali-ons client', async () => {
    const topic = `SQL_ALI_${process.pid}`;
    await createTopic(topic, 0);
    await sendAll(topic);
    const child = spawnNode(aliOnsFixture, [
      'consume',
      cluster.namesrvAddr,
      topic,
      'SQL_ALI_G',
      "SQL92:region = 'us' OR vip = TRUE",
      '0',
    ]);
    children.push(child);
    const want = expected((i) => i % 3 === 1 || i % 5 === 0);
    const got = () =>
      child.lines
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { event: string; body?: string })
        .filter((e) => e.event === 'got')
        .map((e) => e.body ?? '');
    await waitFor(() => got().length >= want.length, {
      timeoutMs: 30_000,
      what: `ali-ons to receive ${want.length} messages (stderr: ${child.stderr.slice(-3).join(' | ')})`,
    });
    await producer.send({ topic, body: 'late-us', properties: { region: 'us' } });
    await waitFor(() => got().includes('late-us'), { timeoutMs: 20_000, what: 'late-us' });
    assert.deepEqual([...new Set(got())].sort(), [...want, 'late-us'].sort());
  });

  it('refuses a malformed expression at subscribe() with a clear error', () => {
    const { consumer } = pushConsumer('SQL_BAD_G');
    assert.throws(
      () => consumer.subscribe('AnyTopic', bySql("region = 'eu' AND amount >")),
      (error: unknown) =>
        error instanceof MqError &&
        error.code === ErrorCode.FILTER_EXPRESSION_INVALID &&
        /column \d+/.test(error.message),
    );
  });

  it('fails start() when a broker of the topic does not enable property filtering', async () => {
    const topic = `SQL_OFF_${process.pid}`;
    await createTopic(topic, 1);
    const { consumer } = pushConsumer('SQL_OFF_G');
    consumer.subscribe(topic, bySql("region = 'eu'"));
    await assert.rejects(consumer.start(), (error: unknown) => {
      assert.ok(error instanceof MqError);
      assert.match(error.message, /does not support consumer to filter message by SQL92/);
      return true;
    });
  });
});
