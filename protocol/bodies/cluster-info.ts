// ClusterInfo: the JSON body of a GET_BROKER_CLUSTER_INFO (106) response: every broker group
// the NameServer knows, and which groups make up each cluster.
//
// RocketMQ: common/.../protocol/body/ClusterInfo.java (tag rocketmq-all-4.9.7).
//
//   {"brokerAddrTable":{"broker-a":{"brokerAddrs":{"0":"10.0.0.1:10911"},
//                                   "brokerName":"broker-a","cluster":"DefaultCluster"}},
//    "clusterAddrTable":{"DefaultCluster":["broker-a"]}}

import {
  arrayOf,
  asObject,
  decodeJsonBody,
  encodeJsonBody,
  mapRecord,
  readRecord,
  sortedRecord,
  stringItem,
} from './json-body.js';
import { type BrokerData, brokerDataToJson, decodeBrokerData } from './topic-route-data.js';

export interface ClusterInfo {
  /** brokerName to its BrokerData. */
  brokerAddrTable: Record<string, BrokerData>;
  /** clusterName to its brokerNames. */
  clusterAddrTable: Record<string, string[]>;
}

/** Throws MqError E_BODY_MALFORMED when the body is not a ClusterInfo. */
export function decodeClusterInfo(body: Uint8Array | null): ClusterInfo {
  const path = 'ClusterInfo';
  const o = asObject(decodeJsonBody(body, path), path);
  return {
    brokerAddrTable: readRecord(o, 'brokerAddrTable', path, decodeBrokerData),
    clusterAddrTable: readRecord(o, 'clusterAddrTable', path, arrayOf(stringItem)),
  };
}

export function encodeClusterInfo(info: ClusterInfo): Buffer {
  return encodeJsonBody({
    brokerAddrTable: mapRecord(sortedRecord(info.brokerAddrTable), brokerDataToJson),
    clusterAddrTable: sortedRecord(info.clusterAddrTable),
  });
}
