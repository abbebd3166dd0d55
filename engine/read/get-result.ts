// Get statuses, named as RocketMQ's GetMessageStatus (store/.../GetMessageStatus.java).

import { ErrorCode, MqError } from '../../common/errors.js';
import type { DecodedMessage } from '../../common/message-codec.js';

export const GetStatus = {
  FOUND: 'FOUND',
  NO_MATCHED_MESSAGE: 'NO_MATCHED_MESSAGE',
  MESSAGE_WAS_REMOVING: 'MESSAGE_WAS_REMOVING',
  OFFSET_FOUND_NULL: 'OFFSET_FOUND_NULL',
  OFFSET_OVERFLOW_BADLY: 'OFFSET_OVERFLOW_BADLY',
  OFFSET_OVERFLOW_ONE: 'OFFSET_OVERFLOW_ONE',
  OFFSET_TOO_SMALL: 'OFFSET_TOO_SMALL',
  NO_MATCHED_LOGIC_QUEUE: 'NO_MATCHED_LOGIC_QUEUE',
  NO_MESSAGE_IN_QUEUE: 'NO_MESSAGE_IN_QUEUE',
} as const;
export type GetStatus = (typeof GetStatus)[keyof typeof GetStatus];

export interface GetMessageRequest {
  topic: string;
  queueId: number;
  queueOffset: number;
  maxMsgNums: number;
  /** Stop adding messages once this many record bytes were collected (at least one is returned). */
  maxBytes?: number;
  /** Keep only messages whose ConsumeQueue tags code passes (broker-side tag filtering). */
  tagsCodeFilter?: (tagsCode: number) => boolean;
  /** Keep only stored records that pass (broker-side SQL92 filtering on properties). */
  recordFilter?: (record: Buffer) => boolean;
  /** Skip decoding: `messages` stays empty, `records` holds the raw stored records. */
  rawOnly?: boolean;
}

/** Throws E_INVALID_ARGUMENT naming every field of `r` out of its range. */
export function checkGetMessageRequest(r: GetMessageRequest): void {
  const problems: string[] = [];
  if (typeof r.topic !== 'string' || r.topic === '')
    problems.push('topic must be a non-empty string');
  if (!Number.isInteger(r.queueId) || r.queueId < 0 || r.queueId > 0x7fffffff)
    problems.push(`queueId must be an integer within 0..2147483647, got ${r.queueId}`);
  if (!Number.isSafeInteger(r.queueOffset))
    problems.push(`queueOffset must be an integer, got ${r.queueOffset}`);
  if (!Number.isSafeInteger(r.maxMsgNums) || r.maxMsgNums <= 0)
    problems.push(`maxMsgNums must be a positive integer, got ${r.maxMsgNums}`);
  if (problems.length > 0)
    throw new MqError(
      ErrorCode.INVALID_ARGUMENT,
      `Invalid getMessage request: ${problems.join('; ')}`,
      {
        problems,
      },
    );
}

/** FOUND carries at least one record (and its message, unless rawOnly); other statuses none. */
export type GetMessageResult = GetMessageFound | GetMessageNotFound;

interface GetMessageCommon {
  /** The queue offset to read from next. */
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** How far behind the CommitLog end the last message read lies, in bytes. */
  commitLogBytesBehind: number;
}

export interface GetMessageFound extends GetMessageCommon {
  status: typeof GetStatus.FOUND;
  /** The messages decoded, one per record (empty with rawOnly). */
  messages: DecodedMessage[];
  /** The stored records as they are on disk (what a pull response body carries). */
  records: Buffer[];
  /**
   * Present when the records are views of a pooled read buffer: call it once nothing uses them
   * any more (a pull: after its response was written) so the next read reuses the buffer. Not
   * calling it is safe (the buffer is then collected); using the records after it is not.
   */
  release?: () => void;
}

export interface GetMessageNotFound extends GetMessageCommon {
  status: Exclude<GetStatus, typeof GetStatus.FOUND>;
  /** Always empty. */
  messages: never[];
  /** Always empty. */
  records: never[];
}

/** The reader's result while it collects records; returned as a GetMessageResult. */
export interface GetMessageDraft {
  status: GetStatus;
  messages: DecodedMessage[];
  /** The stored records as they are on disk (what a pull response body carries). */
  records: Buffer[];
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** How far behind the CommitLog end the last message read lies, in bytes. */
  commitLogBytesBehind: number;
}
