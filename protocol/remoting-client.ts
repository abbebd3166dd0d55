// A remoting client for one server address ("host:port"): connects on first use, sends requests
// and matches responses by opaque, answers requests the server sends back over the connection,
// and reconnects on the next invoke after the connection was lost.
//
// RocketMQ: remoting/.../netty/NettyRemotingClient.java (invokeSync, invokeOneway, channel
// table, reconnect on demand); ali-ons: lib/channel.js and lib/remoting_client.js.
//
// Errors (MqError codes), so callers can tell a definite failure from an indeterminate one:
// - E_CONNECT_FAILED: the connection could not be opened; the request was never sent.
// - E_TOO_MANY_PENDING_REQUESTS: maxPendingRequests requests already await responses; not sent.
// - E_REQUEST_TIMEOUT: no response within the timeout; the request may have been processed.
// - E_CONNECTION_CLOSED: the connection closed while the request was pending (or the client was
//   closed); the request may have been processed.
// Unlike ali-ons, a timeout does not close the connection: a late response is counted and
// dropped, and the other requests on the connection carry on.

import type { Socket } from 'node:net';
import { assert } from '../common/assert.js';
import { ErrorCode, MqError } from '../common/errors.js';
import { Limits } from '../common/limits.js';
import { type AclCredentials, signRequest } from './acl-signature.js';
import { defaultHeaderLimits, type HeaderLimits } from './frame-format.js';
import { type Logger, noopLogger } from './logger.js';
import { createResponse, type RemotingCommand } from './remoting-command.js';
import {
  CloseReason,
  type ConnectionLimits,
  type ConnectionSnapshot,
  RemotingConnection,
  type RequestHandler,
} from './remoting-connection.js';
import { requestCodeName } from './request-code.js';
import { ResponseCode } from './response-code.js';
import { openSocket, type TlsClientOptions } from './tls-options.js';

export interface RemotingClientOptions {
  /** "host:port"; IPv6 hosts in brackets: "[::1]:9876". */
  address: string;
  /** Default 3,000 ms (ali-ons tcp-base). */
  connectTimeoutMs?: number;
  maxFrameSizeBytes?: number;
  headerLimits?: Readonly<HeaderLimits>;
  /** Requests awaiting a response (or a connection) at most. Default 10,000. */
  maxPendingRequests?: number;
  /** Server-initiated requests handled at once before reading pauses. Default 64. */
  maxInFlightRequests?: number;
  maxInFlightBytes?: number;
  /** Close the connection after this long without reading anything while idle. Default 0 (never). */
  idleTimeoutMs?: number;
  frameReadTimeoutMs?: number;
  /** Connect with TLS; unset: plain TCP. */
  tls?: TlsClientOptions | undefined;
  /** Sign every request as RocketMQ's AclClientRPCHook does (servers with aclEnable=true). */
  credentials?: AclCredentials | undefined;
  /** Answers requests the server sends; without it they get REQUEST_CODE_NOT_SUPPORTED. */
  onRequest?: RequestHandler;
  logger?: Logger;
}

export interface HostPort {
  host: string;
  port: number;
}

/** Parses "host:port" or "[v6]:port"; throws RangeError when it is neither. */
export function parseAddress(address: string): HostPort {
  const colon = address.lastIndexOf(':');
  const portText = address.slice(colon + 1);
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(portText);
  if (colon <= 0 || host === '' || !/^\d{1,5}$/.test(portText) || port > 65535) {
    throw new RangeError(`Address "${address}" is not of the form host:port`);
  }
  return { host, port };
}

export class RemotingClient {
  readonly address: string;
  readonly #hostPort: HostPort;
  readonly #connectTimeoutMs: number;
  readonly #limits: Readonly<ConnectionLimits>;
  readonly #onRequest: RequestHandler | null;
  readonly #tls: TlsClientOptions | undefined;
  readonly #credentials: AclCredentials | undefined;
  readonly #logger: Logger;
  #connection: RemotingConnection | null = null;
  #connecting: Promise<RemotingConnection> | null = null;
  #waitingForConnection = 0;
  #nextOpaque = 0;
  #nextConnectionId = 1;
  #isClosed = false;

