// The controller leader's decisions: from a decoded request, the replicated state and the
// liveness table, the answer to send and (for writes) the event to commit first. Pure: the host
// (namesrv/controller/) proposes the event through Raft and sends the reply only once the event
// was applied; an event that applied as a no-op (the state moved on) is answered as a failure.
//
// Checks follow RocketMQ's ReplicasInfoManager, with two deliberate differences: an ALTER is
// fenced (master, masterEpoch, syncStateSetEpoch) before anything else is looked at, and a new
// group accepts any id >= 1 (a configured brokerId is a preference, not only 1). Bounds on groups
// and replicas per group are checked here, never in apply.
//
// RocketMQ: controller/.../impl/manager/ReplicasInfoManager.java.

import {
  type BrokerReplicasInfo,
  encodeElectMasterResponseBody,
  encodeSyncStateSet,
  type ReplicaIdentity,
  type SyncStateSet,
} from '../../protocol/bodies/controller-bodies.js';
import type {
  AlterSyncStateSetRequestHeader,
  AlterSyncStateSetResponseHeader,
  ApplyBrokerIdRequestHeader,
  ApplyBrokerIdResponseHeader,
  ElectMasterRequestHeader,
  ElectMasterResponseHeader,
  GetNextBrokerIdRequestHeader,
  GetNextBrokerIdResponseHeader,
  GetReplicaInfoResponseHeader,
  RegisterBrokerToControllerRequestHeader,
  RegisterBrokerToControllerResponseHeader,
} from '../../protocol/headers/index.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { BrokerLiveTable } from './broker-live-table.js';
import { type ControllerEvent, ControllerEventType } from './controller-events.js';
import { electMaster, type UncleanLoss } from './elect-policy.js';
import type { GroupState, ReplicasState } from './replicas-state.js';

export interface ControllerSettings {
  readonly enableElectUncleanMaster: boolean;
  /** Most broker groups the controller keeps. */
  readonly maxBrokerGroups: number;
  /** Most replicas (broker ids) per group. */
  readonly maxReplicasPerGroup: number;
}

export interface Reply<H> {
  readonly code: number;
  readonly remark?: string;
  readonly header?: H;
  readonly body?: Uint8Array;
}

export interface Decision<H> {
  readonly reply: Reply<H>;
  /** Commit this first; answer `reply` once it applied, a failure if it applied as a no-op. */
  readonly event?: ControllerEvent;
  /** Set when an election chose a master outside the SyncStateSet. */
  readonly unclean?: UncleanLoss;
  /** Set when an election changed the master (or cleared it): notify the group's brokers. */
  readonly electedGroup?: string;
}

function fail<H>(code: number, remark: string): Decision<H> {
  return { reply: { code, remark } };
}

export const ElectTrigger = {
  /** A broker found no master after registering. */
  BROKER: 'BROKER',
  /** mqadmin electMaster (designateElect=true). */
  ADMIN: 'ADMIN',
  /** The leader's own scan found a dead master. */
  CONTROLLER: 'CONTROLLER',
} as const;
export type ElectTrigger = (typeof ElectTrigger)[keyof typeof ElectTrigger];

export function syncStateSetOf(group: GroupState): SyncStateSet {
  return { syncStateSet: [...group.syncStateSet], syncStateSetEpoch: group.syncStateSetEpoch };
}

export function memberAddresses(group: GroupState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, replica] of group.replicas) out[String(id)] = replica.address;
  return out;
}

export class ControllerDecisions {
  readonly #state: ReplicasState;
  readonly #live: BrokerLiveTable;
  readonly #settings: ControllerSettings;

  constructor(state: ReplicasState, live: BrokerLiveTable, settings: ControllerSettings) {
    this.#state = state;
    this.#live = live;
    this.#settings = settings;
  }

