// A client of the controller group (RocketMQ 5 controller mode, docs/controller.md "Wire"): it
// finds the ready leader by CONTROLLER_GET_METADATA_INFO on the configured addresses, sends
// requests there, and on CONTROLLER_NOT_LEADER or a failed connection looks for the leader again
// once. Shared by mqadmin and brokers in controller mode (controllerAddr).
//
// RocketMQ: broker/.../out/BrokerOuterAPI.java (getControllerMetaData, the leader lookup),
// tools/.../command/controller/*.

import { ErrorCode, MqError } from '../common/errors.js';
import {
  createRequest,
  type ExtFieldInput,
  GetMetaDataResponseHeader,
  type Logger,
  RemotingClient,
  type RemotingCommand,
  RequestCode,
  ResponseCode,
} from '../protocol/index.js';

export interface ControllerClientOptions {
  /** The controllers' remoting addresses ("host:port"), e.g. controllerAddr split on ";". */
  readonly addresses: readonly string[];
  readonly requestTimeoutMs?: number;
  readonly logger?: Logger;
}

export class ControllerClient {
  readonly addresses: readonly string[];
  readonly #timeoutMs: number;
  readonly #logger: Logger | undefined;
  readonly #clients = new Map<string, RemotingClient>();
  #leader: string | undefined;

  constructor(options: ControllerClientOptions) {
    this.addresses = [...options.addresses];
    this.#timeoutMs = options.requestTimeoutMs ?? 3000;
    this.#logger = options.logger;
  }

  /** Sends one request to `address` (any controller), without leader lookup. */
  invokeAt(
    address: string,
    code: number,
    ext: Readonly<Record<string, ExtFieldInput>> = {},
    body: Buffer | null = null,
  ): Promise<RemotingCommand> {
    let client = this.#clients.get(address);
    if (client === undefined) {
      client = new RemotingClient({
        address,
        connectTimeoutMs: Math.min(this.#timeoutMs, 1000),
        ...(this.#logger === undefined ? {} : { logger: this.#logger }),
      });
      this.#clients.set(address, client);
    }
    return client.invoke(createRequest(code, ext, body), this.#timeoutMs);
  }

  async metadata(address: string): Promise<GetMetaDataResponseHeader> {
    const response = await this.invokeAt(address, RequestCode.CONTROLLER_GET_METADATA_INFO);
    return GetMetaDataResponseHeader.decodeOrThrow(response.extFields);
  }

  /**
   * The ready leader's address, from the first controller that knows it.
   * @throws MqError E_REMOTE_ERROR when no controller names a leader.
   */
  async findLeader(): Promise<string> {
    let lastError: unknown;
    for (const address of this.addresses) {
      try {
        const meta = await this.metadata(address);
        const leader = meta.isLeader === true ? address : meta.controllerLeaderAddress;
        if (leader !== undefined) {
          this.#leader = leader;
          return leader;
        }
      } catch (error) {
        lastError = error;
      }
    }
    const why = lastError instanceof Error ? ` (${lastError.message})` : '';
    throw new MqError(
      ErrorCode.REMOTE_ERROR,
      `no controller leader known at ${this.addresses.join(';')}${why}`,
      { address: this.addresses.join(';') },
    );
  }

  /**
   * Sends a request to the leader; on CONTROLLER_NOT_LEADER or a connection failure, finds the
   * leader again and retries once. Returns the leader's response, whatever its code.
   */
  async invoke(
    code: number,
    ext: Readonly<Record<string, ExtFieldInput>> = {},
    body: Buffer | null = null,
  ): Promise<{ leader: string; response: RemotingCommand }> {
    for (let attempt = 0; ; attempt++) {
      const leader = this.#leader ?? (await this.findLeader());
      try {
        const response = await this.invokeAt(leader, code, ext, body);
        if (response.code !== ResponseCode.CONTROLLER_NOT_LEADER || attempt > 0) {
          return { leader, response };
        }
      } catch (error) {
        if (attempt > 0) throw error;
      }
      this.#leader = undefined;
    }
  }

  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((c) => c.close()));
  }
}
