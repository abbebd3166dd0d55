// A broker's requests to the controller (docs/controller.md, "A broker's conversation"), typed:
// the shared controller transport (server/controller-client.ts) finds the Raft leader among
// controllerAddr and follows CONTROLLER_NOT_LEADER; heartbeats go to every controller.
//
// RocketMQ: broker/.../out/BrokerOuterAPI.java (getControllerMetaData, registerBrokerToController,
// getReplicaInfo, alterSyncStateSet, brokerElect, sendHeartbeatToController, getNextBrokerId,
// applyBrokerId), broker/.../controller/ReplicasManager.java (the leader lookup).

import { ErrorCode, MqError } from '../common/errors.js';
import {
  AlterSyncStateSetRequestHeader,
  AlterSyncStateSetResponseHeader,
  ApplyBrokerIdRequestHeader,
  BrokerHeartbeatRequestHeader,
  createRequest,
  decodeElectMasterResponseBody,
  decodeSyncStateSet,
  ElectMasterRequestHeader,
  ElectMasterResponseHeader,
  encodeSyncStateSet,
  GetNextBrokerIdRequestHeader,
  GetNextBrokerIdResponseHeader,
  GetReplicaInfoRequestHeader,
  GetReplicaInfoResponseHeader,
  type Logger,
  RegisterBrokerToControllerRequestHeader,
  RegisterBrokerToControllerResponseHeader,
  type RemotingCommand,
  RequestCode,
  ResponseCode,
  type SyncStateSet,
} from '../protocol/index.js';
import { ControllerClient as ControllerTransport } from '../server/controller-client.js';

/** What the controller says about a group's master (register, get replica info, elect, notify). */
export interface MasterInfo {
  masterBrokerId: number | undefined;
  masterAddress: string | undefined;
  masterEpoch: number;
  syncStateSet: SyncStateSet | undefined;
}

export interface ControllerClientOptions {
  addresses: readonly string[];
  timeoutMs: number;
  heartbeatTimeoutMs: number;
  logger: Logger;
}

/** A controller answer other than SUCCESS (its code tells the caller what happened). */
export class ControllerRefusal extends MqError {
  readonly responseCode: number;
  constructor(what: string, response: RemotingCommand) {
    super(
      ErrorCode.REMOTE_ERROR,
      `${what} refused by the controller with code ${response.code}: ${response.remark ?? ''}`,
    );
    this.responseCode = response.code;
  }
}

export class ControllerClient {
  readonly #rpc: ControllerTransport;
  /** Heartbeats wait less than the other requests (at most controllerHeartBeatTimeoutMills). */
  readonly #beats: ControllerTransport;
  #leader: string | undefined;

