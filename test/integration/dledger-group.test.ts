// A DLedger group of three real brokers started verbatim from the seed article's keys: the leader
// registers as brokerId 0 and the followers as 1..3 (their index in dLegerPeers + 1); sends are
// acknowledged; a follower serves every acknowledged message to a consumer; the three CommitLogs
// and ConsumeQueues are byte-identical after a clean stop. `mqadmin leadershipTransfer` moves the
// leadership (and the master route) to the member it names and refuses a stranger.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkHistory, summarize } from '../fault/lib/checker.js';
import { startSendLoad } from '../fault/lib/ha-workload.js';
import { History } from '../fault/lib/history.js';
import { dumpOverWire } from '../fault/lib/replica-dump.js';
import { DLEDGER_IDS, DledgerGroup } from '../harness/dledger-group.js';
import { mqadminCli } from '../harness/mqadmin-cli.js';
import { waitFor } from '../harness/wait-for.js';

const TOPIC = 'DlGroup';
const QUEUES = 4;

function filesUnder(root: string, rel = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const path = join(rel, e.name);
    if (e.isDirectory()) for (const [k, v] of filesUnder(root, path)) out.set(k, v);
    else out.set(path, readFileSync(join(root, path)));
  }
  return out;
}

describe('DLedger group of three brokers', () => {
  let group: DledgerGroup | undefined;
  after(async () => group?.stop());

  it('elects a master, acknowledges sends, serves them from a follower; replicas are byte-identical', {
    timeout: 120_000,
  }, async (t) => {
    group = await DledgerGroup.start(['slaveReadEnable=true']);
    const g = group;
    const leader = await g.waitLeader(20_000);
    const followers = [0, 1, 2].filter((i) => i !== leader);
    const route = await waitFor(
      async () => {
        const r = await g.route();
        return Object.keys(r).length === 3 ? r : undefined;
      },
      { timeoutMs: 10_000, what: 'all three members registered' },
    );
    assert.equal(route['0'], g.node(leader).address);
    for (const i of followers) assert.equal(route[String(i + 1)], g.node(i).address);
    assert.equal((await g.runtime(leader))['storeRole'], 'MASTER');
    assert.equal((await g.runtime(followers[0]!))['storeRole'], 'SLAVE');

    await g.admin.createTopic({
      topic: TOPIC,
      readQueueNums: QUEUES,
      writeQueueNums: QUEUES,
      brokerAddr: g.node(leader).address,
    });
    const history = new History();
    const load = await startSendLoad(history, g.namesrvAddr, TOPIC, {
      sendMsgTimeoutMs: 5000,
      pauseMs: 2,
    });
    try {
      load.start();
      await waitFor(() => history.acked().length >= 400, { timeoutMs: 60_000, what: '400 acks' });
    } finally {
      await load.close();
    }
    await g.waitSameEnd(20_000);
    const dump = await dumpOverWire(g.node(followers[0]!).address, TOPIC, QUEUES, 'follower');
    const report = checkHistory(history, dump);
    t.diagnostic(`follower: ${summarize(report)}`);
    assert.deepEqual(report.lost, [], 'every acknowledged message is on the follower');
    assert.deepEqual(report.unexpected, []);
    assert.deepEqual(report.duplicated, []);
    assert.deepEqual(report.inconsistentOffsets, []);

    const end = await g.waitSameEnd(20_000);
    for (let i = 0; i < 3; i++) await g.kill(i, 'SIGTERM');
    // Each member's checkpoint maps its last applied Raft entry to the CommitLog end.
    for (const [i, dir] of g.dirs.entries()) {
      const mark = JSON.parse(
        readFileSync(join(dir, 'config', `dledger-n${i}-applied.json`), 'utf8'),
      ) as { index: number; commitLogOffset: number };
      assert.equal(mark.commitLogOffset, end);
      assert.ok(mark.index > 0);
    }
    for (const sub of ['commitlog', 'consumequeue']) {
      const [a, b, c] = g.dirs.map((d) => filesUnder(join(d, sub)));
      assert.ok(a!.size > 0);
      for (const other of [b!, c!]) {
        assert.deepEqual([...other.keys()].sort(), [...a!.keys()].sort(), `${sub}: same files`);
        for (const [name, bytes] of a!) assert.ok(bytes.equals(other.get(name)!), `${sub}/${name}`);
      }
    }
  });
});

describe('mqadmin leadershipTransfer on a DLedger group', () => {
  let group: DledgerGroup | undefined;
  after(async () => group?.stop());

  it('hands leadership to the named member; refuses an unknown one', {
    timeout: 120_000,
  }, async () => {
    group = await DledgerGroup.start();
    const g = group;
    const cli = mqadminCli(() => g.namesrvAddr);
    const leader = await g.waitLeader(20_000);
    const target = [0, 1, 2].find((i) => i !== leader)!;
    const targetId = DLEDGER_IDS[target]!;

    const moved = await cli.json('leadershipTransfer', '-b', 'broker-a', '-t', targetId);
    assert.equal(moved['status'], 'STARTED');
    assert.equal(moved['from'], g.node(leader).address);
    assert.equal(moved['to'], g.node(target).address);
    assert.equal((await g.route())['0'], g.node(target).address);
    const runtime = await g.runtime(target);
    assert.equal(runtime['dLegerSelfId'], targetId);
    assert.equal(runtime['dLegerRole'], 'LEADER');
    await waitFor(async () => (await g.runtime(target))['storeRole'] === 'MASTER', {
      timeoutMs: 10_000,
      what: 'the new leader to become master',
    });

    const again = await cli.json('leadershipTransfer', '-b', 'broker-a', '-t', targetId);
    assert.equal(again['status'], 'ALREADY_LEADER');

    const unknown = await cli.run('leadershipTransfer', '-b', 'broker-a', '-t', 'n9');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /"n9" is not a member of this DLedger group/);
  });
});
