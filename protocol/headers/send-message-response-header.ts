// SendMessageResponseHeader: SEND_MESSAGE / SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE response header.
// ali-ons reads msgId, queueId and queueOffset.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   SendMessageResponseHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface SendMessageResponseHeader {
  /** Offset message id (store host + commit log offset); comma-joined for batches. */
  msgId: string;
  queueId: number;
  queueOffset: number;
  transactionId?: string;
}

export const SendMessageResponseHeader = defineHeader<SendMessageResponseHeader>(
  'SendMessageResponseHeader',
  {
    msgId: field.string,
    queueId: field.int,
    queueOffset: field.long,
    transactionId: field.optionalString,
  },
);
