// Topics on the broker: the system topics, auto-creation from TBW102 (queue count, permission,
// the autoCreateTopicEnable switch), retry and DLQ topics, data versions and persistence, topic
// name rules, and the send-side checks of a topic and queue (checkSendTarget).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrokerContext } from '../../../broker/broker-context.js';
import { BrokerRoleState } from '../../../broker/broker-role.js';
import { checkSendTarget } from '../../../broker/send-processor.js';
import {
  type StateStore,
  TopicConfigManager,
  type TopicConfigWrapper,
} from '../../../broker/topic-config-manager.js';
import { ManualClock } from '../../../common/clock.js';
import { topicNameProblem } from '../../../common/topic-rules.js';
import { loadBrokerConfig } from '../../../config/load.js';
import {
  createRequest,
  noopLogger,
  RequestCode,
  ResponseCode,
  type SendMessageRequestHeader,
} from '../../../protocol/index.js';

function memoryStore<T>(initial?: T): StateStore<T> & { saved: T[] } {
  const saved: T[] = [];
  return {
    saved,
    load: () => initial,
    save: (value) => {
      saved.push(structuredClone(value));
    },
  };
}

function manager(options: { autoCreate?: boolean; store?: StateStore<TopicConfigWrapper> } = {}) {
  const store = options.store ?? memoryStore<TopicConfigWrapper>();
  const topics = new TopicConfigManager({
    clock: new ManualClock(),
    store,
    clusterName: 'DefaultCluster',
    brokerName: 'broker-a',
    autoCreateTopicEnable: options.autoCreate ?? true,
    defaultTopicQueueNums: 8,
    clusterTopicEnable: true,
    brokerTopicEnable: true,
    scheduleQueueNums: 18,
  });
  topics.load();
  return topics;
}

describe('TopicConfigManager', () => {
  it('creates the system topics, with TBW102 inheritable only when auto-creation is on', () => {
    const on = manager();
    assert.equal(on.get('TBW102')?.perm, 7);
    assert.equal(on.get('TBW102')?.writeQueueNums, 8);
    assert.equal(on.get('SCHEDULE_TOPIC_XXXX')?.readQueueNums, 18);
    assert.equal(on.get('DefaultCluster')?.perm, 7);
    assert.equal(on.get('broker-a')?.readQueueNums, 1);
    assert.ok(on.get('SELF_TEST_TOPIC'));
    assert.equal(manager({ autoCreate: false }).get('TBW102'), undefined);
  });

  it('auto-creates from the template with min(client, template) queues and no INHERIT', () => {
    const topics = manager();
    const created = topics.createForSend('NewTopic', 'TBW102', 4);
    assert.equal(created?.created, true);
    assert.equal(created?.config.writeQueueNums, 4);
    assert.equal(created?.config.perm, 6);
    assert.equal(topics.createForSend('Big', 'TBW102', 64)?.config.readQueueNums, 8);
    assert.equal(topics.createForSend('NewTopic', 'TBW102', 2)?.created, false);
    assert.equal(topics.createForSend('X', 'NoSuchTemplate', 4), undefined);
    assert.equal(topics.createForSend('Y', 'SELF_TEST_TOPIC', 4), undefined, 'not inheritable');
    assert.equal(manager({ autoCreate: false }).createForSend('Z', 'TBW102', 4), undefined);
  });

  it('bumps the data version and saves on every change, and reloads what it saved', () => {
    const store = memoryStore<TopicConfigWrapper>();
    const topics = manager({ store });
    const v1 = topics.dataVersion.counter;
    topics.ensure('%RETRY%G', 1, 6);
    assert.equal(topics.dataVersion.counter, v1 + 1);
    assert.equal(topics.ensure('%RETRY%G', 1, 6).created, false);
    assert.equal(topics.dataVersion.counter, v1 + 1);
    const last = store.saved.at(-1);
    assert.ok(last?.topicConfigTable['%RETRY%G']);
    const reloaded = manager({ store: memoryStore(last) });
    assert.equal(reloaded.get('%RETRY%G')?.writeQueueNums, 1);
    assert.equal(reloaded.dataVersion.counter, v1 + 1, 'unchanged file: same version');
  });

  it('checks topic names as RocketMQ 4.x does', () => {
    assert.equal(topicNameProblem('Topic_A-1|%x'), undefined);
    assert.match(topicNameProblem('') ?? '', /empty/);
    assert.match(topicNameProblem('a b') ?? '', /characters/);
    assert.equal(topicNameProblem('x'.repeat(127)), undefined);
    assert.match(topicNameProblem('x'.repeat(128)) ?? '', /127/);
  });
});

function sendContext(role: 'ASYNC_MASTER' | 'SLAVE' = 'ASYNC_MASTER'): BrokerContext {
  const config = loadBrokerConfig({
    overrides: { brokerName: 'broker-a', brokerIP1: '127.0.0.1', storePathRootDir: '/nonexistent' },
  }).config;
  return {
    config,
    role: new BrokerRoleState(role, role === 'SLAVE' ? 1 : 0),
    topics: manager(),
    brokerAddr: '127.0.0.1:10911',
    logger: noopLogger,
    topicsChanged: () => Promise.resolve(),
  } as unknown as BrokerContext;
}

function header(overrides: Partial<SendMessageRequestHeader>): SendMessageRequestHeader {
  return {
    producerGroup: 'PG',
    topic: 'TopicA',
    defaultTopic: 'TBW102',
    defaultTopicQueueNums: 4,
    queueId: 0,
    sysFlag: 0,
    bornTimestamp: 0,
    flag: 0,
    ...overrides,
  };
}

describe('Send target checks', () => {
  const request = createRequest(RequestCode.SEND_MESSAGE_V2);
  const codeOf = (target: ReturnType<typeof checkSendTarget>) =>
    'config' in target ? ResponseCode.SUCCESS : target.code;

  it('auto-creates the topic and accepts queues within its write queues', () => {
    const ctx = sendContext();
    const target = checkSendTarget(ctx, request, header({ queueId: 3 }));
    assert.ok('config' in target);
    assert.equal(target.queueId, 3);
    const outside = checkSendTarget(ctx, request, header({ queueId: 4 }));
    assert.equal(codeOf(outside), ResponseCode.MESSAGE_ILLEGAL);
    assert.match('remark' in outside ? (outside.remark ?? '') : '', /queueId\[4\] is illegal/);
    const random = checkSendTarget(ctx, request, header({ queueId: -1 }));
    assert.ok('config' in random && random.queueId >= 0 && random.queueId < 4);
  });

  it('refuses slaves, bad names, system topics and unknown topics without a template', () => {
    assert.equal(
      codeOf(checkSendTarget(sendContext('SLAVE'), request, header({}))),
      ResponseCode.SERVICE_NOT_AVAILABLE,
    );
    const ctx = sendContext();
    assert.equal(
      codeOf(checkSendTarget(ctx, request, header({ topic: 'a b' }))),
      ResponseCode.MESSAGE_ILLEGAL,
    );
    assert.equal(
      codeOf(checkSendTarget(ctx, request, header({ topic: 'SCHEDULE_TOPIC_XXXX' }))),
      ResponseCode.NO_PERMISSION,
    );
    assert.equal(
      codeOf(checkSendTarget(ctx, request, header({ topic: 'Nope', defaultTopic: 'Missing' }))),
      ResponseCode.TOPIC_NOT_EXIST,
    );
  });
});
