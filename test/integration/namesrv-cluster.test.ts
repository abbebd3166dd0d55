// NameServers side by side: a broker registers with each of them; a master and a slave of one
// group share a route and the slave learns its master; a killed broker drops out at once (its
// connection closes), and a stopped one (SIGSTOP: the connection stays open, registrations stop)
// drops out after the configured expiry.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  decodeClusterInfo,
  decodeTopicRouteData,
  RequestCode,
  ResponseCode,
} from '../../protocol/index.js';
import { decodeOffsetMsgId } from '../../protocol/message-id.js';
import { TestClient } from '../harness/broker-client.js';
import { startBroker, startNamesrv, stopAll } from '../harness/petrel-processes.js';
import { waitFor } from '../harness/wait-for.js';

const clients: TestClient[] = [];
after(async () => {
  for (const c of clients) await c.close();
  await stopAll();
});

function clientOf(address: string): TestClient {
  const c = new TestClient(address);
  clients.push(c);
  return c;
}

async function brokerAddrs(ns: TestClient, brokerName: string): Promise<Record<string, string>> {
  const info = decodeClusterInfo((await ns.invoke(RequestCode.GET_BROKER_CLUSTER_INFO)).body);
  return info.brokerAddrTable[brokerName]?.brokerAddrs ?? {};
}

describe('NameServers and broker liveness', { timeout: 90_000 }, () => {
  it('lets a broker register with two NameServers, which answer alike', async () => {
    const [ns1, ns2] = await Promise.all([startNamesrv(), startNamesrv()]);
    const broker = await startBroker([ns1.address, ns2.address], { name: 'broker-two' });
    for (const ns of [clientOf(ns1.address), clientOf(ns2.address)]) {
      assert.deepEqual(await brokerAddrs(ns, 'broker-two'), { '0': broker.address });
      const route = await ns.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TBW102' });
      assert.equal(route.code, ResponseCode.SUCCESS);
    }
    broker.child.kill('SIGTERM');
    assert.equal(await broker.child.exited, 0, 'a clean stop');
    for (const ns of [clientOf(ns1.address), clientOf(ns2.address)]) {
      assert.deepEqual(await brokerAddrs(ns, 'broker-two'), {}, 'unregistered at shutdown');
    }
  });

  it('routes a master and its slave together and drops a killed broker at once', async () => {
    const ns = await startNamesrv();
    const client = clientOf(ns.address);
    const master = await startBroker([ns.address], { name: 'broker-ms' });
    const slave = await startBroker([ns.address], {
      name: 'broker-ms',
      extra: ['--brokerRole=SLAVE', '--brokerId=1'],
    });
    assert.deepEqual(await brokerAddrs(client, 'broker-ms'), {
      '0': master.address,
      '1': slave.address,
    });
    const route = decodeTopicRouteData(
      (await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TBW102' })).body,
    );
    assert.equal(route.brokerDatas[0]?.brokerAddrs['1'], slave.address);
    const refused = await clientOf(slave.address).send('TopicOnSlave', 'x');
    assert.equal(refused.code, ResponseCode.SERVICE_NOT_AVAILABLE);
    assert.match(refused.remark ?? '', /slave/);
    master.child.kill('SIGKILL');
    await waitFor(async () => (await brokerAddrs(client, 'broker-ms'))['0'] === undefined, {
      timeoutMs: 5000,
      what: 'the killed master to leave the route',
    });
    assert.deepEqual(await brokerAddrs(client, 'broker-ms'), { '1': slave.address });
  });

  it('advertises advertisedListenPort (a proxy in front) instead of the bound port', async () => {
    const ns = await startNamesrv();
    const client = clientOf(ns.address);
    const broker = await startBroker([ns.address], {
      name: 'broker-proxied',
      extra: ['--advertisedListenPort=40999'],
    });
    assert.deepEqual(await brokerAddrs(client, 'broker-proxied'), { '0': '127.0.0.1:40999' });
    const sent = await clientOf(broker.address).send('TopicProxied', 'x');
    assert.equal(sent.code, ResponseCode.SUCCESS);
    assert.equal(decodeOffsetMsgId(sent.extFields['msgId'] ?? '').port, 40999);
  });

  it('expires a broker that stops registering (short expiry)', async () => {
    const ns = await startNamesrv([
      '--brokerChannelExpiredTime=2500',
      '--scanNotActiveBrokerInterval=200',
    ]);
    const client = clientOf(ns.address);
    const broker = await startBroker([ns.address], { name: 'broker-stopped' });
    assert.deepEqual(await brokerAddrs(client, 'broker-stopped'), { '0': broker.address });
    broker.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(
        await brokerAddrs(client, 'broker-stopped'),
        { '0': broker.address },
        'its connection is still open: only the expiry can remove it',
      );
      await waitFor(
        async () => Object.keys(await brokerAddrs(client, 'broker-stopped')).length === 0,
        {
          timeoutMs: 10_000,
          what: 'the stopped broker to expire',
        },
      );
      assert.ok(Date.now() - stoppedAt >= 1000, 'not before the expiry');
    } finally {
      broker.child.kill('SIGCONT');
    }
  });
});
