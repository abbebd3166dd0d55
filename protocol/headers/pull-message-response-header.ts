// PullMessageResponseHeader: PULL_MESSAGE response header. ali-ons reads all four fields for codes
// 0, 19, 20 and 21 and breaks on a missing one, so a broker always sends them.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   PullMessageResponseHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface PullMessageResponseHeader {
  /** Broker id to pull from next (0 = master). */
  suggestWhichBrokerId: number;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
}

export const PullMessageResponseHeader = defineHeader<PullMessageResponseHeader>(
  'PullMessageResponseHeader',
  {
    suggestWhichBrokerId: field.long,
    nextBeginOffset: field.long,
    minOffset: field.long,
    maxOffset: field.long,
  },
);
