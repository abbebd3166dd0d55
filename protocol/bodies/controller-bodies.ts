// The JSON bodies of RocketMQ 5's controller mode (docs/controller.md, "Wire").
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/ (tag rocketmq-all-5.1.4)
//   body/SyncStateSet.java             {"syncStateSet":[1,2],"syncStateSetEpoch":3}
//     REGISTER_BROKER / GET_REPLICA_INFO / ALTER_SYNC_STATE_SET responses, ALTER_SYNC_STATE_SET
//     request, NOTIFY_BROKER_ROLE_CHANGED request
//   body/BrokerMemberGroup.java        {"brokerAddrs":{1:"h:p"},"brokerName":"b","cluster":"c"}
//   body/ElectMasterResponseBody.java  {"brokerMemberGroup":{...},"syncStateSet":[2]}
//   body/BrokerReplicasInfo.java       {"replicasInfoTable":{"b":{"inSyncReplicas":[...],...}}}
//     CONTROLLER_GET_SYNC_STATE_DATA response (its request body is a JSON list of brokerNames)
//   body/EpochEntryCache.java, EpochEntry.java
//     GET_BROKER_EPOCH_CACHE response (answered by a broker)
//
// Broker ids are Java Longs; they are safe integers here. EpochEntry.endOffset is Long.MAX_VALUE
// for the open (newest) epoch; that value is EPOCH_END_OPEN here and Long.MAX_VALUE on the wire.

import {
  arrayOf,
  asObject,
  bodyError,
  decodeJsonBody,
  encodeJsonBody,
  integerItem,
  type JsonObject,
  mapRecord,
  readArray,
  readBoolean,
  readInteger,
  readOptionalString,
  readRecord,
  readString,
  sortedRecord,
  stringItem,
} from './json-body.js';

export interface SyncStateSet {
  /** Broker ids of the in-sync replicas (the master included). */
  syncStateSet: number[];
  syncStateSetEpoch: number;
}

export interface BrokerMemberGroup {
  cluster: string;
  brokerName: string;
  /** brokerId (decimal text) to "host:port". */
  brokerAddrs: Record<string, string>;
}

export interface ElectMasterResponseBody {
  brokerMemberGroup?: BrokerMemberGroup;
  syncStateSet: number[];
}

export interface ReplicaIdentity {
  brokerName: string;
  brokerId: number;
  brokerAddress: string;
  alive: boolean;
}

export interface ReplicasInfo {
  masterBrokerId?: number;
  masterAddress?: string;
  masterEpoch: number;
  syncStateSetEpoch: number;
  inSyncReplicas: ReplicaIdentity[];
  notInSyncReplicas: ReplicaIdentity[];
}

export interface BrokerReplicasInfo {
  /** brokerName to its replicas. */
  replicasInfoTable: Record<string, ReplicasInfo>;
}

/** Java Long.MAX_VALUE, the end offset of the newest (still open) epoch. */
export const EPOCH_END_OPEN = Number.MAX_SAFE_INTEGER;
const JAVA_LONG_MAX = 9223372036854775807n;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
  /** EPOCH_END_OPEN for the newest epoch. */
  endOffset: number;
}

export interface EpochEntryCache {
  clusterName: string;
  brokerName: string;
  brokerId: number;
  epochList: EpochEntry[];
  maxOffset: number;
}

function compareIds(a: string, b: string): number {
  return Number(a) - Number(b);
}

function sortedIds(ids: readonly number[]): number[] {
  return [...ids].sort((a, b) => a - b);
}

function decodeIdList(o: JsonObject, key: string, path: string): number[] {
  return readArray(o, key, path, integerItem);
}

/** Throws MqError E_BODY_MALFORMED when the body is not a SyncStateSet. */
export function decodeSyncStateSet(body: Uint8Array | null): SyncStateSet {
  const path = 'SyncStateSet';
  const o = asObject(decodeJsonBody(body, path), path);
  return {
    syncStateSet: decodeIdList(o, 'syncStateSet', path),
    syncStateSetEpoch: readInteger(o, 'syncStateSetEpoch', path, 0),
  };
}

export function encodeSyncStateSet(set: SyncStateSet): Buffer {
  return encodeJsonBody({
    syncStateSet: sortedIds(set.syncStateSet),
    syncStateSetEpoch: set.syncStateSetEpoch,
  });
}

export function decodeBrokerMemberGroup(value: unknown, path: string): BrokerMemberGroup {
  const o = asObject(value, path);
  const brokerAddrs = readRecord(o, 'brokerAddrs', path, stringItem);
  for (const id of Object.keys(brokerAddrs)) {
    if (!/^\d+$/.test(id)) throw bodyError(`${path}.brokerAddrs`, `key "${id}" is not a broker id`);
  }
  return {
    cluster: readOptionalString(o, 'cluster', path) ?? '',
    brokerName: readString(o, 'brokerName', path),
    brokerAddrs,
  };
}

function brokerMemberGroupToJson(group: BrokerMemberGroup): JsonObject {
  return {
    brokerAddrs: sortedRecord(group.brokerAddrs, compareIds),
    brokerName: group.brokerName,
    cluster: group.cluster,
  };
}

/** Throws MqError E_BODY_MALFORMED when the body is not an ElectMasterResponseBody. */
export function decodeElectMasterResponseBody(body: Uint8Array | null): ElectMasterResponseBody {
  const path = 'ElectMasterResponseBody';
  const o = asObject(decodeJsonBody(body, path), path);
  const out: ElectMasterResponseBody = { syncStateSet: decodeIdList(o, 'syncStateSet', path) };
  const group = o['brokerMemberGroup'];
  if (group !== undefined && group !== null) {
    out.brokerMemberGroup = decodeBrokerMemberGroup(group, `${path}.brokerMemberGroup`);
  }
  return out;
}

