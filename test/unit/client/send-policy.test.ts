// Queue selection and the send retry policy: round robin over the writable queues, a retry moves
// to another broker group, ordered sends hash to a fixed queue, and the retry decision follows
// RocketMQ's codes, attempt count and time budget.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageQueue } from '../../../client/message-queue.js';
import { RoundRobinQueueSelector, selectQueueByHash } from '../../../client/queue-selector.js';
import {
  decideAfterAttempt,
  isRetriableSendError,
  SendStatus,
  sendStatusOf,
} from '../../../client/send-policy.js';
import { ErrorCode, MqError } from '../../../common/errors.js';
import { createPrng } from '../../../common/prng.js';
import { ResponseCode } from '../../../protocol/response-code.js';

function queues(spec: Record<string, number>): MessageQueue[] {
  return Object.entries(spec).flatMap(([brokerName, n]) =>
    Array.from({ length: n }, (_, queueId) => ({ topic: 'T', brokerName, queueId })),
  );
}

const remote = (responseCode: number) =>
  new MqError(ErrorCode.REMOTE_ERROR, 'x', { responseCode, brokerName: 'broker-a' });

describe('client/queue-selector', () => {
  it('walks every queue round robin from a seeded start', () => {
    const list = queues({ a: 2, b: 2 });
    const selector = new RoundRobinQueueSelector(createPrng(7));
    const picked = Array.from({ length: 8 }, () => selector.select(list, null));
    const keys = picked.map((q) => `${q.brokerName}${q.queueId}`);
    assert.deepEqual(new Set(keys.slice(0, 4)).size, 4);
    assert.deepEqual(keys.slice(0, 4), keys.slice(4));
  });

  it('moves a retry to another broker group when one exists', () => {
    const list = queues({ a: 3, b: 1 });
    for (let seed = 0; seed < 50; seed++) {
      const selector = new RoundRobinQueueSelector(createPrng(seed));
      for (let i = 0; i < 10; i++) assert.equal(selector.select(list, 'a').brokerName, 'b');
    }
    const onlyA = queues({ a: 2 });
    assert.equal(new RoundRobinQueueSelector(createPrng(1)).select(onlyA, 'a').brokerName, 'a');
  });

  it('hashes ordered sends to a stable queue', () => {
    const list = queues({ a: 4, b: 4 });
    const first = selectQueueByHash(list, 'order-42');
    for (let i = 0; i < 5; i++) assert.deepEqual(selectQueueByHash(list, 'order-42'), first);
    const spread = new Set(
      Array.from({ length: 200 }, (_, i) => JSON.stringify(selectQueueByHash(list, `k${i}`))),
    );
    assert.equal(spread.size, 8);
  });
});

describe('client/send-policy', () => {
  const options = {
    retryTimesWhenSendFailed: 2,
    retryAnotherBrokerWhenNotStoreOK: false,
    sendMsgTimeoutMs: 3000,
  };

  it('maps send response codes to statuses', () => {
    assert.equal(sendStatusOf(ResponseCode.SUCCESS), SendStatus.SEND_OK);
    assert.equal(sendStatusOf(ResponseCode.FLUSH_DISK_TIMEOUT), SendStatus.FLUSH_DISK_TIMEOUT);
    assert.equal(sendStatusOf(ResponseCode.FLUSH_SLAVE_TIMEOUT), SendStatus.FLUSH_SLAVE_TIMEOUT);
    assert.equal(sendStatusOf(ResponseCode.SLAVE_NOT_AVAILABLE), SendStatus.SLAVE_NOT_AVAILABLE);
    assert.equal(sendStatusOf(ResponseCode.SYSTEM_BUSY), null);
  });

  it('retries transport failures and the codes another group may not share', () => {
    for (const code of [
      ErrorCode.CONNECT_FAILED,
      ErrorCode.REQUEST_TIMEOUT,
      ErrorCode.CONNECTION_CLOSED,
      ErrorCode.NO_MASTER,
    ]) {
      assert.equal(isRetriableSendError(new MqError(code, 'x')), true, code);
    }
    for (const code of [17, 14, 1, 16, 204, 205])
      assert.equal(isRetriableSendError(remote(code)), true);
    for (const code of [2, 13, 26]) assert.equal(isRetriableSendError(remote(code)), false);
    assert.equal(isRetriableSendError(new TypeError('bad message')), false);
    assert.equal(isRetriableSendError(new MqError(ErrorCode.NO_ROUTE, 'x')), false);
  });

  it('returns a stored message and stops after 1 + retryTimesWhenSendFailed attempts', () => {
    const ok = { kind: 'stored', status: SendStatus.SEND_OK } as const;
    const failed = { kind: 'failed', error: new MqError(ErrorCode.CONNECT_FAILED, 'x') } as const;
    assert.equal(decideAfterAttempt(options, 1, 10, ok), 'return');
    assert.equal(decideAfterAttempt(options, 1, 10, failed), 'retry');
    assert.equal(decideAfterAttempt(options, 2, 10, failed), 'retry');
    assert.equal(decideAfterAttempt(options, 3, 10, failed), 'throw');
    assert.throws(() => decideAfterAttempt(options, 4, 10, failed));
  });

  it('stops retrying once the send timeout is spent', () => {
    const failed = { kind: 'failed', error: remote(ResponseCode.SYSTEM_ERROR) } as const;
    assert.equal(decideAfterAttempt(options, 1, 2999, failed), 'retry');
    assert.equal(decideAfterAttempt(options, 1, 3000, failed), 'throw');
  });

  it('throws codes that no other group would change', () => {
    const busy = { kind: 'failed', error: remote(ResponseCode.SYSTEM_BUSY) } as const;
    assert.equal(decideAfterAttempt(options, 1, 0, busy), 'throw');
  });

  it('retries a non-OK store status only when retryAnotherBrokerWhenNotStoreOK', () => {
    const slow = { kind: 'stored', status: SendStatus.FLUSH_SLAVE_TIMEOUT } as const;
    assert.equal(decideAfterAttempt(options, 1, 0, slow), 'return');
    const retrying = { ...options, retryAnotherBrokerWhenNotStoreOK: true };
    assert.equal(decideAfterAttempt(retrying, 1, 0, slow), 'retry');
    assert.equal(decideAfterAttempt(retrying, 3, 0, slow), 'return');
  });
});
