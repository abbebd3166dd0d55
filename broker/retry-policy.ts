// Where a message goes when a consumer gives it back, or when a producer sends to a group's retry
// topic: back to %RETRY%<group> after a delay, or to the dead-letter topic %DLQ%<group> once it
// has been retried maxReconsumeTimes times. Pure, unit-tested.
//
// RocketMQ: broker/.../processor/SendMessageProcessor.java (consumerSendMsgBack and
// handleRetryAndDLQ), common/.../MixAll.java (getRetryTopic, getDLQTopic).

import { assert } from '../common/assert.js';
import { dlqTopicOf, retryTopicOf } from '../common/topic-rules.js';
import { sendBackDelayLevel } from './delay-levels.js';

export type RetryRoute =
  | { kind: 'DLQ'; topic: string }
  | { kind: 'RETRY'; topic: string; delayLevel: number };

export interface SendBackInput {
  group: string;
  /** How often the message was consumed before this send-back. */
  reconsumeTimes: number;
  /** The request's level: 0 lets the broker decide, below 0 goes to the DLQ at once. */
  delayLevel: number;
  maxReconsumeTimes: number;
  delayLevelCount: number;
}

/** CONSUMER_SEND_MSG_BACK: retry later or dead-letter. */
export function routeSendBack(input: SendBackInput): RetryRoute {
  assert(input.reconsumeTimes >= 0, 'reconsumeTimes is not negative');
  assert(input.delayLevelCount > 0, 'there are delay levels');
  if (input.delayLevel < 0 || input.reconsumeTimes >= input.maxReconsumeTimes) {
    return { kind: 'DLQ', topic: dlqTopicOf(input.group) };
  }
  const delayLevel =
    input.delayLevel === 0
      ? sendBackDelayLevel(input.reconsumeTimes, input.delayLevelCount)
      : Math.min(input.delayLevel, input.delayLevelCount);
  return { kind: 'RETRY', topic: retryTopicOf(input.group), delayLevel };
}

/**
 * A producer's send to %RETRY%<group> (clients that re-send failed messages themselves): it goes
 * to the DLQ instead when it has been consumed maxReconsumeTimes times.
 */
export function isRetrySendDeadLettered(
  reconsumeTimes: number,
  maxReconsumeTimes: number,
): boolean {
  return reconsumeTimes >= maxReconsumeTimes;
}

/** The maxReconsumeTimes a request asks for, honoured from client version V3_4_9 on (Java). */
export function effectiveMaxReconsumeTimes(
  requested: number | undefined,
  clientVersion: number,
  groupRetryMaxTimes: number,
  honouredFromVersion: number,
): number {
  if (requested !== undefined && clientVersion >= honouredFromVersion) return requested;
  return groupRetryMaxTimes;
}
