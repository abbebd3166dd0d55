// EndTransactionRequestHeader: END_TRANSACTION (37) request header (sent oneway by Java
// producers).
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   EndTransactionRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface EndTransactionRequestHeader {
  producerGroup: string;
  tranStateTableOffset: number;
  commitLogOffset: number;
  /** MessageSysFlag transaction type: 0 not, 8 commit, 12 rollback. */
  commitOrRollback: number;
  fromTransactionCheck?: boolean;
  msgId: string;
  transactionId?: string;
}

export const EndTransactionRequestHeader = defineHeader<EndTransactionRequestHeader>(
  'EndTransactionRequestHeader',
  {
    producerGroup: field.string,
    tranStateTableOffset: field.long,
    commitLogOffset: field.long,
    commitOrRollback: field.int,
    fromTransactionCheck: field.optionalBool,
    msgId: field.string,
    transactionId: field.optionalString,
  },
);