  #isAlive(group: GroupState, brokerId: number, nowMs: number): boolean {
    return this.#live.isAlive(group.brokerName, brokerId, nowMs);
  }

  getNextBrokerId(h: GetNextBrokerIdRequestHeader): Decision<GetNextBrokerIdResponseHeader> {
    const group = this.#state.group(h.brokerName);
    const ids = group === undefined ? [] : [...group.replicas.keys()];
    const nextBrokerId = ids.length === 0 ? 1 : Math.max(...ids) + 1;
    return {
      reply: {
        code: ResponseCode.SUCCESS,
        header: { clusterName: h.clusterName, brokerName: h.brokerName, nextBrokerId },
      },
    };
  }

  applyBrokerId(h: ApplyBrokerIdRequestHeader): Decision<ApplyBrokerIdResponseHeader> {
    const { brokerName, appliedBrokerId: brokerId, registerCheckCode } = h;
    if (brokerId < 1) {
      return fail(ResponseCode.CONTROLLER_BROKER_ID_INVALID, `broker id ${brokerId} is below 1`);
    }
    const group = this.#state.group(brokerName);
    if (group === undefined && this.#state.groupCount >= this.#settings.maxBrokerGroups) {
      return fail(
        ResponseCode.CONTROLLER_INVALID_REQUEST,
        `the controller already holds ${this.#state.groupCount} broker groups (controllerMaxBrokerGroups)`,
      );
    }
    const owner = group?.replicas.get(brokerId);
    if (owner !== undefined && owner.registerCheckCode !== registerCheckCode) {
      return fail(
        ResponseCode.CONTROLLER_BROKER_ID_INVALID,
        `broker id ${brokerId} of ${brokerName} belongs to ${owner.address}`,
      );
    }
    const header = { clusterName: h.clusterName, brokerName };
    if (owner !== undefined) return { reply: { code: ResponseCode.SUCCESS, header } };
    if (group !== undefined && group.replicas.size >= this.#settings.maxReplicasPerGroup) {
      return fail(
        ResponseCode.CONTROLLER_INVALID_REQUEST,
        `${brokerName} already has ${group.replicas.size} replicas (controllerMaxReplicasPerGroup)`,
      );
    }
    const brokerAddress = registerCheckCode.split(';')[0] ?? '';
    return {
      reply: { code: ResponseCode.SUCCESS, header },
      event: {
        type: ControllerEventType.APPLY_BROKER_ID,
        clusterName: h.clusterName,
        brokerName,
        brokerId,
        brokerAddress,
        registerCheckCode,
      },
    };
  }

  registerBroker(
    h: RegisterBrokerToControllerRequestHeader,
    nowMs: number,
  ): Decision<RegisterBrokerToControllerResponseHeader> {
    const group = this.#state.group(h.brokerName);
    if (group === undefined || !group.replicas.has(h.brokerId)) {
      return fail(
        ResponseCode.CONTROLLER_BROKER_NEED_TO_BE_REGISTERED,
        `broker id ${h.brokerId} of ${h.brokerName} has not applied for an id`,
      );
    }
    const header: RegisterBrokerToControllerResponseHeader = {
      clusterName: h.clusterName,
      brokerName: h.brokerName,
      ...this.#aliveMaster(group, nowMs),
    };
    const reply = {
      code: ResponseCode.SUCCESS,
      header,
      body: encodeSyncStateSet(syncStateSetOf(group)),
    };
    if (group.replicas.get(h.brokerId)?.address === h.brokerAddress) return { reply };
    return {
      reply,
      event: {
        type: ControllerEventType.UPDATE_BROKER_ADDRESS,
        brokerName: h.brokerName,
        brokerId: h.brokerId,
        brokerAddress: h.brokerAddress,
      },
    };
  }

  #aliveMaster(group: GroupState, nowMs: number): RegisterBrokerToControllerResponseHeader {
    const master = group.masterBrokerId;
    if (master === null || !this.#isAlive(group, master, nowMs)) return {};
    return {
      masterBrokerId: master,
      masterAddress: group.replicas.get(master)?.address ?? '',
      masterEpoch: group.masterEpoch,
      syncStateSetEpoch: group.syncStateSetEpoch,
    };
  }

  getReplicaInfo(brokerName: string): Decision<GetReplicaInfoResponseHeader> {
    const group = this.#state.group(brokerName);
    if (group === undefined) {
      return fail(ResponseCode.CONTROLLER_BROKER_METADATA_NOT_EXIST, `${brokerName} is unknown`);
    }
    const master = group.masterBrokerId;
    const header: GetReplicaInfoResponseHeader =
      master === null
        ? { masterEpoch: group.masterEpoch }
        : {
            masterBrokerId: master,
            masterAddress: group.replicas.get(master)?.address ?? '',
            masterEpoch: group.masterEpoch,
          };
    return {
      reply: {
        code: ResponseCode.SUCCESS,
        header,
        body: encodeSyncStateSet(syncStateSetOf(group)),
      },
    };
  }

  alterSyncStateSet(
    h: AlterSyncStateSetRequestHeader,
    proposed: SyncStateSet,
    nowMs: number,
  ): Decision<AlterSyncStateSetResponseHeader> {
    const group = this.#state.group(h.brokerName);
    if (group === undefined) {
      return fail(
        ResponseCode.CONTROLLER_ALTER_SYNC_STATE_SET_FAILED,
        `${h.brokerName} is unknown`,
      );
    }
    if (group.masterBrokerId !== h.masterBrokerId) {
      return fail(
        ResponseCode.CONTROLLER_INVALID_MASTER,
        `the master of ${h.brokerName} is ${group.masterBrokerId}, not ${h.masterBrokerId}`,
      );
    }
    if (group.masterEpoch !== h.masterEpoch) {
      return fail(
        ResponseCode.CONTROLLER_FENCED_MASTER_EPOCH,
        `masterEpoch is ${group.masterEpoch}, not ${h.masterEpoch}`,
      );
    }
    if (group.syncStateSetEpoch !== proposed.syncStateSetEpoch) {
      return fail(
        ResponseCode.CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH,
        `syncStateSetEpoch is ${group.syncStateSetEpoch}, not ${proposed.syncStateSetEpoch}`,
      );
    }
    const next = new Set(proposed.syncStateSet);
    const problem = this.#syncStateSetProblem(group, next, nowMs);
    if (problem !== null) return fail(problem.code, problem.remark);
    const newEpoch = group.syncStateSetEpoch + 1;
    return {
      reply: {
        code: ResponseCode.SUCCESS,
        header: { newSyncStateSetEpoch: newEpoch },
        body: encodeSyncStateSet({ syncStateSet: [...next], syncStateSetEpoch: newEpoch }),
      },
      event: {
        type: ControllerEventType.ALTER_SYNC_STATE_SET,
        brokerName: h.brokerName,
        masterBrokerId: h.masterBrokerId,
        expectedMasterEpoch: group.masterEpoch,
        expectedSyncStateSetEpoch: group.syncStateSetEpoch,
        syncStateSet: [...next].sort((a, b) => a - b),
      },
    };
  }

  #syncStateSetProblem(
    group: GroupState,
    next: ReadonlySet<number>,
    nowMs: number,
  ): { code: number; remark: string } | null {
    const failed = ResponseCode.CONTROLLER_ALTER_SYNC_STATE_SET_FAILED;
    if (
      next.size === group.syncStateSet.size &&
      [...next].every((id) => group.syncStateSet.has(id))
    ) {
      return { code: failed, remark: 'the SyncStateSet is unchanged' };
    }
    for (const id of next) {
      if (!group.replicas.has(id)) {
        return {
          code: ResponseCode.CONTROLLER_INVALID_REPLICAS,
          remark: `broker id ${id} is not a replica`,
        };
      }
      if (!this.#isAlive(group, id, nowMs)) {
        return {
          code: ResponseCode.CONTROLLER_BROKER_NOT_ALIVE,
          remark: `broker id ${id} is not alive`,
        };
      }
    }
    if (group.masterBrokerId === null || !next.has(group.masterBrokerId)) {
      return { code: failed, remark: 'the new SyncStateSet does not contain the master' };
    }
    return null;
  }

  electMaster(
    h: ElectMasterRequestHeader,
    trigger: ElectTrigger,
    nowMs: number,
  ): Decision<ElectMasterResponseHeader> {
    const group = this.#state.group(h.brokerName);
    const requester = h.brokerId ?? null;
    if (group === undefined || (requester !== null && !group.replicas.has(requester))) {
      return fail(
        ResponseCode.CONTROLLER_BROKER_NEED_TO_BE_REGISTERED,
        `${h.brokerName}${requester === null ? '' : ` broker id ${requester}`} is not registered`,
      );
    }
    // The first election of a group picks the broker that asked (RocketMQ isFirstTimeForElect).
    if (group.masterEpoch === 0 && requester !== null && trigger === ElectTrigger.BROKER) {
      return this.#elected(group, requester, null);
    }
    const outcome = electMaster({
      group,
      live: this.#live,
      nowMs,
      enableElectUncleanMaster: this.#settings.enableElectUncleanMaster,
      designatedBrokerId: trigger === ElectTrigger.ADMIN ? requester : null,
    });
    if (outcome.kind === 'ELECTED') return this.#elected(group, outcome.brokerId, outcome.unclean);
    if (outcome.kind === 'STILL_MASTER') {
      return {
        reply: {
          code: ResponseCode.CONTROLLER_MASTER_STILL_EXIST,
          remark: `broker ${outcome.brokerId} is still the alive master of ${group.brokerName}`,
          header: this.#masterHeader(group, outcome.brokerId, 0),
          body: encodeElectMasterResponseBody({ syncStateSet: [...group.syncStateSet] }),
        },
      };
    }
    if (trigger !== ElectTrigger.CONTROLLER || group.masterBrokerId === null) {
      return fail(ResponseCode.CONTROLLER_ELECT_MASTER_FAILED, outcome.why);
    }
    // The master is dead and nobody can take over: clear it, so its epoch is superseded.
    return {
      reply: { code: ResponseCode.CONTROLLER_MASTER_NOT_AVAILABLE, remark: outcome.why },
      event: {
        type: ControllerEventType.ELECT_MASTER,
        brokerName: group.brokerName,
        newMasterBrokerId: null,
        expectedMasterEpoch: group.masterEpoch,
      },
      electedGroup: group.brokerName,
    };
  }

  #masterHeader(group: GroupState, master: number, bump: number): ElectMasterResponseHeader {
    return {
      masterBrokerId: master,
      masterAddress: group.replicas.get(master)?.address ?? '',
      masterEpoch: group.masterEpoch + bump,
      syncStateSetEpoch: group.syncStateSetEpoch + bump,
    };
  }

  #elected(
    group: GroupState,
    master: number,
    unclean: UncleanLoss | null,
  ): Decision<ElectMasterResponseHeader> {
    const remark =
      unclean === null
        ? undefined
        : `unclean election: broker ${master} was not in the SyncStateSet; up to ${unclean.lossBytesAtMost} acknowledged bytes may be lost (old master confirmed ${unclean.oldMasterConfirmOffset}, elected maxOffset ${unclean.electedMaxOffset})`;
    return {
      reply: {
        code: ResponseCode.SUCCESS,
        ...(remark === undefined ? {} : { remark }),
        header: this.#masterHeader(group, master, 1),
        body: encodeElectMasterResponseBody({
          brokerMemberGroup: {
            cluster: group.clusterName,
            brokerName: group.brokerName,
            brokerAddrs: memberAddresses(group),
          },
          syncStateSet: [master],
        }),
      },
      event: {
        type: ControllerEventType.ELECT_MASTER,
        brokerName: group.brokerName,
        newMasterBrokerId: master,
        expectedMasterEpoch: group.masterEpoch,
      },
      ...(unclean === null ? {} : { unclean }),
      electedGroup: group.brokerName,
    };
  }

  /** Groups whose master is dead (or absent after a failed election) while a replica lives. */
  groupsToReelect(nowMs: number): string[] {
    const out: string[] = [];
    for (const group of this.#state.groups()) {
      const master = group.masterBrokerId;
      if (group.masterEpoch === 0) continue;
      if (master !== null && this.#isAlive(group, master, nowMs)) continue;
      const anyAlive = [...group.replicas.keys()].some((id) => this.#isAlive(group, id, nowMs));
      if (!anyAlive) continue;
      if (master === null && !this.#hasCandidate(group, nowMs)) continue;
      out.push(group.brokerName);
    }
    return out;
  }

  #hasCandidate(group: GroupState, nowMs: number): boolean {
    const outcome = electMaster({
      group,
      live: this.#live,
      nowMs,
      enableElectUncleanMaster: this.#settings.enableElectUncleanMaster,
      designatedBrokerId: null,
    });
    return outcome.kind === 'ELECTED';
  }

  /** CONTROLLER_GET_SYNC_STATE_DATA: the groups asked for that exist. */
  syncStateData(brokerNames: readonly string[], nowMs: number): BrokerReplicasInfo {
    const table: BrokerReplicasInfo['replicasInfoTable'] = {};
    for (const brokerName of brokerNames) {
      const group = this.#state.group(brokerName);
      if (group === undefined) continue;
      const inSync: ReplicaIdentity[] = [];
      const notInSync: ReplicaIdentity[] = [];
      for (const [brokerId, replica] of group.replicas) {
        const identity = {
          brokerName,
          brokerId,
          brokerAddress: replica.address,
          alive: this.#isAlive(group, brokerId, nowMs),
        };
        (group.syncStateSet.has(brokerId) ? inSync : notInSync).push(identity);
      }
      const master = group.masterBrokerId;
      Object.defineProperty(table, brokerName, {
        value: {
          ...(master === null
            ? {}
            : { masterBrokerId: master, masterAddress: group.replicas.get(master)?.address ?? '' }),
          masterEpoch: group.masterEpoch,
          syncStateSetEpoch: group.syncStateSetEpoch,
          inSyncReplicas: inSync,
          notInSyncReplicas: notInSync,
        },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return { replicasInfoTable: table };
  }
}