  constructor(options: RemotingClientOptions) {
    this.address = options.address;
    this.#hostPort = parseAddress(options.address);
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 3000;
    this.#limits = Object.freeze({
      maxFrameSizeBytes: options.maxFrameSizeBytes ?? Limits.maxFrameSizeBytes,
      headerLimits: options.headerLimits ?? defaultHeaderLimits,
      maxPendingRequests: options.maxPendingRequests ?? 10_000,
      maxInFlightRequests: options.maxInFlightRequests ?? 64,
      maxInFlightBytes: options.maxInFlightBytes ?? 64 * 1024 * 1024,
      idleTimeoutMs: options.idleTimeoutMs ?? 0,
      frameReadTimeoutMs: options.frameReadTimeoutMs ?? 120_000,
    });
    this.#onRequest = options.onRequest ?? null;
    this.#tls = options.tls;
    this.#credentials = options.credentials;
    this.#logger = options.logger ?? noopLogger;
    assert(this.#connectTimeoutMs > 0, 'connectTimeoutMs is positive');
  }

  /** True while a connection is open. */
  get isConnected(): boolean {
    return this.#connection?.isOpen === true;
  }

  /** The open connection's counters, or null when not connected. */
  inspect(): ConnectionSnapshot | null {
    return this.#connection?.inspect() ?? null;
  }

  /** Sends `request` and resolves with the response; `timeoutMs` covers connecting too. */
  async invoke(request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    assert(timeoutMs > 0, 'invoke timeout is positive');
    const deadline = performance.now() + timeoutMs;
    const connection = await this.#acquire(request, Math.min(timeoutMs, this.#connectTimeoutMs));
    const remainingMs = Math.floor(deadline - performance.now());
    if (remainingMs <= 0) {
      const message = `No time left for ${requestCodeName(request.code)} to ${this.address} after connecting (timeout ${timeoutMs} ms)`;
      throw new MqError(ErrorCode.REQUEST_TIMEOUT, message, { timeoutMs });
    }
    if (this.#credentials !== undefined) signRequest(request, this.#credentials);
    return connection.invoke(request, remainingMs);
  }

  /** Sends `request` with the oneway flag; resolves once it is written to the socket. */
  async invokeOneway(request: RemotingCommand): Promise<void> {
    const connection = await this.#acquire(request, this.#connectTimeoutMs);
    if (this.#credentials !== undefined) signRequest(request, this.#credentials);
    await connection.invokeOneway(request);
  }

  /** Closes the connection (pending requests fail with E_CONNECTION_CLOSED); no reconnect. */
  async close(): Promise<void> {
    this.#isClosed = true;
    const connecting = this.#connecting;
    this.#connection?.close(CloseReason.CLIENT_CLOSE);
    if (connecting !== null) {
      const connection = await connecting.catch(() => null);
      connection?.close(CloseReason.CLIENT_CLOSE);
    }
  }

  async #acquire(request: RemotingCommand, connectTimeoutMs: number): Promise<RemotingConnection> {
    if (this.#isClosed) {
      const message = `Client for ${this.address} is closed; ${requestCodeName(request.code)} not sent`;
      throw new MqError(ErrorCode.CONNECTION_CLOSED, message, { reason: CloseReason.CLIENT_CLOSE });
    }
    const open = this.#connection;
    if (open?.isOpen === true) return open;
    const pending = this.#waitingForConnection + (open?.inspect().pendingRequests ?? 0);
    if (pending >= this.#limits.maxPendingRequests) {
      const message = `Cannot send ${requestCodeName(request.code)} to ${this.address}: ${pending} requests already wait`;
      throw new MqError(ErrorCode.TOO_MANY_PENDING_REQUESTS, message);
    }
    this.#waitingForConnection++;
    try {
      this.#connecting ??= this.#connect(connectTimeoutMs);
      return await this.#connecting;
    } finally {
      this.#waitingForConnection--;
    }
  }

  #connect(timeoutMs: number): Promise<RemotingConnection> {
    const { host, port } = this.#hostPort;
    const { socket, ready } = openSocket(host, port, this.#tls);
    const connecting = new Promise<RemotingConnection>((resolve, reject) => {
      const fail = (cause: Error | null) => {
        socket.destroy();
        const detail = cause === null ? `timed out after ${timeoutMs} ms` : cause.message;
        const message = `Cannot connect to ${this.address}: ${detail}`;
        reject(
          new MqError(ErrorCode.CONNECT_FAILED, message, { address: this.address }, { cause }),
        );
      };
      socket.setTimeout(timeoutMs, () => fail(null));
      socket.once('error', fail);
      socket.once(ready, () => {
        socket.setTimeout(0);
        socket.off('error', fail);
        resolve(this.#adopt(socket));
      });
    });
    return connecting.finally(() => {
      this.#connecting = null;
    });
  }

  #adopt(socket: Socket): RemotingConnection {
    const connection = new RemotingConnection(this.#nextConnectionId++, socket, this.#limits, {
      nextOpaque: () => this.#allocateOpaque(),
      handleRequest: (request, conn) => this.#handleServerRequest(request, conn),
      onProtocolError: (error) =>
        this.#logger.warn('Bad frame from server', { reason: error.reason, address: this.address }),
      onClose: (reason, conn) => {
        if (this.#connection === conn) this.#connection = null;
        this.#logger.debug('Connection closed', { reason, address: this.address });
      },
      logger: this.#logger,
    });
    if (this.#isClosed) connection.close(CloseReason.CLIENT_CLOSE);
    else this.#connection = connection;
    return connection;
  }

  #allocateOpaque(): number {
    this.#nextOpaque = this.#nextOpaque >= 0x7fffffff ? 1 : this.#nextOpaque + 1;
    return this.#nextOpaque;
  }

  #handleServerRequest(
    request: RemotingCommand,
    connection: RemotingConnection,
  ): ReturnType<RequestHandler> {
    if (this.#onRequest !== null) return this.#onRequest(request, connection);
    return createResponse(
      request,
      ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
      ` request type ${request.code} not supported`,
    );
  }
}
