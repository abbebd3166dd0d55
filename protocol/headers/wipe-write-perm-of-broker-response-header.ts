// WipeWritePermOfBrokerResponseHeader: WIPE_WRITE_PERM_OF_BROKER response header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   WipeWritePermOfBrokerResponseHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface WipeWritePermOfBrokerResponseHeader {
  wipeTopicCount: number;
}

export const WipeWritePermOfBrokerResponseHeader =
  defineHeader<WipeWritePermOfBrokerResponseHeader>('WipeWritePermOfBrokerResponseHeader', {
    wipeTopicCount: field.int,
  });
