// Compatibility with a real RocketMQ 4.x client: the pure-JavaScript npm package ali-ons 3.12.0,
// run in child processes against real mqnamesrv and mqbroker processes on 127.0.0.1.
//
// Scenario (the issue's): a producer sends messages with tags and keys to a topic the broker does
// not know yet (ali-ons falls back to TBW102 and the broker auto-creates it); a consumer group
// subscribed to TagA consumes them; the consumer crashes (SIGKILL, so offsets consumed since its
// last persist are lost); more messages are sent; a restarted consumer resumes from the committed
// offsets; then it stops cleanly (SIGTERM, offsets persisted) and a third consumer receives only
// what was sent after that.
//
// Checked: every TagA message is received (nothing lost); no TagB message ever reaches the group
// (broker-side tag filtering); keys and bodies arrive intact; a consumer restarted after a crash
// receives nothing below the offsets committed at the time of the crash, so the only repeats are
// of uncommitted messages (at-least-once); after a clean stop nothing at all is repeated.
//
// A second scenario covers ali-ons' retries: a message whose handler fails is given back
// (CONSUMER_SEND_MSG_BACK), comes back from %RETRY%<group> after its delay level (1 s here) with
// its original topic, and once maxReconsumeTimes is spent it lands in %DLQ%<group>.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RequestCode, ResponseCode } from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import {
  type PetrelProcess,
  startBroker,
  startNamesrv,
  stopAll,
} from '../harness/petrel-processes.js';
import { type Child, spawnNode } from '../harness/spawn-process.js';
import { waitFor } from '../harness/wait-for.js';

const fixture = fileURLToPath(new URL('../fixtures/ali-ons/ali-ons-client.js', import.meta.url));
const TOPIC = 'CompatTopic';
const GROUP = 'CompatGroup';

interface Event {
  event: string;
  topic?: string;
  reconsumeTimes?: number;
  body?: string;
  tag?: string;
  tags?: string | null;
  key?: string;
  keys?: string | null;
  status?: string;
  queueId?: number;
  queueOffset?: number;
}

const children: Child[] = [];
let admin: TestClient | undefined;
let ns: PetrelProcess;
let broker: PetrelProcess;

before(async () => {
  ns = await startNamesrv();
  broker = await startBroker([ns.address], { extra: ['--messageDelayLevel=1s 1s 1s 1s 1s 1s'] });
  admin = new TestClient(broker.address);
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await admin?.close();
  await stopAll();
});

function events(child: Child, kind: string): Event[] {
  return child.lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Event)
    .filter((e) => e.event === kind);
}

async function produce(count: number, prefix: string, topic = TOPIC): Promise<Event[]> {
  const child = spawnNode(fixture, ['produce', ns.address, topic, String(count), prefix]);
  children.push(child);
  const code = await child.exited;
  assert.equal(code, 0, `producer failed: ${child.stderr.slice(-5).join(' | ')}`);
  const sent = events(child, 'sent');
  assert.equal(sent.length, count);
  for (const e of sent) assert.equal(e.status, 'SEND_OK');
  return sent;
}

function startConsumer(
  handlerDelayMs: number,
  o: { topic?: string; group?: string; expression?: string; maxReconsumeTimes?: number } = {},
): Child {
  const child = spawnNode(fixture, [
    'consume',
    ns.address,
    o.topic ?? TOPIC,
    o.group ?? GROUP,
    o.expression ?? 'TagA',
    String(handlerDelayMs),
    String(o.maxReconsumeTimes ?? 16),
  ]);
  children.push(child);
  return child;
}

/** Committed offset per queue, as the broker answers QUERY_CONSUMER_OFFSET (-1: none). */
async function committedOffsets(client: TestClient): Promise<number[]> {
  const out: number[] = [];
  for (let queueId = 0; queueId < 4; queueId++) {
    const r = await client.invoke(RequestCode.QUERY_CONSUMER_OFFSET, {
      consumerGroup: GROUP,
      topic: TOPIC,
      queueId,
    });
    out.push(r.code === ResponseCode.SUCCESS ? Number(r.extFields['offset']) : -1);
  }
  return out;
}

function bodies(list: Event[]): string[] {
  return list.map((e) => e.body ?? '').sort();
}

