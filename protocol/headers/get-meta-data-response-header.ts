// GetMetaDataResponseHeader: CONTROLLER_GET_METADATA_INFO (1005) response
// header: the controller Raft group, its leader and whether this controller is it. Any
// controller answers (brokers use it to find the leader). The request has no header or body.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/header/controller/GetMetaDataResponseHeader.java
//   (tag rocketmq-all-5.1.4).
// Values travel in extFields as strings; see header-codec.ts for the conversions.

import { defineHeader, field } from './header-codec.js';

export interface GetMetaDataResponseHeader {
  group?: string;
  controllerLeaderId?: string;
  /** The leader's remoting address ("host:port" clients send controller requests to). */
  controllerLeaderAddress?: string;
  isLeader?: boolean;
  /** "id:host:port;" per peer, as controllerDLegerPeers. */
  peers?: string;
}

export const GetMetaDataResponseHeader = defineHeader<GetMetaDataResponseHeader>(
  'GetMetaDataResponseHeader',
  {
    group: field.optionalString,
    controllerLeaderId: field.optionalString,
    controllerLeaderAddress: field.optionalString,
    isLeader: field.optionalBool,
    peers: field.optionalString,
  },
);
