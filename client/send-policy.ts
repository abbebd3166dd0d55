// The send retry policy, kept pure so it can be tested without a broker: how a response code maps
// to a SendStatus, which failures are worth another attempt on another broker group, and when
// to stop (attempt count and the overall send timeout).
//
// RocketMQ: client/.../impl/producer/DefaultMQProducerImpl.java (sendDefaultImpl: timesTotal =
// 1 + retryTimesWhenSendFailed, retryAnotherBrokerWhenNotStoreOK, the retryResponseCodes set),
// client/.../impl/MQClientAPIImpl.java (processSendResponse).
//
// Transport failures are retried: E_CONNECT_FAILED and E_TOO_MANY_PENDING_REQUESTS were never
// sent; E_REQUEST_TIMEOUT and E_CONNECTION_CLOSED may have been stored, so a retry can store the
// message twice (at-least-once, as RocketMQ). Broker codes are retried only when another group
// may succeed (topic missing there, service not available, system error, no permission).

import { assert } from '../common/assert.js';
import { ErrorCode, MqError } from '../common/errors.js';
import { ResponseCode } from '../protocol/response-code.js';

export const SendStatus = {
  SEND_OK: 'SEND_OK',
  FLUSH_DISK_TIMEOUT: 'FLUSH_DISK_TIMEOUT',
  FLUSH_SLAVE_TIMEOUT: 'FLUSH_SLAVE_TIMEOUT',
  SLAVE_NOT_AVAILABLE: 'SLAVE_NOT_AVAILABLE',
} as const;
export type SendStatus = (typeof SendStatus)[keyof typeof SendStatus];

/** The SendStatus of a send response code, or null when the code is an error. */
export function sendStatusOf(responseCode: number): SendStatus | null {
  switch (responseCode) {
    case ResponseCode.SUCCESS:
      return SendStatus.SEND_OK;
    case ResponseCode.FLUSH_DISK_TIMEOUT:
      return SendStatus.FLUSH_DISK_TIMEOUT;
    case ResponseCode.FLUSH_SLAVE_TIMEOUT:
      return SendStatus.FLUSH_SLAVE_TIMEOUT;
    case ResponseCode.SLAVE_NOT_AVAILABLE:
      return SendStatus.SLAVE_NOT_AVAILABLE;
    default:
      return null;
  }
}

/** Broker codes after which another group may take the message (Java's retryResponseCodes). */
export const RETRIABLE_SEND_RESPONSE_CODES: ReadonlySet<number> = new Set([
  ResponseCode.TOPIC_NOT_EXIST,
  ResponseCode.SERVICE_NOT_AVAILABLE,
  ResponseCode.SYSTEM_ERROR,
  ResponseCode.NO_PERMISSION,
  ResponseCode.NO_BUYER_ID,
  ResponseCode.NOT_IN_CURRENT_UNIT,
]);

/** Failures that another group may not share: the request never reached a broker, or its
 * outcome is unknown, or the group lost its master since the route was read. */
const RETRIABLE_TRANSPORT_CODES: ReadonlySet<string> = new Set([
  ErrorCode.CONNECT_FAILED,
  ErrorCode.REQUEST_TIMEOUT,
  ErrorCode.CONNECTION_CLOSED,
  ErrorCode.TOO_MANY_PENDING_REQUESTS,
]);

/** True when a failed attempt may be retried on another queue. */
export function isRetriableSendError(error: unknown): boolean {
  if (!(error instanceof MqError)) return false;
  if (RETRIABLE_TRANSPORT_CODES.has(error.code)) return true;
  if (error.code === ErrorCode.NO_MASTER) return true;
  if (error.code !== ErrorCode.REMOTE_ERROR) return false;
  const responseCode = error.details['responseCode'];
  return typeof responseCode === 'number' && RETRIABLE_SEND_RESPONSE_CODES.has(responseCode);
}

export interface SendPolicyOptions {
  /** Extra attempts after the first (RocketMQ retryTimesWhenSendFailed, default 2). */
  retryTimesWhenSendFailed: number;
  /** Retry a stored-but-not-OK status (flush or slave timeout) on another group. */
  retryAnotherBrokerWhenNotStoreOK: boolean;
  /** Budget for all attempts together (RocketMQ sendMsgTimeout, default 3,000 ms). */
  sendMsgTimeoutMs: number;
}

export type AttemptOutcome =
  | { kind: 'stored'; status: SendStatus }
  | { kind: 'failed'; error: unknown };

export type SendDecision = 'return' | 'retry' | 'throw';

/**
 * What to do after attempt number `attempt` (1-based) ended with `outcome`, `elapsedMs` after
 * the send began.
 */
export function decideAfterAttempt(
  options: Readonly<SendPolicyOptions>,
  attempt: number,
  elapsedMs: number,
  outcome: AttemptOutcome,
): SendDecision {
  assert(attempt >= 1, 'attempt is 1-based');
  const maxAttempts = 1 + options.retryTimesWhenSendFailed;
  assert(attempt <= maxAttempts, 'attempt within the bound');
  const mayRetry = attempt < maxAttempts && elapsedMs < options.sendMsgTimeoutMs;
  if (outcome.kind === 'stored') {
    if (outcome.status === SendStatus.SEND_OK) return 'return';
    return mayRetry && options.retryAnotherBrokerWhenNotStoreOK ? 'retry' : 'return';
  }
  return mayRetry && isRetriableSendError(outcome.error) ? 'retry' : 'throw';
}
