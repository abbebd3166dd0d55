// The main job: `npm start` runs `petrel cluster` (after building). The test starts that
// process — the same command, with free ports and a temporary data directory instead of 9876,
// 10911 and ./data, and without the build step, which must not rewrite dist/ while other test
// files run from it — and follows the guide it prints: a message sent through the NameServer's
// route to the SYNC_MASTER, the master killed with the printed command, the message read from the
// slave, then SIGINT stops every process and the supervisor exits 0.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeTopicRouteData, RequestCode, ResponseCode } from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import { cliPath, smallBrokerArgs, stopAll, tmpDir } from '../harness/petrel-processes.js';
import { type Child, spawnNode } from '../harness/spawn-process.js';
import { waitFor } from '../harness/wait-for.js';

after(() => stopAll());

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function routeOf(ns: TestClient, topic: string) {
  const r = await ns.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
  return r.code === ResponseCode.SUCCESS ? decodeTopicRouteData(r.body) : undefined;
}

async function readLines(child: Child) {
  const listening = /^(namesrv|master|slave) listening (\S+:\d+) \(pid (\d+)\)$/;
  const parse = (line: string) => {
    const [, , address = '', pid = '0'] = listening.exec(line) ?? [];
    return { address, pid: Number(pid) };
  };
  const namesrv = parse(await child.waitForLine(/^namesrv listening /, 30_000));
  const master = parse(await child.waitForLine(/^master listening /, 30_000));
  const slave = parse(await child.waitForLine(/^slave listening /, 30_000));
  await child.waitForLine(/^Try it: .*mqadmin/, 5000);
  const failOver = await child.waitForLine(/^Fail over: kill -9 \d+ /, 5000);
  return { namesrv, master, slave, killCommandPid: Number(failOver.split(' ')[4]) };
}

describe('npm start', { timeout: 90_000 }, () => {
  it('is petrel cluster after a build', () => {
    const pkg = JSON.parse(
      readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8'),
    ) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts['start'], 'npm run build --silent && node dist/cli/petrel.js cluster');
  });

  it('runs the seed shape, survives the printed kill of its master, and stops on SIGINT with 0', async () => {
    const dataDir = tmpDir('petrel-smoke-');
    const child = spawnNode(cliPath('petrel'), [
      'cluster',
      '--namesrv-port=0',
      '--broker-port=0',
      `--data-dir=${dataDir}`,
      ...smallBrokerArgs,
    ]);
    const clients: TestClient[] = [];
    const open = (address: string) => {
      const client = new TestClient(address);
      clients.push(client);
      return client;
    };
    let pids: number[] = [];
    try {
      const { namesrv, master, slave, killCommandPid } = await readLines(child);
      pids = [namesrv.pid, master.pid, slave.pid];
      assert.equal(killCommandPid, master.pid, 'the printed kill command targets the master');
      const masterFile = readFileSync(join(dataDir, 'conf', 'broker-a-0.properties'), 'utf8');
      for (const line of ['brokerClusterName=tom-cluster', 'brokerName=broker-a', 'brokerId=0']) {
        assert.ok(masterFile.includes(`${line}\n`), line);
      }
      assert.ok(masterFile.includes('brokerRole=SYNC_MASTER\nflushDiskType=ASYNC_FLUSH\n'));
      // The NameServer serves the web console; its map names the master.
      const consoleUrl = (await child.waitForLine(/^Console: http:\/\/\S+/, 5000)).split(' ')[1];
      const page = await fetch(consoleUrl ?? '');
      assert.match(await page.text(), /<title>Petrel console<\/title>/);
      const map = await waitFor(
        async () => {
          const r = (await (await fetch(`${consoleUrl}api/cluster`)).json()) as {
            groups: Array<{ master: string | null }>;
          };
          return r.groups[0]?.master === master.address ? r : undefined;
        },
        { timeoutMs: 10_000, what: 'the console map naming the master' },
      );
      assert.equal(map.groups.length, 1);
      const ns = open(namesrv.address);
      // SYNC_MASTER: SEND_OK only once the slave holds the message, so retry until it has connected.
      const sent = await waitFor(
        async () => {
          const r = await open(master.address).send('SmokeTopic', 'hello', { tags: 'smoke' });
          return r.code === ResponseCode.SUCCESS ? r : undefined;
        },
        { timeoutMs: 15_000, what: 'a SEND_OK from the master' },
      );
      const queueId = Number(sent.extFields['queueId']);
      const route = await waitFor(() => routeOf(ns, 'SmokeTopic'), {
        timeoutMs: 10_000,
        what: 'the route',
      });
      assert.equal(route.brokerDatas[0]?.brokerAddrs['0'], master.address);
      process.kill(master.pid, 'SIGKILL');
      await child.waitForLine(/^master \(pid \d+\) exited \(SIGKILL\)$/, 10_000);
      const pulled = await waitFor(
        async () => {
          const r = await routeOf(ns, 'SmokeTopic');
          const addrs = r?.brokerDatas[0]?.brokerAddrs ?? {};
          if (addrs['0'] !== undefined || addrs['1'] !== slave.address) return undefined;
          const p = await open(slave.address).pull({
            group: 'SmokeGroup',
            topic: 'SmokeTopic',
            queueId,
            offset: 0,
          });
          return p.messages.length > 0 ? p : undefined;
        },
        { timeoutMs: 15_000, what: 'the message served by the slave' },
      );
      assert.deepEqual(
        pulled.messages.map((m) => m.body.toString()),
        ['hello'],
      );
    } finally {
      for (const c of clients) await c.close();
      child.process.kill('SIGINT');
    }
    assert.equal(await child.exited, 0, [...child.lines, ...child.stderr.slice(-10)].join('\n'));
    for (const pid of pids) assert.equal(isRunning(pid), false, `process ${pid} stopped`);
  });
});
