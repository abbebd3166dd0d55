// Delayed delivery with a manual clock and an in-memory store: due messages go to their real
// topic in order, without DELAY, and progress survives a reload. And the client registry: group
// membership, subscriptions, expiry, connection close and the client bound.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientRegistry } from '../../../broker/client-registry.js';
import {
  type DelayOffsetTable,
  ScheduleMessageService,
  type ScheduleStore,
} from '../../../broker/schedule-message-service.js';
import { ManualClock } from '../../../common/clock.js';
import type { DecodedMessage } from '../../../common/message-codec.js';
import type {
  GetMessageRequest,
  GetMessageResult,
  PutMessageInput,
} from '../../../engine/index.js';
import { noopLogger, type SubscriptionData } from '../../../protocol/index.js';

function fakeStore(clock: ManualClock) {
  const queues = new Map<string, DecodedMessage[]>();
  const puts: PutMessageInput[] = [];
  const store: ScheduleStore = {
    getMinOffsetInQueue: () => 0,
    putMessage: async (m) => {
      puts.push(m);
      const offset = puts.length - 1;
      return {
        status: 'PUT_OK',
        msgId: `msg-${offset}`,
        uniqKey: `uniq-${offset}`,
        queueOffset: offset,
        commitLogOffset: offset,
        wroteBytes: 1,
      };
    },
    getMessage: async (r: GetMessageRequest): Promise<GetMessageResult> => {
      const q = queues.get(`${r.topic}@${r.queueId}`) ?? [];
      const found = q.slice(r.queueOffset, r.queueOffset + r.maxMsgNums);
      const base = { records: [], minOffset: 0, maxOffset: q.length, commitLogBytesBehind: 0 };
      if (found.length === 0) {
        return {
          ...base,
          status: 'OFFSET_OVERFLOW_ONE',
          messages: [],
          nextBeginOffset: r.queueOffset,
        };
      }
      return {
        ...base,
        status: 'FOUND',
        messages: found,
        nextBeginOffset: r.queueOffset + found.length,
      };
    },
  };
  const delay = (level: number, realTopic: string, body: string) => {
    const key = `SCHEDULE_TOPIC_XXXX@${level - 1}`;
    const q = queues.get(key) ?? [];
    q.push({
      topic: 'SCHEDULE_TOPIC_XXXX',
      queueId: level - 1,
      flag: 0,
      queueOffset: q.length,
      commitLogOffset: 0,
      sysFlag: 0,
      bodyCrc: 0,
      bornTimestamp: 0,
      bornHost: '127.0.0.1:1',
      storeTimestamp: clock.nowMs(),
      storeHost: '127.0.0.1:10911',
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      storeSize: 0,
      body: Buffer.from(body),
      properties: { DELAY: String(level), REAL_TOPIC: realTopic, REAL_QID: '2', TAGS: 't' },
    });
    queues.set(key, q);
  };
  return { store, puts, delay };
}

describe('ScheduleMessageService', () => {
  it('delivers each message once its level delay has passed, in order, without DELAY', async () => {
    const clock = new ManualClock();
    const { store, puts, delay } = fakeStore(clock);
    let saved: DelayOffsetTable | undefined;
    const offsets = {
      load: () => saved,
      save: (t: DelayOffsetTable) => {
        saved = t;
      },
    };
    const service = new ScheduleMessageService({
      store,
      offsets,
      levels: [1000, 5000],
      clock,
      logger: noopLogger,
      isActive: () => true,
    });
    delay(1, 'A', 'a1');
    delay(2, 'B', 'b1');
    clock.advance(500);
    delay(1, 'A', 'a2');
    assert.equal(await service.tick(), 0);
    clock.advance(500);
    assert.equal(await service.tick(), 1);
    assert.deepEqual(
      puts.map((p) => [p.topic, p.queueId, p.body.toString()]),
      [['A', 2, 'a1']],
    );
    assert.equal(puts[0]?.properties?.['DELAY'], undefined);
    assert.equal(puts[0]?.properties?.['TAGS'], 't');
    clock.advance(500);
    assert.equal(await service.tick(), 1);
    clock.advance(4000);
    assert.equal(await service.tick(), 1);
    assert.deepEqual(
      puts.map((p) => p.body.toString()),
      ['a1', 'a2', 'b1'],
    );
    service.persist();
    assert.deepEqual(saved, { '1': 2, '2': 1 });
    const again = new ScheduleMessageService({
      store,
      offsets,
      levels: [1000, 5000],
      clock,
      logger: noopLogger,
      isActive: () => true,
    });
    again.load();
    assert.equal(await again.tick(), 0, 'nothing delivered twice after a reload');
  });

  it('does nothing on a slave', async () => {
    const clock = new ManualClock();
    const { store, delay } = fakeStore(clock);
    delay(1, 'A', 'x');
    clock.advance(10_000);
    const service = new ScheduleMessageService({
      store,
      offsets: { load: () => undefined, save: () => undefined },
      levels: [1000],
      clock,
      logger: noopLogger,
      isActive: () => false,
    });
    assert.equal(await service.tick(), 0);
  });
});

function sub(topic: string, subVersion = 1): SubscriptionData {
  return {
    topic,
    subString: '*',
    tagsSet: [],
    codeSet: [],
    subVersion,
    classFilterMode: false,
    expressionType: 'TAG',
  };
}

describe('ClientRegistry', () => {
  const settings = (subs: SubscriptionData[]) => ({
    consumeType: 'CONSUME_PASSIVELY',
    messageModel: 'CLUSTERING',
    consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
    subscriptions: subs,
  });

  it('tracks members, subscriptions and membership changes', () => {
    const clock = new ManualClock();
    const clients = new ClientRegistry<{ id: number }>({
      clock,
      maxClients: 10,
      channelExpiredTimeMs: 120_000,
    });
    assert.deepEqual(clients.registerConsumer('G', 'c1', { id: 1 }, settings([sub('T')])), {
      ok: true,
      membersChanged: true,
    });
    assert.deepEqual(clients.registerConsumer('G', 'c1', { id: 1 }, settings([sub('T')])), {
      ok: true,
      membersChanged: false,
    });
    clients.registerConsumer('G', 'c2', { id: 2 }, settings([sub('U', 5)]));
    assert.deepEqual(clients.consumerIds('G'), ['c1', 'c2']);
    assert.deepEqual([...(clients.consumerGroup('G')?.subscriptions.keys() ?? [])], ['U']);
    assert.equal(clients.unregisterConsumer('G', 'c1'), true);
    assert.equal(clients.unregisterConsumer('G', 'c1'), false);
    assert.deepEqual(clients.consumerIds('G'), ['c2']);
  });

  it('drops clients on connection close and after the expiry, and bounds registrations', () => {
    const clock = new ManualClock();
    const clients = new ClientRegistry<{ id: number }>({
      clock,
      maxClients: 3,
      channelExpiredTimeMs: 120_000,
    });
    clients.registerConsumer('G', 'c1', { id: 1 }, settings([sub('T')]));
    clients.registerConsumer('G', 'c2', { id: 2 }, settings([sub('T')]));
    assert.ok(clients.registerProducer('P', 'c2', { id: 2 }));
    assert.equal(clients.registerProducer('P', 'c3', { id: 3 }), false, 'bound reached');
    assert.deepEqual(clients.onChannelClosed(2), ['G']);
    assert.equal(clients.size, 1);
    clock.advance(120_001);
    const expired = clients.scanExpired();
    assert.deepEqual(expired.groups, ['G']);
    assert.deepEqual(expired.channels, [{ id: 1 }]);
    assert.equal(clients.size, 0);
  });
});
