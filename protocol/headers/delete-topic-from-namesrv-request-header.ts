// DeleteTopicFromNamesrvRequestHeader: DELETE_TOPIC_IN_NAMESRV (216) request header.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   DeleteTopicFromNamesrvRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface DeleteTopicFromNamesrvRequestHeader {
  topic: string;
  clusterName?: string;
}

export const DeleteTopicFromNamesrvRequestHeader =
  defineHeader<DeleteTopicFromNamesrvRequestHeader>('DeleteTopicFromNamesrvRequestHeader', {
    topic: field.string,
    clusterName: field.optionalString,
  });
