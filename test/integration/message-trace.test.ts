// Message traces against a real NameServer and broker with traceTopicEnable=true: a producer and a
// push consumer with enableMsgTrace write RocketMQ-format trace entries to RMQ_SYS_TRACE_TOPIC, and
// `mqadmin queryMsgTraceById` (the real CLI, a child process) finds the send (Pub) and the
// consumption (SubBefore, SubAfter) of the message by its id; a failed consumption is traced as
// failed, then the redelivery as a success.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Admin } from '../../client/admin.js';
import { Producer } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import type { TraceEntry } from '../../client/trace/trace-data.js';
import { type RealCluster, startRealCluster } from '../harness/real-cluster.js';
import { waitFor } from '../harness/wait-for.js';

const run = promisify(execFile);
const MQADMIN = join(process.cwd(), 'bin', 'mqadmin');
const fast = { pollNameServerIntervalMs: 500, heartbeatBrokerIntervalMs: 500 };
let cluster: RealCluster;
const closers: (() => Promise<void>)[] = [];

async function traces(msgId: string): Promise<TraceEntry[]> {
  const { stdout } = await run(
    process.execPath,
    [MQADMIN, 'queryMsgTraceById', '-n', cluster.namesrvAddr, '-i', msgId, '--json'],
    { timeout: 20_000 },
  );
  return (JSON.parse(stdout) as { traces: TraceEntry[] }).traces;
}

describe('message traces on a real broker', { timeout: 90_000 }, () => {
  before(async () => {
    cluster = await startRealCluster([
      {
        brokerName: 'broker-a',
        config: { traceTopicEnable: 'true', messageDelayLevel: '1s 1s 1s' },
      },
    ]);
  });

  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await cluster?.stop();
  });

  it('records the send and the consumptions of a message, found by mqadmin', async () => {
    const admin = new Admin({ namesrvAddr: cluster.namesrvAddr });
    await admin.start();
    closers.push(() => admin.shutdown());
    const topic = `TRACED_${process.pid}`;
    await admin.createTopic({ topic, readQueueNums: 1, writeQueueNums: 1 });
    await waitFor(async () => (await admin.topicRoute(topic)).queueDatas.length === 1, {
      timeoutMs: 10_000,
      what: 'route',
    });
    const producer = new Producer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'TRACE_P',
      ...fast,
      enableMsgTrace: true,
    });
    await producer.start();
    closers.push(() => producer.shutdown());
    const sent = await producer.send({ topic, body: 'traced', tags: 'T1', keys: 'order-7' });
    const consumer = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      groupName: 'TRACE_C',
      ...fast,
      rebalanceIntervalMs: 300,
      brokerSuspendMaxTimeMs: 1000,
      consumerTimeoutMsWhenSuspend: 5000,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      enableMsgTrace: true,
    });
    closers.push(() => consumer.shutdown());
    let deliveries = 0;
    consumer.subscribe(topic, '*', () => {
      deliveries++;
      return deliveries === 1 ? ConsumeStatus.RECONSUME_LATER : ConsumeStatus.CONSUME_SUCCESS;
    });
    await consumer.start();
    await waitFor(() => deliveries >= 2, { timeoutMs: 30_000, what: 'the redelivery' });
    let found: TraceEntry[] = [];
    await waitFor(
      async () => {
        found = await traces(sent.msgId);
        return found.filter((t) => t.type === 'SubAfter').length >= 2;
      },
      { timeoutMs: 20_000, what: 'the traces in RMQ_SYS_TRACE_TOPIC' },
    );
    const pub = found.find((t) => t.type === 'Pub');
    assert.ok(pub !== undefined, 'a Pub trace');
    assert.equal(pub.groupName, 'TRACE_P');
    assert.equal(pub.topic, topic);
    assert.equal(pub.tags, 'T1');
    assert.equal(pub.keys, 'order-7');
    assert.equal(pub.offsetMsgId, sent.offsetMsgId);
    assert.equal(pub.bodyLength, 6);
    assert.equal(pub.success, true);
    const after = found.filter((t) => t.type === 'SubAfter');
    assert.deepEqual(
      after.map((t) => t.success).sort(),
      [false, true],
      'the failed first consumption and the successful redelivery',
    );
    const before = found.filter((t) => t.type === 'SubBefore');
    assert.ok(before.every((t) => t.groupName === 'TRACE_C'));
    assert.deepEqual(before.map((t) => t.retryTimes).sort(), [0, 1]);
  });
});
