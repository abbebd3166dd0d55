// A broker's requests to the controller (docs/controller.md, "A broker's conversation"): find the
// Raft leader among controllerAddr (CONTROLLER_GET_METADATA_INFO), send it every write and read,
// follow CONTROLLER_NOT_LEADER redirects (the leader's address rides in extFields), and send
// heartbeats to every controller. Each request tries at most MAX_ATTEMPTS leaders, then fails.
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
  GetMetaDataResponseHeader,
  GetNextBrokerIdRequestHeader,
  GetNextBrokerIdResponseHeader,
  GetReplicaInfoRequestHeader,
  GetReplicaInfoResponseHeader,
  type Logger,
  RegisterBrokerToControllerRequestHeader,
  RegisterBrokerToControllerResponseHeader,
  RemotingClient,
  type RemotingClientOptions,
  type RemotingCommand,
  RequestCode,
  ResponseCode,
  type SyncStateSet,
} from '../protocol/index.js';

const MAX_ATTEMPTS = 3;

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
  logger: Logger;
  outbound?: Pick<RemotingClientOptions, 'tls' | 'credentials'>;
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
  readonly #o: ControllerClientOptions;
  readonly #clients = new Map<string, RemotingClient>();
  #leader: string | undefined;

  constructor(options: ControllerClientOptions) {
    this.#o = options;
  }

  get leader(): string | undefined {
    return this.#leader;
  }

  #client(address: string): RemotingClient {
    let client = this.#clients.get(address);
    if (client === undefined) {
      client = new RemotingClient({
        address,
        logger: this.#o.logger,
        connectTimeoutMs: this.#o.timeoutMs,
        ...this.#o.outbound,
      });
      this.#clients.set(address, client);
    }
    return client;
  }

  /** Asks every controller who leads; the first that knows wins. */
  async #findLeader(): Promise<string> {
    const answers = await Promise.allSettled(
      this.#o.addresses.map(async (address) => {
        const response = await this.#client(address).invoke(
          createRequest(RequestCode.CONTROLLER_GET_METADATA_INFO),
          this.#o.timeoutMs,
        );
        if (response.code !== ResponseCode.SUCCESS) return undefined;
        const header = GetMetaDataResponseHeader.decodeOrThrow(response.extFields);
        return header.isLeader === true ? address : header.controllerLeaderAddress;
      }),
    );
    for (const answer of answers) {
      if (answer.status === 'fulfilled' && answer.value !== undefined) return answer.value;
    }
    throw new MqError(
      ErrorCode.REMOTE_ERROR,
      `No controller leader among ${this.#o.addresses.join(';')}`,
    );
  }

  /** Sends to the leader, following redirects; SUCCESS or a refusal the caller must handle. */
  async #toLeader(request: () => RemotingCommand): Promise<RemotingCommand> {
    let lastError: unknown;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        this.#leader ??= await this.#findLeader();
        const response = await this.#client(this.#leader).invoke(request(), this.#o.timeoutMs);
        if (response.code !== ResponseCode.CONTROLLER_NOT_LEADER) return response;
        this.#leader = response.extFields['controllerLeaderAddress'] || undefined;
        lastError = new ControllerRefusal('the request', response);
      } catch (error) {
        this.#leader = undefined;
        lastError = error;
      }
    }
    throw lastError;
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

  /**
   * BROKER_HEARTBEAT to every controller (a follower records it too), each waited for at most
   * `timeoutMs`; true if one took it.
   */
  async heartbeat(timeoutMs: number, header: BrokerHeartbeatRequestHeader): Promise<boolean> {
    const sent = await Promise.allSettled(
      this.#o.addresses.map((address) =>
        this.#client(address).invoke(
          createRequest(RequestCode.BROKER_HEARTBEAT, BrokerHeartbeatRequestHeader.encode(header)),
          Math.min(timeoutMs, this.#o.timeoutMs),
        ),
      ),
    );
    return sent.some((s) => s.status === 'fulfilled' && s.value.code === ResponseCode.SUCCESS);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#clients.values()].map((c) => c.close()));
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
