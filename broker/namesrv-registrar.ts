// The broker's side of the NameServers: it registers (its address, HA address and topics) with
// every NameServer in parallel, at start, every registerNameServerPeriod and whenever its topics
// change, and unregisters at shutdown. A slave learns its master's address and HA address from
// the answers: the first answer that carries them wins.
//
// RocketMQ: broker/.../out/BrokerOuterAPI.java (registerBrokerAll, unregisterBrokerAll,
// needRegister / QUERY_DATA_VERSION), BrokerController.registerBrokerAll and doRegisterBrokerAll.
//
// Registrations never overlap: a request made while one is running is folded into one more round
// after it, so a burst of topic creations costs at most two rounds.

import { assert } from '../common/assert.js';
import { ErrorCode, MqError } from '../common/errors.js';
import {
  createRequest,
  encodeJsonBody,
  encodeRegisterBrokerBody,
  type Logger,
  QueryDataVersionResponseHeader,
  RegisterBrokerResponseHeader,
  RemotingClient,
  type RemotingClientOptions,
  RequestCode,
  ResponseCode,
  registerBrokerBodyCrc32,
} from '../protocol/index.js';
import type { TopicConfigWrapper } from './topic-config-manager.js';

export interface BrokerIdentity {
  clusterName: string;
  brokerName: string;
  brokerAddr: string;
  brokerId: number;
  haServerAddr: string;
}

/** What a slave learns from registering: its master's addresses. */
export interface MasterAddresses {
  masterAddr: string;
  haServerAddr: string;
}

export interface RegistrarOptions {
  /** NameServer addresses "host:port". */
  addresses: readonly string[];
  timeoutMs: number;
  logger: Logger;
  /** What to register: read fresh at each round. */
  identity: () => BrokerIdentity;
  topics: () => TopicConfigWrapper;
  /** Called with the master's addresses a slave learnt (the HA seam). */
  onMasterAddresses?: (addresses: MasterAddresses) => void;
  /** TLS and ACL credentials of the connections to the NameServers. */
  outbound?: Pick<RemotingClientOptions, 'tls' | 'credentials'>;
}

export interface RegisterRound {
  registered: number;
  skipped: number;
  failed: number;
}

export class NamesrvRegistrar {
  readonly #o: RegistrarOptions;
  readonly #clients: RemotingClient[];
  #running: Promise<RegisterRound> | null = null;
  #again: Promise<RegisterRound> | null = null;
  #isAgainForced = false;

  constructor(options: RegistrarOptions) {
    assert(options.timeoutMs > 0, 'registration timeout is positive');
    this.#o = options;
    this.#clients = options.addresses.map(
      (address) =>
        new RemotingClient({
          address,
          logger: options.logger,
          connectTimeoutMs: 3000,
          ...options.outbound,
        }),
    );
  }

  get nameServerCount(): number {
    return this.#clients.length;
  }

  /** One registration round with every NameServer (forced, or only where the data changed). */
  register(force: boolean): Promise<RegisterRound> {
    if (this.#running === null) {
      this.#running = this.#round(force).finally(() => {
        this.#running = null;
      });
      return this.#running;
    }
    this.#isAgainForced ||= force;
    this.#again ??= this.#running.then(() => {
      const forced = this.#isAgainForced;
      this.#again = null;
      this.#isAgainForced = false;
      return this.register(forced);
    });
    return this.#again;
  }

  /**
   * Registers `wrapper` (some topics and the table's data version) with every NameServer now,
   * beside the full rounds: a NameServer adds or updates those topics and keeps the others.
   */
  registerTopics(wrapper: TopicConfigWrapper): Promise<RegisterRound> {
    return this.#round(true, wrapper);
  }

  async #round(force: boolean, only?: TopicConfigWrapper): Promise<RegisterRound> {
    const identity = this.#o.identity();
    const wrapper = only ?? this.#o.topics();
    const body = encodeRegisterBrokerBody(
      { topicConfigSerializeWrapper: wrapper, filterServerList: [] },
      { compressed: false },
    );
    const round: RegisterRound = { registered: 0, skipped: 0, failed: 0 };
    await Promise.all(
      this.#clients.map(async (client) => {
        try {
          if (!force && !(await this.#needRegister(client, identity, wrapper))) {
            round.skipped++;
            return;
          }
          await this.#registerWith(client, identity, body);
          round.registered++;
        } catch (error) {
          round.failed++;
          this.#o.logger.warn('Registration with a NameServer failed', {
            namesrv: client.address,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }),
    );
    return round;
  }

  async #needRegister(
    client: RemotingClient,
    identity: BrokerIdentity,
    wrapper: TopicConfigWrapper,
  ): Promise<boolean> {
    const request = createRequest(
      RequestCode.QUERY_DATA_VERSION,
      {
        brokerName: identity.brokerName,
        brokerAddr: identity.brokerAddr,
        clusterName: identity.clusterName,
        brokerId: identity.brokerId,
      },
      encodeJsonBody(wrapper.dataVersion),
    );
    const response = await client.invoke(request, this.#o.timeoutMs);
    if (response.code !== ResponseCode.SUCCESS) return true;
    return QueryDataVersionResponseHeader.decodeOrThrow(response.extFields).changed;
  }

  async #registerWith(
    client: RemotingClient,
    identity: BrokerIdentity,
    body: Buffer,
  ): Promise<void> {
    const request = createRequest(
      RequestCode.REGISTER_BROKER,
      {
        brokerName: identity.brokerName,
        brokerAddr: identity.brokerAddr,
        clusterName: identity.clusterName,
        haServerAddr: identity.haServerAddr,
        brokerId: identity.brokerId,
        compressed: false,
        bodyCrc32: registerBrokerBodyCrc32(body),
      },
      body,
    );
    const response = await client.invoke(request, this.#o.timeoutMs);
    if (response.code !== ResponseCode.SUCCESS) {
      throw new MqError(
        ErrorCode.REMOTE_ERROR,
        `REGISTER_BROKER refused with code ${response.code}: ${response.remark ?? ''}`,
      );
    }
    const header = RegisterBrokerResponseHeader.decodeOrThrow(response.extFields);
    if (header.masterAddr !== undefined && header.haServerAddr !== undefined) {
      this.#o.onMasterAddresses?.({
        masterAddr: header.masterAddr,
        haServerAddr: header.haServerAddr,
      });
    }
  }

  /** UNREGISTER_BROKER with every NameServer (shutdown); failures are logged, not thrown. */
  async unregister(): Promise<void> {
    const identity = this.#o.identity();
    await Promise.all(
      this.#clients.map(async (client) => {
        const request = createRequest(RequestCode.UNREGISTER_BROKER, {
          brokerName: identity.brokerName,
          brokerAddr: identity.brokerAddr,
          clusterName: identity.clusterName,
          brokerId: identity.brokerId,
        });
        try {
          await client.invoke(request, this.#o.timeoutMs);
        } catch (error) {
          this.#o.logger.warn('Unregistration from a NameServer failed', {
            namesrv: client.address,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.#clients.map((client) => client.close()));
  }
}
