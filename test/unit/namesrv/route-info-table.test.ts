// The NameServer's route table, driven directly with a manual clock: registration of masters and
// slaves in several clusters, routes, the master's HA address handed to slaves, unregistration,
// expiry when registrations stop, and removal when a broker's connection closes. Every test ends
// with inspect(), which checks the table's invariants.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../common/clock.js';
import { type BrokerRegistration, RouteInfoTable } from '../../../namesrv/route-info-table.js';
import type { TopicConfig } from '../../../protocol/index.js';

function topic(name: string, queues: number, perm = 6): TopicConfig {
  return {
    topicName: name,
    readQueueNums: queues,
    writeQueueNums: queues,
    perm,
    topicFilterType: 'SINGLE_TAG',
    topicSysFlag: 0,
    order: false,
  };
}

function registration(overrides: Partial<BrokerRegistration>): BrokerRegistration {
  return {
    clusterName: 'DefaultCluster',
    brokerName: 'broker-a',
    brokerAddr: '10.0.0.1:10911',
    brokerId: 0,
    haServerAddr: '10.0.0.1:10912',
    topicConfigTable: { TopicA: topic('TopicA', 4) },
    dataVersion: { timestamp: 1, counter: 1 },
    channelId: 1,
    ...overrides,
  };
}

function table(clock = new ManualClock()): { routes: RouteInfoTable; clock: ManualClock } {
  return { routes: new RouteInfoTable({ clock, brokerChannelExpiredTimeMs: 120_000 }), clock };
}

describe('RouteInfoTable registration and routes', () => {
  it('serves the route of a master topic with the broker addresses keyed by brokerId', () => {
    const { routes } = table();
    assert.deepEqual(routes.registerBroker(registration({})), {});
    const route = routes.topicRoute('TopicA');
    assert.deepEqual(route?.queueDatas, [
      { brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 },
    ]);
    assert.deepEqual(route?.brokerDatas, [
      { cluster: 'DefaultCluster', brokerName: 'broker-a', brokerAddrs: { '0': '10.0.0.1:10911' } },
    ]);
    assert.equal(routes.topicRoute('Unknown'), undefined);
    routes.inspect();
  });

  it('gives a slave its master address and HA address, and lists it in routes', () => {
    const { routes } = table();
    const slave = registration({
      brokerAddr: '10.0.0.2:10911',
      brokerId: 1,
      haServerAddr: '10.0.0.2:10912',
      channelId: 2,
    });
    assert.deepEqual(routes.registerBroker(slave), {}, 'no master registered yet');
    routes.registerBroker(registration({}));
    assert.deepEqual(routes.registerBroker(slave), {
      masterAddr: '10.0.0.1:10911',
      haServerAddr: '10.0.0.1:10912',
    });
    assert.deepEqual(routes.topicRoute('TopicA')?.brokerDatas[0]?.brokerAddrs, {
      '0': '10.0.0.1:10911',
      '1': '10.0.0.2:10911',
    });
    assert.deepEqual(routes.inspect().liveBrokers, ['10.0.0.1:10911', '10.0.0.2:10911']);
  });

  it('ignores the topics of slaves', () => {
    const { routes } = table();
    routes.registerBroker(
      registration({ brokerId: 1, topicConfigTable: { OnlyOnSlave: topic('OnlyOnSlave', 2) } }),
    );
    assert.equal(routes.topicRoute('OnlyOnSlave'), undefined);
    routes.inspect();
  });

  it('keeps several clusters and broker groups apart', () => {
    const { routes } = table();
    routes.registerBroker(registration({}));
    routes.registerBroker(
      registration({
        brokerName: 'broker-b',
        brokerAddr: '10.0.0.3:10911',
        channelId: 3,
        topicConfigTable: { TopicA: topic('TopicA', 8), TopicB: topic('TopicB', 2) },
      }),
    );
    routes.registerBroker(
      registration({
        clusterName: 'Other',
        brokerName: 'broker-x',
        brokerAddr: '10.0.0.9:10911',
        channelId: 9,
        topicConfigTable: { TopicX: topic('TopicX', 1) },
      }),
    );
    assert.deepEqual(
      routes.topicRoute('TopicA')?.queueDatas.map((q) => [q.brokerName, q.writeQueueNums]),
      [
        ['broker-a', 4],
        ['broker-b', 8],
      ],
    );
    assert.deepEqual(routes.clusterInfo().clusterAddrTable, {
      DefaultCluster: ['broker-a', 'broker-b'],
      Other: ['broker-x'],
    });
    assert.deepEqual(routes.topicsByCluster('Other'), ['TopicX']);
    assert.deepEqual(routes.allTopics(), ['TopicA', 'TopicB', 'TopicX']);
    routes.inspect();
  });

  it('updates queue data only when the master data version changes', () => {
    const { routes } = table();
    routes.registerBroker(registration({}));
    routes.registerBroker(registration({ topicConfigTable: { TopicA: topic('TopicA', 16) } }));
    assert.equal(routes.topicRoute('TopicA')?.queueDatas[0]?.writeQueueNums, 4, 'same version');
    assert.equal(
      routes.isTopicConfigChanged('10.0.0.1:10911', { timestamp: 1, counter: 1 }),
      false,
    );
    assert.equal(routes.isTopicConfigChanged('10.0.0.1:10911', { timestamp: 2, counter: 2 }), true);
    routes.registerBroker(
      registration({
        topicConfigTable: { TopicA: topic('TopicA', 16) },
        dataVersion: { timestamp: 2, counter: 2 },
      }),
    );
    assert.equal(routes.topicRoute('TopicA')?.queueDatas[0]?.writeQueueNums, 16);
    routes.inspect();
  });

  it('knows whether a live master offers TBW102 for auto-creation', () => {
    const { routes } = table();
    assert.equal(routes.hasInheritableDefaultTopic('TBW102'), false);
    routes.registerBroker(registration({ topicConfigTable: { TBW102: topic('TBW102', 8, 6) } }));
    assert.equal(routes.hasInheritableDefaultTopic('TBW102'), false, 'perm 6 does not inherit');
    routes.registerBroker(
      registration({
        topicConfigTable: { TBW102: topic('TBW102', 8, 7) },
        dataVersion: { timestamp: 2, counter: 2 },
      }),
    );
    assert.equal(routes.hasInheritableDefaultTopic('TBW102'), true);
  });
});

