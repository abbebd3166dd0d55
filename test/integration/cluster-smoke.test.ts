// The main job: `npm start` runs `petrel cluster` (after building). The test starts that
// process — the same command, with free ports and a temporary data directory instead of 9876,
// 10911 and ./data, and without the build step, which must not rewrite dist/ while other test
// files run from it — sends a message through the NameServer's route, receives it, and stops the
// process with SIGINT, expecting exit code 0.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeTopicRouteData, RequestCode, ResponseCode } from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import { cliPath, smallBrokerArgs, stopAll, tmpDir } from '../harness/petrel-processes.js';
import { spawnNode } from '../harness/spawn-process.js';
import { waitFor } from '../harness/wait-for.js';

after(() => stopAll());

describe('npm start', { timeout: 60_000 }, () => {
  it('is petrel cluster after a build', () => {
    const pkg = JSON.parse(
      readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8'),
    ) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts['start'], 'npm run build --silent && node dist/cli/petrel.js cluster');
  });

  it('serves a NameServer and a broker, moves a message, and stops on SIGINT with 0', async () => {
    const dataDir = tmpDir('petrel-smoke-');
    const child = spawnNode(cliPath('petrel'), [
      'cluster',
      '--namesrv-port=0',
      '--broker-port=0',
      `--data-dir=${dataDir}`,
      ...smallBrokerArgs,
    ]);
    const clients: TestClient[] = [];
    try {
      const nsLine = await child.waitForLine(/^namesrv listening \S+:\d+$/, 20_000);
      const brokerLine = await child.waitForLine(/^broker listening \S+:\d+$/, 20_000);
      await child.waitForLine(/^Try it: .*mqadmin/, 5000);
      const ns = new TestClient(nsLine.split(' ')[2] ?? '');
      clients.push(ns);
      const brokerAddr = brokerLine.split(' ')[2] ?? '';
      const producer = new TestClient(brokerAddr);
      clients.push(producer);
      const sent = await producer.send('SmokeTopic', 'hello from the smoke test', {
        tags: 'smoke',
      });
      assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark ?? '');
      const route = await waitFor(
        async () => {
          const r = await ns.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'SmokeTopic' });
          return r.code === ResponseCode.SUCCESS ? decodeTopicRouteData(r.body) : undefined;
        },
        { timeoutMs: 5000, what: 'the route of SmokeTopic' },
      );
      const addr = route.brokerDatas[0]?.brokerAddrs['0'] ?? '';
      assert.equal(addr, brokerAddr);
      const consumer = new TestClient(addr);
      clients.push(consumer);
      const pulled = await consumer.pull({
        group: 'SmokeGroup',
        topic: 'SmokeTopic',
        queueId: 0,
        offset: 0,
      });
      assert.deepEqual(
        pulled.messages.map((m) => m.body.toString()),
        ['hello from the smoke test'],
      );
    } finally {
      for (const c of clients) await c.close();
      child.process.kill('SIGINT');
    }
    assert.equal(await child.exited, 0);
  });
});
