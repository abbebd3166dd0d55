// Delay levels: the message property DELAY=n delays delivery by the n-th entry of
// messageDelayLevel ("1s 5s 10s 30s 1m ..."), and consumer send-back uses level 3 + the number of
// earlier retries. Pure functions, unit-tested.
//
// RocketMQ: store/.../schedule/ScheduleMessageService.java (parseDelayLevel,
// computeDeliverTimestamp, queueId2DelayLevel / delayLevel2QueueId), CommitLog.putMessage (levels
// above the maximum are clamped to it), SendMessageProcessor.consumerSendMsgBack (3 + times).

import { assert } from '../common/assert.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** "1s 5s 1m 2h" -> [1000, 5000, 60000, 7200000]; throws RangeError on anything else. */
export function parseDelayLevels(text: string): number[] {
  const parts = text.trim().split(/\s+/);
  const levels: number[] = [];
  for (const part of parts) {
    const match = /^([1-9]\d{0,8})([smhd])$/.exec(part);
    const unit = match === null ? undefined : UNIT_MS[match[2] ?? ''];
    if (match === null || unit === undefined) {
      throw new RangeError(`Delay level "${part}" is not a number followed by s, m, h or d`);
    }
    levels.push(Number(match[1]) * unit);
  }
  assert(levels.length > 0, 'at least one delay level');
  return levels;
}

/** A requested level clamped into 1..levels.length (RocketMQ clamps larger levels to the max). */
export function clampDelayLevel(level: number, levelCount: number): number {
  assert(Number.isInteger(level) && level > 0, 'delay level is positive');
  assert(levelCount > 0, 'there are delay levels');
  return Math.min(level, levelCount);
}

/** The queue of SCHEDULE_TOPIC_XXXX holding level `level`. */
export function delayLevelToQueueId(level: number): number {
  assert(level >= 1, 'delay level starts at 1');
  return level - 1;
}

export function queueIdToDelayLevel(queueId: number): number {
  assert(queueId >= 0, 'queue id is not negative');
  return queueId + 1;
}

/** When a message stored at `storeTimestampMs` with delay level `level` is due. */
export function deliverTimestampMs(
  storeTimestampMs: number,
  level: number,
  levels: readonly number[],
): number {
  const delayMs = levels[level - 1];
  assert(delayMs !== undefined, 'delay level within the configured levels');
  return storeTimestampMs + delayMs;
}

/** The delay level a consumer send-back with level 0 gets: 3 + the retries so far (clamped). */
export function sendBackDelayLevel(reconsumeTimes: number, levelCount: number): number {
  assert(reconsumeTimes >= 0, 'reconsume times is not negative');
  return clampDelayLevel(3 + reconsumeTimes, levelCount);
}
