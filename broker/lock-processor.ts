// LOCK_BATCH_MQ (41) / UNLOCK_BATCH_MQ (42): orderly consumers lock the queues they own so that one
// queue is consumed by one client of the group at a time, in offset order. The answer to a lock
// request lists the queues the requester holds now (renewed or newly taken).
//
// RocketMQ: broker/.../processor/AdminBrokerProcessor.java (lockBatchMQ, unlockBatchMQ).

import { MqError } from '../common/errors.js';
import {
  decodeLockBatchRequestBody,
  encodeLockBatchResponseBody,
  type LockBatchRequestBody,
  type RemotingCommand,
  RequestCode,
  ResponseCode,
} from '../protocol/index.js';
import { failure, type ProcessorRegistry, success } from '../server/request-kit.js';
import type { BrokerContext } from './broker-context.js';
import { RebalanceLockManager } from './rebalance-lock-manager.js';

/** Queues one request may name; a consumer owns a few hundred at most. */
export const MAX_QUEUES_PER_LOCK_REQUEST = 4096;

export function registerLockProcessors(server: ProcessorRegistry, ctx: BrokerContext): void {
  const locks = new RebalanceLockManager({
    lockMaxLiveMs: ctx.config.rebalanceLockMaxLiveTime,
    maxQueueLocks: ctx.config.maxQueueLocks,
    clock: ctx.clock,
  });
  server.registerProcessor(RequestCode.LOCK_BATCH_MQ, (request) => {
    const body = decodeBody(request);
    if (!('mqSet' in body)) return body;
    const locked = locks.tryLockBatch(body.consumerGroup, body.mqSet, body.clientId);
    if (locked.length < body.mqSet.length) {
      ctx.logger.debug('Queues locked by another client', {
        group: body.consumerGroup,
        client: body.clientId,
        asked: body.mqSet.length,
        locked: locked.length,
      });
    }
    return success(request, {}, encodeLockBatchResponseBody({ lockOKMQSet: locked }));
  });
  server.registerProcessor(RequestCode.UNLOCK_BATCH_MQ, (request) => {
    const body = decodeBody(request);
    if (!('mqSet' in body)) return body;
    locks.unlockBatch(body.consumerGroup, body.mqSet, body.clientId);
    return success(request);
  });
}

function decodeBody(request: RemotingCommand): LockBatchRequestBody | RemotingCommand {
  let body: LockBatchRequestBody;
  try {
    body = decodeLockBatchRequestBody(request.body);
  } catch (error) {
    if (!(error instanceof MqError)) throw error;
    return failure(request, ResponseCode.SYSTEM_ERROR, error.message);
  }
  if (body.mqSet.length > MAX_QUEUES_PER_LOCK_REQUEST) {
    const remark = `a lock request names ${body.mqSet.length} queues; at most ${MAX_QUEUES_PER_LOCK_REQUEST}`;
    return failure(request, ResponseCode.SYSTEM_ERROR, remark);
  }
  return body;
}
