// The network side every Petrel client object owns: one remoting connection per address, the
// NameServer list with round-robin failover, and the cache of topic routes. Errors leave here as
// MqError naming the broker (or NameServer) and its address.
//
// RocketMQ: client/.../impl/factory/MQClientInstance.java (topicRouteTable, brokerAddrTable,
// updateTopicRouteInfoFromNameServer), client/.../impl/MQClientAPIImpl.java and
// remoting/.../netty/NettyRemotingClient.java (invokeSync to the NameServer list);
// ali-ons: lib/mq_client_api.js (invokeForNameSrvAtLeastOnce).
//
// Unlike Java, each Producer, PushConsumer, PullConsumer and Admin has its own instance: no
// process-wide factory keyed by client id.

import { assert } from '../common/assert.js';
import { ErrorCode, MqError } from '../common/errors.js';
import type { BrokerData, TopicRouteData } from '../protocol/bodies/topic-route-data.js';
import { decodeTopicRouteData } from '../protocol/bodies/topic-route-data.js';
import { GetRouteInfoRequestHeader } from '../protocol/headers/get-route-info-request-header.js';
import { RemotingClient } from '../protocol/remoting-client.js';
import { createRequest, type RemotingCommand } from '../protocol/remoting-command.js';
import type { RequestHandler } from '../protocol/remoting-connection.js';
import { RequestCode, requestCodeName } from '../protocol/request-code.js';
import { ResponseCode, responseCodeName } from '../protocol/response-code.js';
import type { ResolvedClientOptions } from './client-options.js';
import { isRouteChanged } from './topic-route.js';

/** Where a request goes: an address and, for messages, the broker group's name. */
export interface Target {
  address: string;
  /** The broker group name, or "namesrv" for a NameServer. */
  brokerName: string;
}

const TRANSPORT_CODES: ReadonlySet<string> = new Set([
  ErrorCode.CONNECT_FAILED,
  ErrorCode.REQUEST_TIMEOUT,
  ErrorCode.CONNECTION_CLOSED,
  ErrorCode.TOO_MANY_PENDING_REQUESTS,
]);

export function isTransportError(error: unknown): boolean {
  return error instanceof MqError && TRANSPORT_CODES.has(error.code);
}

function describeTarget(target: Target): string {
  return target.brokerName === 'namesrv'
    ? `NameServer ${target.address}`
    : `broker ${target.brokerName} (${target.address})`;
}

/** The MqError for a response whose code is not what the caller expected. */
export function remoteError(
  target: Target,
  request: RemotingCommand,
  response: RemotingCommand,
): MqError {
  const remark = response.remark === null || response.remark === '' ? '' : `: ${response.remark}`;
  return new MqError(
    ErrorCode.REMOTE_ERROR,
    `${requestCodeName(request.code)} to ${describeTarget(target)} failed with ${responseCodeName(response.code)}${remark}`,
    {
      brokerName: target.brokerName,
      address: target.address,
      responseCode: response.code,
      remark: response.remark,
      requestCode: request.code,
    },
  );
}

function wrapTransportError(target: Target, request: RemotingCommand, error: unknown): unknown {
  if (!(error instanceof MqError) || !TRANSPORT_CODES.has(error.code)) return error;
  return new MqError(
    error.code,
    `${requestCodeName(request.code)} to ${describeTarget(target)}: ${error.message}`,
    { ...error.details, brokerName: target.brokerName, address: target.address },
    { cause: error },
  );
}

interface CachedRoute {
  route: TopicRouteData;
  fetchSeq: number;
}

export class ClientInstance {
  readonly options: ResolvedClientOptions;
  readonly #clients = new Map<string, RemotingClient>();
  readonly #routes = new Map<string, CachedRoute>();
  readonly #onServerRequest: RequestHandler | undefined;
  #namesrvIndex: number;
  #fetchSeq = 0;
  #isClosed = false;