  constructor(options: ControllerClientOptions) {
    const shared = { addresses: options.addresses, logger: options.logger };
    this.#rpc = new ControllerTransport({ ...shared, requestTimeoutMs: options.timeoutMs });
    this.#beats = new ControllerTransport({
      ...shared,
      requestTimeoutMs: options.heartbeatTimeoutMs,
    });
  }

  get leader(): string | undefined {
    return this.#leader;
  }

  /** Sends to the leader (the shared transport follows one redirect); SUCCESS or a refusal. */
  async #toLeader(request: () => RemotingCommand): Promise<RemotingCommand> {
    const r = request();
    const { leader, response } = await this.#rpc.invoke(r.code, r.extFields, r.body);
    this.#leader = leader;
    return response;
  }

  async #expect(what: string, request: () => RemotingCommand): Promise<RemotingCommand> {
    const response = await this.#toLeader(request);
    if (response.code !== ResponseCode.SUCCESS) throw new ControllerRefusal(what, response);
    return response;
  }

  async getNextBrokerId(clusterName: string, brokerName: string): Promise<number> {
    const response = await this.#expect('GET_NEXT_BROKER_ID', () =>
      createRequest(
        RequestCode.CONTROLLER_GET_NEXT_BROKER_ID,
        GetNextBrokerIdRequestHeader.encode({ clusterName, brokerName }),
      ),
    );
    return required(
      GetNextBrokerIdResponseHeader.decodeOrThrow(response.extFields).nextBrokerId,
      'GET_NEXT_BROKER_ID answered without nextBrokerId',
    );
  }

  async applyBrokerId(
    clusterName: string,
    brokerName: string,
    appliedBrokerId: number,
    registerCheckCode: string,
  ): Promise<void> {
    await this.#expect('APPLY_BROKER_ID', () =>
      createRequest(
        RequestCode.CONTROLLER_APPLY_BROKER_ID,
        ApplyBrokerIdRequestHeader.encode({
          clusterName,
          brokerName,
          appliedBrokerId,
          registerCheckCode,
        }),
      ),
    );
  }

  async register(
    clusterName: string,
    brokerName: string,
    brokerId: number,
    brokerAddress: string,
  ): Promise<MasterInfo> {
    const response = await this.#expect('REGISTER_BROKER', () =>
      createRequest(
        RequestCode.CONTROLLER_REGISTER_BROKER,
        RegisterBrokerToControllerRequestHeader.encode({
          clusterName,
          brokerName,
          brokerId,
          brokerAddress,
        }),
      ),
    );
    const h = RegisterBrokerToControllerResponseHeader.decodeOrThrow(response.extFields);
    return {
      masterBrokerId: h.masterBrokerId,
      masterAddress: h.masterAddress,
      masterEpoch: h.masterEpoch ?? 0,
      syncStateSet: optionalSyncStateSet(response.body),
    };
  }

  async getReplicaInfo(brokerName: string): Promise<MasterInfo> {
    const response = await this.#expect('GET_REPLICA_INFO', () =>
      createRequest(
        RequestCode.CONTROLLER_GET_REPLICA_INFO,
        GetReplicaInfoRequestHeader.encode({ brokerName }),
      ),
    );
    const h = GetReplicaInfoResponseHeader.decodeOrThrow(response.extFields);
    return {
      masterBrokerId: h.masterBrokerId,
      masterAddress: h.masterAddress,
      masterEpoch: h.masterEpoch ?? 0,
      syncStateSet: optionalSyncStateSet(response.body),
    };
  }

  /** ELECT_MASTER for this broker's group; MASTER_STILL_EXIST also names the master. */
  async electMaster(
    clusterName: string,
    brokerName: string,
    brokerId: number,
  ): Promise<MasterInfo> {
    const response = await this.#toLeader(() =>
      createRequest(
        RequestCode.CONTROLLER_ELECT_MASTER,
        ElectMasterRequestHeader.encode({
          clusterName,
          brokerName,
          brokerId,
          designateElect: false,
        }),
      ),
    );
    if (
      response.code !== ResponseCode.SUCCESS &&
      response.code !== ResponseCode.CONTROLLER_MASTER_STILL_EXIST
    )
      throw new ControllerRefusal('ELECT_MASTER', response);
    const h = ElectMasterResponseHeader.decodeOrThrow(response.extFields);
    const body =
      response.body === null || response.body.byteLength === 0
        ? undefined
        : decodeElectMasterResponseBody(response.body);
    return {
      masterBrokerId: h.masterBrokerId,
      masterAddress: h.masterAddress,
      masterEpoch: h.masterEpoch ?? 0,
      syncStateSet:
        h.syncStateSetEpoch === undefined || body === undefined
          ? undefined
          : { syncStateSet: body.syncStateSet, syncStateSetEpoch: h.syncStateSetEpoch },
    };
  }

  /** ALTER_SYNC_STATE_SET; resolves with the new SyncStateSet epoch. */
  async alterSyncStateSet(
    brokerName: string,
    masterBrokerId: number,
    masterEpoch: number,
    set: SyncStateSet,
  ): Promise<number> {
    const response = await this.#expect('ALTER_SYNC_STATE_SET', () =>
      createRequest(
        RequestCode.CONTROLLER_ALTER_SYNC_STATE_SET,
        AlterSyncStateSetRequestHeader.encode({ brokerName, masterBrokerId, masterEpoch }),
        encodeSyncStateSet(set),
      ),
    );
    return required(
      AlterSyncStateSetResponseHeader.decodeOrThrow(response.extFields).newSyncStateSetEpoch,
      'ALTER_SYNC_STATE_SET answered without newSyncStateSetEpoch',
    );
  }

  /** BROKER_HEARTBEAT to every controller (a follower records it too); true if one took it. */
  async heartbeat(header: BrokerHeartbeatRequestHeader): Promise<boolean> {
    const sent = await Promise.allSettled(
      this.#beats.addresses.map((address) =>
        this.#beats.invokeAt(
          address,
          RequestCode.BROKER_HEARTBEAT,
          BrokerHeartbeatRequestHeader.encode(header),
        ),
      ),
    );
    return sent.some((s) => s.status === 'fulfilled' && s.value.code === ResponseCode.SUCCESS);
  }

  async close(): Promise<void> {
    await Promise.all([this.#rpc.close(), this.#beats.close()]);
  }
}

function required(value: number | undefined, problem: string): number {
  if (value === undefined) throw new MqError(ErrorCode.REMOTE_ERROR, problem);
  return value;
}

function optionalSyncStateSet(body: Uint8Array | null): SyncStateSet | undefined {
  if (body === null || body.byteLength === 0) return undefined;
  return decodeSyncStateSet(body);
}
