// GetRouteInfoRequestHeader: GET_ROUTEINFO_BY_TOPIC (105) request header; the response body is
// TopicRouteData (bodies/topic-route-data.ts).
//
// RocketMQ: common/src/main/java/org/apache/rocketmq/common/protocol/header/namesrv/
//   GetRouteInfoRequestHeader.java (tag rocketmq-all-4.9.7).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetRouteInfoRequestHeader {
  topic: string;
  /** 4.9.5+: ask for standard JSON whatever the version. */
  acceptStandardJsonOnly?: boolean;
}

export const GetRouteInfoRequestHeader = defineHeader<GetRouteInfoRequestHeader>(
  'GetRouteInfoRequestHeader',
  {
    topic: field.string,
    acceptStandardJsonOnly: field.optionalBool,
  },
);
