// CreateTopicRequestHeader: UPDATE_AND_CREATE_TOPIC (17) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   CreateTopicRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface CreateTopicRequestHeader {
  topic: string;
  /** Required by Java, unused. */
  defaultTopic: string;
  readQueueNums: number;
  writeQueueNums: number;
  /** PermName bits: READ 4, WRITE 2, INHERIT 1. */
  perm: number;
  /** "SINGLE_TAG" or "MULTI_TAG". */
  topicFilterType: string;
  topicSysFlag?: number;
  order: boolean;
}

export const CreateTopicRequestHeader = defineHeader<CreateTopicRequestHeader>(
  'CreateTopicRequestHeader',
  {
    topic: field.string,
    defaultTopic: field.string,
    readQueueNums: field.int,
    writeQueueNums: field.int,
    perm: field.int,
    topicFilterType: field.string,
    topicSysFlag: field.optionalInt,
    order: field.bool,
  },
);
