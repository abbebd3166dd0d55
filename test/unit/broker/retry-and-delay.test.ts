// Retry and dead-letter routing, and delay-level arithmetic (pure functions).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clampDelayLevel,
  delayLevelToQueueId,
  deliverTimestampMs,
  parseDelayLevels,
  queueIdToDelayLevel,
  sendBackDelayLevel,
} from '../../../broker/delay-levels.js';
import {
  effectiveMaxReconsumeTimes,
  isRetrySendDeadLettered,
  routeSendBack,
} from '../../../broker/retry-policy.js';

const DEFAULT_LEVELS = '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h';

describe('Delay levels', () => {
  it("parses RocketMQ's default table", () => {
    const levels = parseDelayLevels(DEFAULT_LEVELS);
    assert.equal(levels.length, 18);
    assert.deepEqual(levels.slice(0, 5), [1000, 5000, 10_000, 30_000, 60_000]);
    assert.equal(levels[17], 7_200_000);
    assert.deepEqual(parseDelayLevels('2d'), [172_800_000]);
  });

  it('refuses units RocketMQ does not know', () => {
    assert.throws(() => parseDelayLevels('1s 100ms'), RangeError);
    assert.throws(() => parseDelayLevels('0s'), RangeError);
    assert.throws(() => parseDelayLevels('s'), RangeError);
  });

  it('maps levels to schedule queues and due times, clamping large levels', () => {
    const levels = parseDelayLevels(DEFAULT_LEVELS);
    assert.equal(delayLevelToQueueId(1), 0);
    assert.equal(queueIdToDelayLevel(17), 18);
    assert.equal(clampDelayLevel(40, levels.length), 18);
    assert.equal(deliverTimestampMs(1_000_000, 3, levels), 1_010_000);
    assert.equal(sendBackDelayLevel(0, levels.length), 3, 'first retry after 10 s');
    assert.equal(sendBackDelayLevel(4, levels.length), 7);
    assert.equal(sendBackDelayLevel(30, levels.length), 18);
  });
});

describe('Retry and DLQ routing', () => {
  const base = { group: 'G', delayLevel: 0, maxReconsumeTimes: 16, delayLevelCount: 18 };

  it('retries with level 3 + retries so far while under maxReconsumeTimes', () => {
    assert.deepEqual(routeSendBack({ ...base, reconsumeTimes: 0 }), {
      kind: 'RETRY',
      topic: '%RETRY%G',
      delayLevel: 3,
    });
    assert.deepEqual(routeSendBack({ ...base, reconsumeTimes: 15 }), {
      kind: 'RETRY',
      topic: '%RETRY%G',
      delayLevel: 18,
    });
  });

  it('dead-letters at maxReconsumeTimes or when the client asks with a negative level', () => {
    assert.deepEqual(routeSendBack({ ...base, reconsumeTimes: 16 }), {
      kind: 'DLQ',
      topic: '%DLQ%G',
    });
    assert.deepEqual(routeSendBack({ ...base, reconsumeTimes: 0, delayLevel: -1 }), {
      kind: 'DLQ',
      topic: '%DLQ%G',
    });
    assert.deepEqual(routeSendBack({ ...base, reconsumeTimes: 0, maxReconsumeTimes: 0 }), {
      kind: 'DLQ',
      topic: '%DLQ%G',
    });
  });

  it('honours a requested level, clamped to the table', () => {
    assert.deepEqual(routeSendBack({ ...base, reconsumeTimes: 2, delayLevel: 1 }), {
      kind: 'RETRY',
      topic: '%RETRY%G',
      delayLevel: 1,
    });
    const clamped = routeSendBack({ ...base, reconsumeTimes: 2, delayLevel: 99 });
    assert.equal(clamped.kind === 'RETRY' ? clamped.delayLevel : 0, 18);
  });

  it('takes maxReconsumeTimes from the request only from client version V3_4_9 on', () => {
    assert.equal(effectiveMaxReconsumeTimes(3, 121, 16, 121), 3);
    assert.equal(effectiveMaxReconsumeTimes(3, 120, 16, 121), 16);
    assert.equal(effectiveMaxReconsumeTimes(undefined, 407, 16, 121), 16);
    assert.equal(isRetrySendDeadLettered(3, 3), true);
    assert.equal(isRetrySendDeadLettered(2, 3), false);
  });
});
