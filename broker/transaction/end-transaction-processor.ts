// END_TRANSACTION (37): a producer commits or rolls back the half message it sent (Java and Petrel
// producers send it after the local transaction, or in answer to CHECK_TRANSACTION_STATE). Java
// producers send it oneway; a two-way request gets the outcome.
//
// RocketMQ: broker/.../processor/EndTransactionProcessor.java.

import {
  createResponse,
  EndTransactionRequestHeader,
  isOneway,
  type RemotingCommand,
  RequestCode,
} from '../../protocol/index.js';
import { decodeRequestHeader, type ProcessorRegistry } from '../../server/request-kit.js';
import type { BrokerContext } from '../broker-context.js';

export function registerEndTransactionProcessor(
  server: ProcessorRegistry,
  ctx: BrokerContext,
): void {
  server.registerProcessor(RequestCode.END_TRANSACTION, (request) => endTransaction(ctx, request));
}

async function endTransaction(
  ctx: BrokerContext,
  request: RemotingCommand,
): Promise<RemotingCommand | null> {
  const h = decodeRequestHeader(request, EndTransactionRequestHeader);
  if (!h.ok) return isOneway(request) ? null : h.response;
  const outcome = await ctx.transactions.endTransaction(h.header);
  if (outcome.code !== 0) {
    ctx.logger.warn('END_TRANSACTION refused', {
      producerGroup: h.header.producerGroup,
      commitLogOffset: h.header.commitLogOffset,
      remark: outcome.remark,
    });
  }
  return isOneway(request) ? null : createResponse(request, outcome.code, outcome.remark);
}
