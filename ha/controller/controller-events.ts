// The controller's Raft log entries: every change of the replicated controller state is one event,
// decided by the Raft leader and applied by every controller when committed (replicas-state.ts).
// Events that depend on the state they were decided from carry the epochs they expect, so applying
// a stale event (decided by a deposed leader) changes nothing: the log stays deterministic.
//
// RocketMQ: controller/.../impl/event/*Event.java (ApplyBrokerIdEvent, UpdateBrokerAddressEvent,
// ElectMasterEvent, AlterSyncStateSetEvent); they are JSON with a type prefix there as here.
//
// Pure: no node:*, timers or Date; bytes via TextEncoder/TextDecoder.

import { ErrorCode, MqError } from '../../common/errors.js';

export const ControllerEventType = {
  /** A broker took an id in a group (creates the group on its first id). */
  APPLY_BROKER_ID: 'APPLY_BROKER_ID',
  /** A registered replica came back with another address. */
  UPDATE_BROKER_ADDRESS: 'UPDATE_BROKER_ADDRESS',
  /** A new master (or none: newMasterBrokerId null fences the old one); bumps the epochs. */
  ELECT_MASTER: 'ELECT_MASTER',
  /** The master changed the SyncStateSet; bumps syncStateSetEpoch. */
  ALTER_SYNC_STATE_SET: 'ALTER_SYNC_STATE_SET',
  /** A controller became Raft leader; records its remoting address for GET_METADATA. */
  LEADER_ANNOUNCE: 'LEADER_ANNOUNCE',
} as const;
export type ControllerEventType = (typeof ControllerEventType)[keyof typeof ControllerEventType];

export interface ApplyBrokerIdEvent {
  readonly type: typeof ControllerEventType.APPLY_BROKER_ID;
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerAddress: string;
  readonly registerCheckCode: string;
}

export interface UpdateBrokerAddressEvent {
  readonly type: typeof ControllerEventType.UPDATE_BROKER_ADDRESS;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerAddress: string;
}

export interface ElectMasterEvent {
  readonly type: typeof ControllerEventType.ELECT_MASTER;
  readonly brokerName: string;
  /** null: no candidate; the master is cleared and its epoch superseded. */
  readonly newMasterBrokerId: number | null;
  /** The masterEpoch the decision was made at; applied only if it still holds. */
  readonly expectedMasterEpoch: number;
}

export interface AlterSyncStateSetEvent {
  readonly type: typeof ControllerEventType.ALTER_SYNC_STATE_SET;
  readonly brokerName: string;
  readonly masterBrokerId: number;
  readonly expectedMasterEpoch: number;
  readonly expectedSyncStateSetEpoch: number;
  readonly syncStateSet: readonly number[];
}

export interface LeaderAnnounceEvent {
  readonly type: typeof ControllerEventType.LEADER_ANNOUNCE;
  readonly controllerId: string;
  /** "host:port" brokers and tools send controller requests to. */
  readonly address: string;
}

export type ControllerEvent =
  | ApplyBrokerIdEvent
  | UpdateBrokerAddressEvent
  | ElectMasterEvent
  | AlterSyncStateSetEvent
  | LeaderAnnounceEvent;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeControllerEvent(event: ControllerEvent): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

function corrupt(index: number, why: string): MqError {
  return new MqError(ErrorCode.CORRUPT_RECORD, `controller log entry ${index}: ${why}`, { index });
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** Field checks per event type: a committed entry that fails them is corruption, not input. */
const FIELD_CHECKS: Readonly<
  Record<ControllerEventType, Readonly<Record<string, (v: unknown) => boolean>>>
> = {
  APPLY_BROKER_ID: {
    clusterName: isString,
    brokerName: isString,
    brokerId: isId,
    brokerAddress: isString,
    registerCheckCode: isString,
  },
  UPDATE_BROKER_ADDRESS: { brokerName: isString, brokerId: isId, brokerAddress: isString },
  ELECT_MASTER: {
    brokerName: isString,
    newMasterBrokerId: (v) => v === null || isId(v),
    expectedMasterEpoch: isId,
  },
  ALTER_SYNC_STATE_SET: {
    brokerName: isString,
    masterBrokerId: isId,
    expectedMasterEpoch: isId,
    expectedSyncStateSetEpoch: isId,
    syncStateSet: (v) => Array.isArray(v) && v.every(isId),
  },
  LEADER_ANNOUNCE: { controllerId: isString, address: isString },
};

/** @throws MqError E_CORRUPT_RECORD when the entry is not a controller event. */
export function decodeControllerEvent(data: Uint8Array, index: number): ControllerEvent {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    throw corrupt(index, 'not a JSON event');
  }
  if (typeof value !== 'object' || value === null) throw corrupt(index, 'not an object');
  const record = value as Record<string, unknown>;
  const type = record['type'];
  if (typeof type !== 'string' || !Object.hasOwn(FIELD_CHECKS, type)) {
    throw corrupt(index, `unknown event type ${JSON.stringify(type)}`);
  }
  for (const [name, check] of Object.entries(FIELD_CHECKS[type as ControllerEventType])) {
    if (!check(record[name])) throw corrupt(index, `${type}.${name} is missing or invalid`);
  }
  return value as ControllerEvent;
}
