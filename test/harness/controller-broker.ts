// A stand-in broker for controller tests: it speaks only RocketMQ 5's controller requests, built
// by hand from protocol/ (get next id, apply id, register, elect, alter SyncStateSet, heartbeat),
// and listens on 127.0.0.1 for NOTIFY_BROKER_ROLE_CHANGED, recording each one. It finds the
// controller leader the way a broker does: CONTROLLER_GET_METADATA_INFO on every address.

import {
  createRequest,
  decodeSyncStateSet,
  type ExtFieldInput,
  encodeSyncStateSet,
  GetMetaDataResponseHeader,
  NotifyBrokerRoleChangedRequestHeader,
  RemotingClient,
  type RemotingCommand,
  RemotingServer,
  RequestCode,
  ResponseCode,
  type SyncStateSet,
} from '../../protocol/index.js';

export interface RoleNotification {
  readonly masterBrokerId: number | undefined;
  readonly masterAddress: string | undefined;
  readonly masterEpoch: number | undefined;
  readonly syncStateSet: SyncStateSet;
  readonly atMs: number;
}

export class ControllerBroker {
  readonly brokerName: string;
  readonly notifications: RoleNotification[] = [];
  readonly #server = new RemotingServer();
  readonly #clients = new Map<string, RemotingClient>();
  #controllers: string[];
  #heartbeat: NodeJS.Timeout | undefined;
  address = '';
  brokerId = -1;
  maxOffset = 0;

  constructor(brokerName: string, controllers: readonly string[]) {
    this.brokerName = brokerName;
    this.#controllers = [...controllers];
    this.#server.registerProcessor(RequestCode.NOTIFY_BROKER_ROLE_CHANGED, (request) => {
      const h = NotifyBrokerRoleChangedRequestHeader.decodeOrThrow(request.extFields);
      this.notifications.push({
        masterBrokerId: h.masterBrokerId,
        masterAddress: h.masterAddress,
        masterEpoch: h.masterEpoch,
        syncStateSet: decodeSyncStateSet(request.body),
        atMs: performance.now(),
      });
      return null;
    });
  }

  async listen(): Promise<void> {
    const bound = await this.#server.listen({ host: '127.0.0.1', port: 0 });
    this.address = `127.0.0.1:${bound.port}`;
  }

  set controllers(addresses: readonly string[]) {
    this.#controllers = [...addresses];
  }

  #client(address: string): RemotingClient {
    let client = this.#clients.get(address);
    if (client === undefined) {
      client = new RemotingClient({ address, connectTimeoutMs: 1000 });
      this.#clients.set(address, client);
    }
    return client;
  }

  invokeAt(
    address: string,
    code: number,
    ext: Readonly<Record<string, ExtFieldInput>> = {},
    body: Buffer | null = null,
  ): Promise<RemotingCommand> {
    return this.#client(address).invoke(createRequest(code, ext, body), 3000);
  }

  /** The controller that says it is the ready leader, or undefined. */
  async leader(): Promise<string | undefined> {
    for (const address of this.#controllers) {
      try {
        const response = await this.invokeAt(address, RequestCode.CONTROLLER_GET_METADATA_INFO);
        if (GetMetaDataResponseHeader.decodeOrThrow(response.extFields).isLeader) return address;
      } catch {
        // a dead controller: try the next one
      }
    }
    return undefined;
  }

  async invoke(
    code: number,
    ext: Readonly<Record<string, ExtFieldInput>> = {},
    body: Buffer | null = null,
  ): Promise<RemotingCommand> {
    const leader = await this.leader();
    if (leader === undefined) throw new Error('no controller leader');
    return this.invokeAt(leader, code, ext, body);
  }

  /** GET_NEXT_BROKER_ID, APPLY_BROKER_ID, REGISTER_BROKER; returns the REGISTER response. */
  async register(): Promise<RemotingCommand> {
    const names = { clusterName: 'DefaultCluster', brokerName: this.brokerName };
    const next = await this.invoke(RequestCode.CONTROLLER_GET_NEXT_BROKER_ID, names);
    if (next.code !== ResponseCode.SUCCESS) throw new Error(`next id: ${next.remark}`);
    this.brokerId = Number(next.extFields['nextBrokerId']);
    const applied = await this.invoke(RequestCode.CONTROLLER_APPLY_BROKER_ID, {
      ...names,
      appliedBrokerId: this.brokerId,
      registerCheckCode: `${this.address};${Date.now()}`,
    });
    if (applied.code !== ResponseCode.SUCCESS) throw new Error(`apply id: ${applied.remark}`);
    return this.invoke(RequestCode.CONTROLLER_REGISTER_BROKER, {
      ...names,
      brokerId: this.brokerId,
      brokerAddress: this.address,
    });
  }

  electSelf(): Promise<RemotingCommand> {
    return this.invoke(RequestCode.CONTROLLER_ELECT_MASTER, {
      clusterName: 'DefaultCluster',
      brokerName: this.brokerName,
      brokerId: this.brokerId,
      designateElect: false,
    });
  }

  alterSyncStateSet(masterEpoch: number, set: SyncStateSet): Promise<RemotingCommand> {
    return this.invoke(
      RequestCode.CONTROLLER_ALTER_SYNC_STATE_SET,
      { brokerName: this.brokerName, masterBrokerId: this.brokerId, masterEpoch },
      encodeSyncStateSet(set),
    );
  }

  /** Heartbeats every controller every `intervalMs` (errors ignored: a controller may be dead). */
  startHeartbeats(intervalMs: number, timeoutMs: number): void {
    const beat = () => {
      for (const address of this.#controllers) {
        this.invokeAt(address, RequestCode.BROKER_HEARTBEAT, {
          clusterName: 'DefaultCluster',
          brokerName: this.brokerName,
          brokerAddr: this.address,
          brokerId: this.brokerId,
          epoch: 1,
          maxOffset: this.maxOffset,
          confirmOffset: this.maxOffset,
          heartbeatTimeoutMills: timeoutMs,
        }).catch(() => undefined);
      }
    };
    beat();
    this.#heartbeat = setInterval(beat, intervalMs);
  }

  stopHeartbeats(): void {
    clearInterval(this.#heartbeat);
  }

  async close(): Promise<void> {
    this.stopHeartbeats();
    await Promise.all([...this.#clients.values()].map((c) => c.close()));
    await this.#server.close();
  }
}