describe('ali-ons 3.12.0 against Petrel', { timeout: 120_000 }, () => {
  it('produces with tags and keys, consumes with a tag filter, and resumes after restarts', async (t) => {
    assert.ok(admin);
    const phase1 = await produce(30, 'p1');
    const wanted1 = phase1.filter((e) => e.tag === 'TagA');

    // Consumer 1 is slow, and is killed while it still holds unconsumed messages.
    const first = startConsumer(250);
    await waitFor(() => events(first, 'got').length >= 5, {
      timeoutMs: 30_000,
      what: 'consumer 1 to receive',
    });
    // Past one offset persist (every second), so some offsets are committed and some are not.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    first.kill('SIGKILL');
    await first.exited;
    const gotFirst = events(first, 'got');
    const committed = await committedOffsets(admin);
    assert.ok(
      gotFirst.length < wanted1.length,
      'consumer 1 was killed before it consumed everything',
    );

    const phase2 = await produce(15, 'p2');
    const second = startConsumer(0);
    const wanted12 = [...wanted1, ...phase2.filter((e) => e.tag === 'TagA')];
    await waitFor(
      () => {
        const seen = new Set([...gotFirst, ...events(second, 'got')].map((e) => e.body));
        return wanted12.every((e) => seen.has(e.body));
      },
      { timeoutMs: 40_000, what: 'every TagA message of phases 1 and 2' },
    );
    const gotSecond = events(second, 'got');

    // Resumed from the committed offsets: nothing below them is delivered again.
    for (const e of gotSecond) {
      const floor = committed[e.queueId ?? -1] ?? -1;
      assert.ok(
        (e.queueOffset ?? -1) >= floor,
        `queue ${e.queueId} offset ${e.queueOffset} is below the committed ${floor}`,
      );
    }
    const firstBodies = new Set(gotFirst.map((e) => e.body));
    const repeated = gotSecond.filter((e) => firstBodies.has(e.body));
    for (const e of repeated)
      assert.ok(
        phase1.some((p) => p.body === e.body),
        'only phase-1 messages repeat',
      );

    // A clean stop persists the offsets: the next consumer repeats nothing.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    second.kill('SIGTERM');
    assert.equal(await second.exited, 0);
    const phase3 = await produce(9, 'p3');
    const third = startConsumer(0);
    const wanted3 = phase3.filter((e) => e.tag === 'TagA');
    await waitFor(() => events(third, 'got').length >= wanted3.length, {
      timeoutMs: 30_000,
      what: 'every TagA message of phase 3',
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(bodies(events(third, 'got')), bodies(wanted3), 'exactly phase 3, once');

    // Over all consumers: every TagA message arrived, with its key; no TagB message did.
    const all = [...gotFirst, ...gotSecond, ...events(third, 'got')];
    assert.deepEqual(
      [...new Set(all.map((e) => e.body))].sort(),
      bodies([...wanted12, ...wanted3]),
      'nothing lost, nothing filtered wrongly',
    );
    for (const e of all) {
      assert.equal(e.tags, 'TagA');
      assert.equal(e.keys, `key-${e.body}`);
    }
    for (const child of [first, second, third]) {
      const own = events(child, 'got').map((e) => e.body);
      assert.equal(new Set(own).size, own.length, 'no consumer saw a message twice');
    }
    t.diagnostic(
      `ali-ons: ${all.length} deliveries of ${wanted12.length + wanted3.length} TagA messages; consumer 1 got ${gotFirst.length} before the crash, ${repeated.length} repeated after it (committed offsets ${committed.join(',')})`,
    );
  });
});

describe('ali-ons retries against Petrel', { timeout: 60_000 }, () => {
  it('redelivers a failed message from the retry topic, then dead-letters it', async () => {
    const topic = 'CompatRetryTopic';
    const group = 'CompatRetryGroup';
    await produce(1, 'fail-once', topic);
    await produce(1, 'fail-always', topic);
    const consumer = startConsumer(0, { topic, group, expression: '*', maxReconsumeTimes: 2 });
    const deliveries = (body: string) =>
      events(consumer, 'got')
        .filter((e) => e.body === body)
        .map((e) => [e.topic, e.reconsumeTimes]);
    await waitFor(
      () => deliveries('fail-always-0').length >= 3 && deliveries('fail-once-0').length >= 2,
      {
        timeoutMs: 30_000,
        what: 'the redeliveries',
      },
    );
    assert.deepEqual(deliveries('fail-once-0'), [
      [topic, 0],
      [topic, 1],
    ]);
    assert.deepEqual(deliveries('fail-always-0').slice(0, 3), [
      [topic, 0],
      [topic, 1],
      [topic, 2],
    ]);
    assert.ok(admin);
    const client = admin;
    const dead = await waitFor(
      async () =>
        (await client.pull({ group: 'G', topic: `%DLQ%${group}`, queueId: 0, offset: 0 }))
          .messages[0],
      { timeoutMs: 10_000, what: 'the message in the DLQ' },
    );
    assert.equal(dead.body.toString(), 'fail-always-0');
    assert.equal(dead.reconsumeTimes, 3);
    assert.equal(dead.properties['RETRY_TOPIC'], topic);
  });
});
