// GetTopicsByClusterRequestHeader: GET_TOPICS_BY_CLUSTER (224) request header; the response body
// is TopicList.
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/
//   GetTopicsByClusterRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetTopicsByClusterRequestHeader {
  cluster: string;
}

export const GetTopicsByClusterRequestHeader = defineHeader<GetTopicsByClusterRequestHeader>(
  'GetTopicsByClusterRequestHeader',
  {
    cluster: field.string,
  },
);