export function encodeElectMasterResponseBody(body: ElectMasterResponseBody): Buffer {
  return encodeJsonBody({
    brokerMemberGroup:
      body.brokerMemberGroup === undefined
        ? undefined
        : brokerMemberGroupToJson(body.brokerMemberGroup),
    syncStateSet: sortedIds(body.syncStateSet),
  });
}

function decodeReplicaIdentity(value: unknown, path: string): ReplicaIdentity {
  const o = asObject(value, path);
  return {
    brokerName: readString(o, 'brokerName', path),
    brokerId: readInteger(o, 'brokerId', path),
    brokerAddress: readOptionalString(o, 'brokerAddress', path) ?? '',
    alive: readBoolean(o, 'alive', path, false),
  };
}

function replicaIdentityToJson(replica: ReplicaIdentity): JsonObject {
  return {
    alive: replica.alive,
    brokerAddress: replica.brokerAddress,
    brokerId: replica.brokerId,
    brokerName: replica.brokerName,
  };
}

function decodeReplicasInfo(value: unknown, path: string): ReplicasInfo {
  const o = asObject(value, path);
  const info: ReplicasInfo = {
    masterEpoch: readInteger(o, 'masterEpoch', path, 0),
    syncStateSetEpoch: readInteger(o, 'syncStateSetEpoch', path, 0),
    inSyncReplicas: readArray(o, 'inSyncReplicas', path, decodeReplicaIdentity),
    notInSyncReplicas: readArray(o, 'notInSyncReplicas', path, decodeReplicaIdentity),
  };
  const masterAddress = readOptionalString(o, 'masterAddress', path);
  if (masterAddress !== undefined) info.masterAddress = masterAddress;
  if (o['masterBrokerId'] !== undefined && o['masterBrokerId'] !== null) {
    info['masterBrokerId'] = readInteger(o, 'masterBrokerId', path);
  }
  return info;
}

function replicasInfoToJson(info: ReplicasInfo): JsonObject {
  return {
    inSyncReplicas: info.inSyncReplicas.map(replicaIdentityToJson),
    masterAddress: info.masterAddress,
    masterBrokerId: info['masterBrokerId'],
    masterEpoch: info.masterEpoch,
    notInSyncReplicas: info.notInSyncReplicas.map(replicaIdentityToJson),
    syncStateSetEpoch: info.syncStateSetEpoch,
  };
}

/** Throws MqError E_BODY_MALFORMED when the body is not a BrokerReplicasInfo. */
export function decodeBrokerReplicasInfo(body: Uint8Array | null): BrokerReplicasInfo {
  const path = 'BrokerReplicasInfo';
  const o = asObject(decodeJsonBody(body, path), path);
  return { replicasInfoTable: readRecord(o, 'replicasInfoTable', path, decodeReplicasInfo) };
}

export function encodeBrokerReplicasInfo(info: BrokerReplicasInfo): Buffer {
  return encodeJsonBody({
    replicasInfoTable: mapRecord(sortedRecord(info.replicasInfoTable), replicasInfoToJson),
  });
}

/** The CONTROLLER_GET_SYNC_STATE_DATA request body: a JSON list of brokerNames. */
export function decodeBrokerNameList(body: Uint8Array | null): string[] {
  return arrayOf(stringItem)(decodeJsonBody(body, 'brokerNames'), 'brokerNames');
}

export function encodeBrokerNameList(brokerNames: readonly string[]): Buffer {
  return encodeJsonBody([...brokerNames]);
}

function decodeEpochEntry(value: unknown, path: string): EpochEntry {
  const o = asObject(value, path);
  const rawEnd = o['endOffset'];
  const openEnd =
    rawEnd === undefined ||
    rawEnd === null ||
    (typeof rawEnd === 'number' && rawEnd > EPOCH_END_OPEN);
  return {
    epoch: readInteger(o, 'epoch', path),
    startOffset: readInteger(o, 'startOffset', path),
    endOffset: openEnd ? EPOCH_END_OPEN : readInteger(o, 'endOffset', path),
  };
}

function epochEntryToJson(entry: EpochEntry): JsonObject {
  return {
    endOffset: entry.endOffset >= EPOCH_END_OPEN ? JAVA_LONG_MAX : entry.endOffset,
    epoch: entry.epoch,
    startOffset: entry.startOffset,
  };
}

/** Throws MqError E_BODY_MALFORMED when the body is not an EpochEntryCache. */
export function decodeEpochEntryCache(body: Uint8Array | null): EpochEntryCache {
  const path = 'EpochEntryCache';
  const o = asObject(decodeJsonBody(body, path), path);
  return {
    clusterName: readOptionalString(o, 'clusterName', path) ?? '',
    brokerName: readString(o, 'brokerName', path),
    brokerId: readInteger(o, 'brokerId', path),
    epochList: readArray(o, 'epochList', path, decodeEpochEntry),
    maxOffset: readInteger(o, 'maxOffset', path, 0),
  };
}

export function encodeEpochEntryCache(cache: EpochEntryCache): Buffer {
  return encodeJsonBody({
    brokerId: cache.brokerId,
    brokerName: cache.brokerName,
    clusterName: cache.clusterName,
    epochList: cache.epochList.map(epochEntryToJson),
    maxOffset: cache.maxOffset,
  });
}
