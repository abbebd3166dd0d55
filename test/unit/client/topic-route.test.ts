// Route handling: which queues a producer may write (masters only), which a consumer reads, and
// which address serves a group for pulls and offset commits when its master is gone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  brokerAddresses,
  findOffsetCommitAddress,
  findSubscribeAddress,
  formatPerm,
  isRouteChanged,
  toPublishInfo,
  toSubscribeQueues,
} from '../../../client/topic-route.js';
import type { TopicRouteData } from '../../../protocol/bodies/topic-route-data.js';

function route(): TopicRouteData {
  return {
    queueDatas: [
      { brokerName: 'broker-b', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
      { brokerName: 'broker-a', readQueueNums: 3, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
      { brokerName: 'broker-c', readQueueNums: 1, writeQueueNums: 1, perm: 4, topicSysFlag: 0 },
    ],
    brokerDatas: [
      { cluster: 'C', brokerName: 'broker-a', brokerAddrs: { '0': 'a0:1', '1': 'a1:1' } },
      { cluster: 'C', brokerName: 'broker-b', brokerAddrs: { '1': 'b1:1', '2': 'b2:1' } },
      { cluster: 'C', brokerName: 'broker-c', brokerAddrs: { '0': 'c0:1' } },
    ],
    filterServerTable: {},
  };
}

describe('client/topic-route', () => {
  it('publishes only to writable queues of groups with a master, sorted', () => {
    const info = toPublishInfo('T', route());
    assert.deepEqual(
      info.queues.map((q) => `${q.brokerName}:${q.queueId}`),
      ['broker-a:0', 'broker-a:1'],
    );
    assert.deepEqual(info.groupsWithoutMaster, ['broker-b']);
    assert.equal(info.isOrderTopic, false);
  });

  it('builds the queue list from orderTopicConf when present', () => {
    const info = toPublishInfo('T', { ...route(), orderTopicConf: 'broker-c:2;broker-b:4;bad' });
    assert.deepEqual(
      info.queues.map((q) => `${q.brokerName}:${q.queueId}`),
      ['broker-c:0', 'broker-c:1'],
    );
    assert.deepEqual(info.groupsWithoutMaster, ['broker-b']);
    assert.equal(info.isOrderTopic, true);
  });

  it('subscribes to the readable queues of every group, master or not', () => {
    const queues = toSubscribeQueues('T', route());
    assert.deepEqual(
      queues.map((q) => `${q.brokerName}:${q.queueId}`),
      ['broker-a:0', 'broker-a:1', 'broker-a:2', 'broker-b:0', 'broker-b:1', 'broker-c:0'],
    );
  });

  it('follows the suggested broker and falls back to any broker of the group', () => {
    const datas = route().brokerDatas;
    assert.deepEqual(findSubscribeAddress(datas, 'broker-a', 0), {
      address: 'a0:1',
      brokerId: 0,
      isSlave: false,
    });
    assert.deepEqual(findSubscribeAddress(datas, 'broker-a', 1)?.address, 'a1:1');
    // Suggested slave 5 is absent and so is 6: any broker, lowest id first.
    assert.equal(findSubscribeAddress(datas, 'broker-a', 5)?.address, 'a0:1');
    // Master gone: read from the slave.
    assert.deepEqual(findSubscribeAddress(datas, 'broker-b', 0), {
      address: 'b1:1',
      brokerId: 1,
      isSlave: true,
    });
    // Suggested slave 1 missing -> next slave id 2.
    const noOne = [{ cluster: 'C', brokerName: 'x', brokerAddrs: { '2': 'x2:1', '3': 'x3:1' } }];
    assert.equal(findSubscribeAddress(noOne, 'x', 1)?.address, 'x2:1');
    assert.equal(findSubscribeAddress(datas, 'nope', 0), null);
  });

  it('commits offsets to the master, else to the broker read from', () => {
    const datas = route().brokerDatas;
    assert.equal(findOffsetCommitAddress(datas, 'broker-a', 1), 'a0:1');
    assert.equal(findOffsetCommitAddress(datas, 'broker-b', 2), 'b2:1');
    assert.equal(findOffsetCommitAddress(datas, 'broker-b', 7), 'b1:1');
    assert.equal(findOffsetCommitAddress(datas, 'missing', 0), null);
  });

  it('lists broker addresses for heartbeats, masters only when asked', () => {
    assert.deepEqual(
      brokerAddresses([route()], true).map((b) => b.address),
      ['a0:1', 'c0:1'],
    );
    assert.equal(brokerAddresses([route(), route()], false).length, 5);
  });

  it('detects route changes regardless of list order', () => {
    const a = route();
    const b = route();
    b.queueDatas.reverse();
    b.brokerDatas.reverse();
    assert.equal(isRouteChanged(a, b), false);
    assert.equal(isRouteChanged(undefined, b), true);
    const c = route();
    delete c.brokerDatas[0]?.brokerAddrs['0'];
    assert.equal(isRouteChanged(a, c), true);
  });

  it('renders permissions', () => {
    assert.equal(formatPerm(6), 'RW-');
    assert.equal(formatPerm(7), 'RWX');
    assert.equal(formatPerm(4), 'R--');
  });
});