  constructor(options: ResolvedClientOptions, onServerRequest?: RequestHandler) {
    this.options = options;
    this.#onServerRequest = onServerRequest;
    this.#namesrvIndex = options.prng.int(0, options.namesrvAddrs.length - 1);
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Addresses this client holds an open connection to now. */
  connectedAddresses(): string[] {
    return [...this.#clients].filter(([, c]) => c.isConnected).map(([address]) => address);
  }

  #client(address: string): RemotingClient {
    if (this.#isClosed) {
      throw new MqError(ErrorCode.CLIENT_STATE, `Client ${this.options.clientId} is shut down`);
    }
    let client = this.#clients.get(address);
    if (client === undefined) {
      client = new RemotingClient({
        address,
        connectTimeoutMs: this.options.connectTimeoutMs,
        maxPendingRequests: this.options.maxPendingRequestsPerConnection,
        logger: this.options.logger,
        tls: this.options.tls,
        credentials: this.options.credentials,
        ...(this.#onServerRequest === undefined ? {} : { onRequest: this.#onServerRequest }),
      });
      this.#clients.set(address, client);
    }
    return client;
  }

  /** Sends a request and returns the response, whatever its code. Transport errors name the target. */
  async invoke(
    target: Target,
    request: RemotingCommand,
    timeoutMs: number,
  ): Promise<RemotingCommand> {
    try {
      return await this.#client(target.address).invoke(request, timeoutMs);
    } catch (error) {
      throw wrapTransportError(target, request, error);
    }
  }

  /**
   * Sends a request with the request timeout and returns the response; any code but SUCCESS
   * throws the MqError naming the target and the code.
   */
  async invokeOk(target: Target, request: RemotingCommand): Promise<RemotingCommand> {
    const response = await this.invoke(target, request, this.options.requestTimeoutMs);
    if (response.code !== ResponseCode.SUCCESS) throw remoteError(target, request, response);
    return response;
  }

  /** Sends a request with the oneway flag (no response). */
  async invokeOneway(target: Target, request: RemotingCommand): Promise<void> {
    try {
      await this.#client(target.address).invokeOneway(request);
    } catch (error) {
      throw wrapTransportError(target, request, error);
    }
  }

  /**
   * Sends a request to the NameServers, one after another from a rotating start, until one
   * answers (with any code). Throws the last transport error when none answers.
   */
  async invokeNameServer(
    request: RemotingCommand,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<{ response: RemotingCommand; target: Target }> {
    const addrs = this.options.namesrvAddrs;
    let lastError: unknown;
    for (let tried = 0; tried < addrs.length; tried++) {
      this.#namesrvIndex = (this.#namesrvIndex + 1) % addrs.length;
      const address = addrs[this.#namesrvIndex];
      assert(address !== undefined, 'namesrv index in range');
      const target: Target = { address, brokerName: 'namesrv' };
      try {
        return { response: await this.invoke(target, request, timeoutMs), target };
      } catch (error) {
        if (!isTransportError(error)) throw error;
        lastError = error;
        this.options.logger.warn('NameServer request failed', { address, error: String(error) });
      }
    }
    throw lastError;
  }

  /** The route of `topic` from the NameServer, or null when it has none (TOPIC_NOT_EXIST). */
  async fetchRoute(topic: string): Promise<TopicRouteData | null> {
    const request = createRequest(
      RequestCode.GET_ROUTEINFO_BY_TOPIC,
      GetRouteInfoRequestHeader.encode({ topic, acceptStandardJsonOnly: true }),
    );
    const { response, target } = await this.invokeNameServer(request);
    if (response.code === ResponseCode.TOPIC_NOT_EXIST) return null;
    if (response.code !== ResponseCode.SUCCESS) throw remoteError(target, request, response);
    if (response.body === null || response.body.length === 0) return null;
    return decodeTopicRouteData(response.body);
  }

  /**
   * Fetches the route of `topic` and caches it. Returns the new route (null when the topic has
   * none, in which case the cached route is dropped) and whether it changed.
   */
  async refreshRoute(topic: string): Promise<{ route: TopicRouteData | null; changed: boolean }> {
    const route = await this.fetchRoute(topic);
    const previous = this.#routes.get(topic)?.route;
    if (route === null) {
      this.#routes.delete(topic);
      return { route: null, changed: previous !== undefined };
    }
    this.#routes.set(topic, { route, fetchSeq: ++this.#fetchSeq });
    return { route, changed: isRouteChanged(previous, route) };
  }

  route(topic: string): TopicRouteData | undefined {
    return this.#routes.get(topic)?.route;
  }

  cachedTopics(): string[] {
    return [...this.#routes.keys()];
  }

  forgetRoute(topic: string): void {
    this.#routes.delete(topic);
  }

  /** The most recently fetched BrokerData of every group in any cached route. */
  brokerDatas(): BrokerData[] {
    const latest = new Map<string, CachedRoute & { data: BrokerData }>();
    for (const cached of this.#routes.values()) {
      for (const data of cached.route.brokerDatas) {
        const seen = latest.get(data.brokerName);
        if (seen === undefined || seen.fetchSeq < cached.fetchSeq) {
          latest.set(data.brokerName, { ...cached, data });
        }
      }
    }
    return [...latest.values()].map((l) => l.data);
  }

  /** Closes connections to addresses no longer in any route or the NameServer list. */
  closeUnusedConnections(): void {
    const used = new Set<string>(this.options.namesrvAddrs);
    for (const data of this.brokerDatas()) {
      for (const address of Object.values(data.brokerAddrs)) used.add(address);
    }
    for (const [address, client] of this.#clients) {
      if (used.has(address)) continue;
      this.#clients.delete(address);
      void client.close();
    }
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((c) => c.close()));
  }
}