describe('RouteInfoTable removal', () => {
  it('unregisters one address and drops a group with none left', () => {
    const { routes } = table();
    routes.registerBroker(registration({}));
    routes.registerBroker(
      registration({ brokerAddr: '10.0.0.2:10911', brokerId: 1, channelId: 2 }),
    );
    assert.equal(
      routes.unregisterBroker({
        brokerName: 'broker-a',
        brokerAddr: '10.0.0.1:10911',
        brokerId: 0,
      }),
      true,
    );
    const route = routes.topicRoute('TopicA');
    assert.deepEqual(route?.brokerDatas[0]?.brokerAddrs, { '1': '10.0.0.2:10911' }, 'slave stays');
    routes.unregisterBroker({ brokerName: 'broker-a', brokerAddr: '10.0.0.2:10911', brokerId: 1 });
    assert.equal(routes.topicRoute('TopicA'), undefined);
    assert.deepEqual(routes.inspect(), { liveBrokers: [], clusters: {}, topics: [] });
  });

  it('expires brokers whose registrations stop (injected clock)', () => {
    const { routes, clock } = table();
    routes.registerBroker(registration({}));
    routes.registerBroker(
      registration({ brokerName: 'broker-b', brokerAddr: '10.0.0.3:10911', channelId: 3 }),
    );
    clock.advance(60_000);
    routes.registerBroker(
      registration({ brokerName: 'broker-b', brokerAddr: '10.0.0.3:10911', channelId: 3 }),
    );
    clock.advance(60_000);
    assert.deepEqual(routes.scanNotActiveBrokers(), [], 'exactly 120 s is not yet expired');
    clock.advance(1);
    assert.deepEqual(routes.scanNotActiveBrokers(), ['10.0.0.1:10911']);
    assert.deepEqual(
      routes.topicRoute('TopicA')?.queueDatas.map((q) => q.brokerName),
      ['broker-b'],
    );
    clock.advance(60_000);
    assert.deepEqual(routes.scanNotActiveBrokers(), ['10.0.0.3:10911']);
    assert.deepEqual(routes.inspect().topics, []);
  });

  it('counts QUERY_DATA_VERSION as a sign of life', () => {
    const { routes, clock } = table();
    routes.registerBroker(registration({}));
    clock.advance(100_000);
    routes.isTopicConfigChanged('10.0.0.1:10911', { timestamp: 1, counter: 1 });
    clock.advance(100_000);
    assert.deepEqual(routes.scanNotActiveBrokers(), []);
  });

  it('drops every broker registered over a connection when it closes', () => {
    const { routes } = table();
    routes.registerBroker(registration({ channelId: 7 }));
    routes.registerBroker(
      registration({ brokerName: 'broker-b', brokerAddr: '10.0.0.3:10911', channelId: 8 }),
    );
    assert.deepEqual(routes.onChannelClosed(7), ['10.0.0.1:10911']);
    assert.deepEqual(routes.onChannelClosed(7), []);
    assert.deepEqual(routes.clusterInfo().clusterAddrTable, { DefaultCluster: ['broker-b'] });
    routes.inspect();
  });

  it('replaces an address re-registered under another id (a slave promoted to master)', () => {
    const { routes } = table();
    routes.registerBroker(
      registration({ brokerAddr: '10.0.0.2:10911', brokerId: 1, channelId: 2 }),
    );
    routes.registerBroker(
      registration({ brokerAddr: '10.0.0.2:10911', brokerId: 0, channelId: 2 }),
    );
    assert.deepEqual(routes.topicRoute('TopicA')?.brokerDatas[0]?.brokerAddrs, {
      '0': '10.0.0.2:10911',
    });
    routes.inspect();
  });

  it('deletes a topic and wipes the write permission of a group', () => {
    const { routes } = table();
    routes.registerBroker(
      registration({
        topicConfigTable: { TopicA: topic('TopicA', 4), TopicB: topic('TopicB', 4) },
      }),
    );
    assert.equal(routes.wipeWritePerm('broker-a'), 2);
    assert.equal(routes.topicRoute('TopicA')?.queueDatas[0]?.perm, 4);
    assert.equal(routes.deleteTopic('TopicB'), true);
    assert.deepEqual(routes.allTopics(), ['TopicA']);
  });
});
