// The replicated controller state: per broker group (brokerName) its replicas, master, epochs and
// SyncStateSet, plus the remoting address of each controller that has led. Changed only by
// apply(event) on committed Raft entries, in log order, identically on every controller; reads
// are for the leader's decisions and for answers.
//
// apply is deterministic and never consults config, time or liveness: bounds and liveness are
// checked when the leader decides (controller-decisions.ts), so controllers with different
// configs still hold identical state. Events that expect an epoch are no-ops once it moved on.
//
// RocketMQ: controller/.../impl/manager/ReplicasInfoManager.java (applyEvent and handlers),
// BrokerReplicaInfo.java, SyncStateInfo.java.

import { unreachable } from '../../common/assert.js';
import {
  type AlterSyncStateSetEvent,
  type ApplyBrokerIdEvent,
  type ControllerEvent,
  ControllerEventType,
  type ElectMasterEvent,
} from './controller-events.js';

export interface ReplicaInfo {
  readonly brokerId: number;
  address: string;
  readonly registerCheckCode: string;
}

export interface GroupState {
  readonly clusterName: string;
  readonly brokerName: string;
  /** brokerId to replica, in id order of registration. */
  readonly replicas: Map<number, ReplicaInfo>;
  masterBrokerId: number | null;
  /** 0 until the first election; every election (even one that finds no master) adds 1. */
  masterEpoch: number;
  syncStateSet: ReadonlySet<number>;
  syncStateSetEpoch: number;
}

/** What applying one event did; `applied: false` says why nothing changed. */
export type ApplyResult = { readonly applied: true } | { readonly applied: false; reason: string };

const APPLIED: ApplyResult = { applied: true };

function skipped(reason: string): ApplyResult {
  return { applied: false, reason };
}

export class ReplicasState {
  readonly #groups = new Map<string, GroupState>();
  /** controller id to its remoting address (announced when it became leader). */
  readonly #controllerAddresses = new Map<string, string>();

  group(brokerName: string): GroupState | undefined {
    return this.#groups.get(brokerName);
  }

  get groupCount(): number {
    return this.#groups.size;
  }

  groups(): IterableIterator<GroupState> {
    return this.#groups.values();
  }

  controllerAddress(controllerId: string): string | undefined {
    return this.#controllerAddresses.get(controllerId);
  }

  apply(event: ControllerEvent): ApplyResult {
    switch (event.type) {
      case ControllerEventType.APPLY_BROKER_ID:
        return this.#applyBrokerId(event);
      case ControllerEventType.UPDATE_BROKER_ADDRESS: {
        const replica = this.#groups.get(event.brokerName)?.replicas.get(event.brokerId);
        if (replica === undefined) return skipped('the replica is not registered');
        replica.address = event.brokerAddress;
        return APPLIED;
      }
      case ControllerEventType.ELECT_MASTER:
        return this.#electMaster(event);
      case ControllerEventType.ALTER_SYNC_STATE_SET:
        return this.#alterSyncStateSet(event);
      case ControllerEventType.LEADER_ANNOUNCE:
        this.#controllerAddresses.set(event.controllerId, event.address);
        return APPLIED;
      default:
        return unreachable(event, 'controller event');
    }
  }

  #applyBrokerId(event: ApplyBrokerIdEvent): ApplyResult {
    let group = this.#groups.get(event.brokerName);
    if (group === undefined) {
      group = {
        clusterName: event.clusterName,
        brokerName: event.brokerName,
        replicas: new Map(),
        masterBrokerId: null,
        masterEpoch: 0,
        syncStateSet: new Set(),
        syncStateSetEpoch: 0,
      };
      this.#groups.set(event.brokerName, group);
    }
    const existing = group.replicas.get(event.brokerId);
    if (existing !== undefined) {
      return existing.registerCheckCode === event.registerCheckCode
        ? APPLIED
        : skipped(`broker id ${event.brokerId} belongs to another broker`);
    }
    group.replicas.set(event.brokerId, {
      brokerId: event.brokerId,
      address: event.brokerAddress,
      registerCheckCode: event.registerCheckCode,
    });
    return APPLIED;
  }

  #electMaster(event: ElectMasterEvent): ApplyResult {
    const group = this.#groups.get(event.brokerName);
    if (group === undefined) return skipped('the group is not registered');
    if (group.masterEpoch !== event.expectedMasterEpoch) {
      return skipped(`masterEpoch is ${group.masterEpoch}, not ${event.expectedMasterEpoch}`);
    }
    const newMaster = event.newMasterBrokerId;
    if (newMaster !== null && !group.replicas.has(newMaster)) {
      return skipped(`broker id ${newMaster} is not a replica of the group`);
    }
    group.masterEpoch += 1;
    group.masterBrokerId = newMaster;
    if (newMaster !== null) {
      group.syncStateSet = new Set([newMaster]);
      group.syncStateSetEpoch += 1;
    }
    return APPLIED;
  }

  #alterSyncStateSet(event: AlterSyncStateSetEvent): ApplyResult {
    const group = this.#groups.get(event.brokerName);
    if (group === undefined) return skipped('the group is not registered');
    if (
      group.masterBrokerId !== event.masterBrokerId ||
      group.masterEpoch !== event.expectedMasterEpoch ||
      group.syncStateSetEpoch !== event.expectedSyncStateSetEpoch
    ) {
      return skipped('the master or an epoch changed since the decision');
    }
    group.syncStateSet = new Set(event.syncStateSet);
    group.syncStateSetEpoch += 1;
    return APPLIED;
  }
}
