// `petrel cluster --controller`: a NameServer hosting the RocketMQ 5 controller and a two-replica
// broker-a in controller mode. The test starts that process (free ports, a temporary data
// directory) and follows the guide it prints: a message sent to the master, the master killed with
// the printed `kill -9`, the other replica routed as brokerId 0 and taking a send, then SIGINT
// stops every process and the supervisor exits 0.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Admin } from '../../client/admin.js';
import { decodeClusterInfo, RequestCode, ResponseCode } from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import { freePort } from '../harness/dledger-group.js';
import { cliPath, smallBrokerArgs, stopAll, tmpDir } from '../harness/petrel-processes.js';
import { spawnNode } from '../harness/spawn-process.js';
import { waitFor } from '../harness/wait-for.js';

after(() => stopAll());

describe('petrel cluster --controller', { timeout: 120_000 }, () => {
  it('elects a master, and the slave takes over after the printed kill -9', async () => {
    const dataDir = tmpDir('petrel-ctl-cluster-');
    const child = spawnNode(cliPath('petrel'), [
      'cluster',
      '--controller',
      `--controller-port=${await freePort()}`,
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
    try {
      const nsLine = await child.waitForLine(/^namesrv\+controller listening /, 30_000);
      const ns = open(nsLine.split(' ')[2] ?? '');
      const masterLine = await child.waitForLine(/^Master \(brokerId 0\): /, 60_000);
      const masterAddr = /at (\S+:\d+) \(pid/.exec(masterLine)?.[1] ?? '';
      const failOver = await child.waitForLine(/^Fail over: .*kill -9 \d+ /, 5000);
      const pid = Number(/kill -9 (\d+)/.exec(failOver)?.[1]);
      const file = readFileSync(join(dataDir, 'conf', 'broker-a-1.properties'), 'utf8');
      for (const line of ['enableControllerMode=true', 'allAckInSyncStateSet=true'])
        assert.ok(file.includes(`${line}\n`), line);
      const sent = await waitFor(
        async () => {
          const r = await open(masterAddr).send('CtlSmoke', 'hello');
          return r.code === ResponseCode.SUCCESS ? r : undefined;
        },
        { timeoutMs: 20_000, what: 'a SEND_OK from the master' },
      );
      assert.equal(sent.code, ResponseCode.SUCCESS);
      // Only a SyncStateSet member can be elected: wait until the slave has joined it.
      const admin = new Admin({ namesrvAddr: nsLine.split(' ')[2] ?? '', requestTimeoutMs: 2000 });
      await admin.start();
      try {
        await waitFor(
          async () =>
            (await admin.brokerStatus(masterAddr))['controllerSyncStateSet']?.includes(',') ||
            undefined,
          { timeoutMs: 30_000, what: 'both replicas in the SyncStateSet' },
        );
      } finally {
        await admin.shutdown();
      }
      process.kill(pid, 'SIGKILL');
      const newMaster = await waitFor(
        async () => {
          const r = await ns.invoke(RequestCode.GET_BROKER_CLUSTER_INFO, {});
          const addr = decodeClusterInfo(r.body).brokerAddrTable['broker-a']?.brokerAddrs['0'];
          return addr !== undefined && addr !== masterAddr ? addr : undefined;
        },
        { timeoutMs: 20_000, what: 'the slave routed as brokerId 0' },
      );
      await waitFor(
        async () => {
          const r = await open(newMaster).send('CtlSmoke', 'after');
          return r.code === ResponseCode.SUCCESS || undefined;
        },
        { timeoutMs: 20_000, what: 'a SEND_OK from the new master' },
      );
    } finally {
      for (const c of clients) await c.close();
      child.process.kill('SIGINT');
    }
    assert.equal(await child.exited, 0, [...child.lines, ...child.stderr.slice(-10)].join('\n'));
  });
});
