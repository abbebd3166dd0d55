// Get statuses, named as RocketMQ's GetMessageStatus (store/.../GetMessageStatus.java).

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

export interface GetMessageResult {
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
