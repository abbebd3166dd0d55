// A TCP remoting server: accepts connections, decodes requests, hands each to the processor
// registered for its code and writes the processor's response. The NameServer, the broker and
// the HA/DLedger transports all listen through it.
//
// RocketMQ: remoting/.../netty/NettyRemotingServer.java (accept, idle close, default processor),
// NettyRemotingAbstract.processRequestCommand (REQUEST_CODE_NOT_SUPPORTED remark " request type
// <code> not supported"; SYSTEM_ERROR when a processor throws).
//
// Invariants and bounds (all from options, no global state):
// - At most maxConnections connections are open, and maxConnectionsPerAddress from one IP; a
//   further one is closed at accept and counted.
// - Per connection: see remoting-connection.ts (in-flight bound with read pause, pending bound
//   for server-initiated requests, unsent-output bound, idle and frame-read timeouts).
// - Unsent replies of all connections together are bounded by one OutputBudget: past it, every
//   connection with unsent output stops reading until its client has taken some.
// - A bad frame closes only the connection it arrived on; counters are kept per reason.
// - close() stops accepting, closes every connection and resolves when the listener is closed.

import { createServer, type Server, type Socket } from 'node:net';
import { assert } from '../common/assert.js';
import { Limits } from '../common/limits.js';
import {
  defaultHeaderLimits,
  type FrameError,
  type FrameErrorReason,
  type HeaderLimits,
} from './frame-format.js';
import { type Logger, noopLogger } from './logger.js';
import { OutputBudget } from './output-budget.js';
import { createResponse, type RemotingCommand } from './remoting-command.js';
import {
  CloseReason,
  type ConnectionLimits,
  RemotingConnection,
  type RequestHandler,
} from './remoting-connection.js';
import { requestCodeName } from './request-code.js';
import { ResponseCode } from './response-code.js';
import { acceptSecure, TlsAcceptor, type TlsServerOptions } from './tls-options.js';

export interface RemotingServerOptions {
  /** Largest frame accepted, length field included. Default Limits.maxFrameSizeBytes (16 MiB). */
  maxFrameSizeBytes?: number;
  headerLimits?: Readonly<HeaderLimits>;
  /** Open connections at most; further ones are closed at accept. Default 10,000. */
  maxConnections?: number;
  /** Open connections from one IP at most; further ones are closed at accept. Default 1,000. */
  maxConnectionsPerAddress?: number;
  /** Requests being handled per connection before reading pauses. Default 1,024. */
  maxInFlightRequestsPerConnection?: number;
  /** Frame bytes being handled per connection before reading pauses. Default 64 MiB. */
  maxInFlightBytesPerConnection?: number;
  /** Unsent reply bytes of one connection at which it stops reading. Default 4 MiB. */
  maxOutputBufferedBytesPerConnection?: number;
  /** Unsent reply bytes of all connections at which those with unsent output stop reading. 64 MiB. */
  maxOutputBufferedBytesTotal?: number;
  /** Server-initiated requests awaiting a response per connection. Default 1,024. */
  maxPendingRequestsPerConnection?: number;
  /** Close a connection that read nothing for this long (0 = never). Default 120 s. */
  idleTimeoutMs?: number;
  /** Close a connection whose partial frame is not complete after this long. Default 120 s. */
  frameReadTimeoutMs?: number;
  /** TLS (permissive or enforcing); unset: plain TCP only. See tls-options.ts. */
  tls?: TlsServerOptions | undefined;
  /**
   * Called before a request reaches its processor; a response returned here is sent instead
   * (the ACL check answers NO_PERMISSION this way).
   */
  beforeRequest?:
    | ((request: RemotingCommand, connection: RemotingConnection) => RemotingCommand | null)
    | undefined;
  logger?: Logger;
}

export interface ListenOptions {
  host: string;
  /** 0 picks a free port; read it back from `port`. */
  port: number;
}

export interface RemotingServerStats {
  connectionsOpen: number;
  connectionsAccepted: number;
  connectionsRejected: number;
  /** Connections closed before use by TLS: plain TCP under enforcing, a failed handshake. */
  tlsRefused: number;
  /** Requests answered by the beforeRequest hook (ACL refusals). */
  requestsRefused: number;
  requestsUnsupported: number;
  /** Unsent reply bytes of all connections, as last checked (bounded by the output budget). */
  outputBufferedBytes: number;
  protocolErrors: Record<FrameErrorReason, number>;
  closes: Partial<Record<CloseReason, number>>;
}

type ConnectionListener = (connection: RemotingConnection) => void;
type CloseListener = (connection: RemotingConnection, reason: CloseReason) => void;

export class RemotingServer {
  readonly #limits: Readonly<ConnectionLimits>;
  readonly #maxConnections: number;
  readonly #maxConnectionsPerAddress: number;
  /** Open (or handshaking) connections per remote IP. */
  readonly #perAddress = new Map<string, number>();
  readonly #connectionIps = new Map<number, string>();
  readonly #logger: Logger;
  readonly #outputBudget: OutputBudget;
  readonly #processors = new Map<number, RequestHandler>();
  readonly #connections = new Set<RemotingConnection>();
  readonly #connectListeners = new Set<ConnectionListener>();
  readonly #closeListeners = new Set<CloseListener>();
  readonly #stats: RemotingServerStats = {
    connectionsOpen: 0,
    connectionsAccepted: 0,
    connectionsRejected: 0,
    tlsRefused: 0,
    requestsRefused: 0,
    requestsUnsupported: 0,
    outputBufferedBytes: 0,
    protocolErrors: {
      TOO_SHORT: 0,
      HEADER_LENGTH_INVALID: 0,
      FRAME_TOO_LARGE: 0,
      SERIALIZE_TYPE_UNKNOWN: 0,
      HEADER_MALFORMED: 0,
    },
    closes: {},
  };
  readonly #tls: TlsAcceptor | null;
  readonly #beforeRequest: RemotingServerOptions['beforeRequest'];
  /** Accepted sockets still in their TLS handshake (closed by close()). */
  readonly #handshaking = new Set<Socket>();
  #server: Server | null = null;
  #port = -1;
  #nextConnectionId = 1;
  #nextOpaque = 0;
  #isClosing = false;

  constructor(options: RemotingServerOptions = {}) {
    this.#limits = Object.freeze({
      maxFrameSizeBytes: options.maxFrameSizeBytes ?? Limits.maxFrameSizeBytes,
      headerLimits: options.headerLimits ?? defaultHeaderLimits,
      maxPendingRequests: options.maxPendingRequestsPerConnection ?? 1024,
      maxInFlightRequests: options.maxInFlightRequestsPerConnection ?? 1024,
      maxInFlightBytes: options.maxInFlightBytesPerConnection ?? 64 * 1024 * 1024,
      idleTimeoutMs: options.idleTimeoutMs ?? 120_000,
      frameReadTimeoutMs: options.frameReadTimeoutMs ?? 120_000,
      maxOutputBufferedBytes: options.maxOutputBufferedBytesPerConnection ?? 4 * 1024 * 1024,
    });
    this.#outputBudget = new OutputBudget(options.maxOutputBufferedBytesTotal ?? 64 * 1024 * 1024);
    this.#maxConnections = options.maxConnections ?? 10_000;
    this.#maxConnectionsPerAddress = options.maxConnectionsPerAddress ?? 1000;
    this.#logger = options.logger ?? noopLogger;
    const handshakeTimeoutMs =
      this.#limits.frameReadTimeoutMs > 0 ? this.#limits.frameReadTimeoutMs : 30_000;
    this.#tls = options.tls === undefined ? null : new TlsAcceptor(options.tls, handshakeTimeoutMs);
    this.#beforeRequest = options.beforeRequest;
    assert(this.#maxConnections >= 1, 'maxConnections is at least 1');
    assert(this.#maxConnectionsPerAddress >= 1, 'maxConnectionsPerAddress is at least 1');
    assert(this.#limits.maxInFlightBytes >= 1, 'maxInFlightBytesPerConnection is at least 1');
  }

  /** Routes requests with `code` to `handler`. One handler per code. */
  registerProcessor(code: number, handler: RequestHandler): void {
    assert(Number.isInteger(code), 'request code is an integer');
    assert(!this.#processors.has(code), `a processor for ${requestCodeName(code)} exists`);
    this.#processors.set(code, handler);
  }

  /** Starts listening; resolves with the bound address (port 0 resolves to the chosen port). */
  listen(options: ListenOptions): Promise<{ host: string; port: number }> {
    assert(this.#server === null, 'listen is called once');
    const server = createServer({ noDelay: true }, (socket) => this.#onSocket(socket));
    this.#server = server;
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen({ host: options.host, port: options.port }, () => {
        server.off('error', onError);
        server.on('error', (error) => this.#logger.error('Server error', { error: error.message }));
        const address = server.address();
        assert(address !== null && typeof address === 'object', 'a TCP server has an address');
        this.#port = address.port;
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /** The bound port (after listen resolved). */
  get port(): number {
    assert(this.#port >= 0, 'server is listening');
    return this.#port;
  }

  /** Called for each accepted (not rejected) connection. Returns an unsubscribe function. */
  onConnection(listener: ConnectionListener): () => void {
    this.#connectListeners.add(listener);
    return () => this.#connectListeners.delete(listener);
  }

  /** Called when a connection closes, with the reason (e.g. a broker's channel is gone). */
  onConnectionClose(listener: CloseListener): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** The open connections (e.g. to send requests to clients). */
  connections(): RemotingConnection[] {
    return [...this.#connections];
  }

  stats(): RemotingServerStats {
    return {
      ...this.#stats,
      connectionsOpen: this.#connections.size,
      outputBufferedBytes: this.#outputBudget.totalBytes,
      protocolErrors: { ...this.#stats.protocolErrors },
      closes: { ...this.#stats.closes },
    };
  }

  /** Stops accepting, closes every connection, resolves when the listener has closed. */
  close(): Promise<void> {
    this.#isClosing = true;
    const server = this.#server;
    for (const connection of [...this.#connections]) connection.close(CloseReason.SERVER_CLOSE);
    for (const socket of this.#handshaking) socket.destroy();
    if (server === null || !server.listening) return Promise.resolve();
    return new Promise((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
    });
  }

  #onSocket(socket: Socket): void {
    const open = this.#connections.size + this.#handshaking.size;
    const ip = socket.remoteAddress ?? 'unknown';
    const fromIp = this.#perAddress.get(ip) ?? 0;
    if (
      this.#isClosing ||
      open >= this.#maxConnections ||
      fromIp >= this.#maxConnectionsPerAddress
    ) {
      this.#stats.connectionsRejected++;
      this.#logger.warn('Connection rejected at accept', {
        remoteAddress: socket.remoteAddress,
        openConnections: open,
        maxConnections: this.#maxConnections,
        fromAddress: fromIp,
        maxConnectionsPerAddress: this.#maxConnectionsPerAddress,
      });
      socket.on('error', () => socket.destroy());
      socket.destroy();
      return;
    }
    this.#perAddress.set(ip, fromIp + 1);
    if (this.#tls === null) {
      this.#adopt(socket, ip);
      return;
    }
    this.#handshaking.add(socket);
    const timeoutMs =
      this.#limits.frameReadTimeoutMs > 0 ? this.#limits.frameReadTimeoutMs : 30_000;
    acceptSecure(socket, this.#tls, timeoutMs, (outcome) => {
      this.#handshaking.delete(socket);
      if (outcome.kind !== 'refused' && !this.#isClosing) {
        this.#adopt(outcome.socket, ip);
        return;
      }
      this.#releaseAddress(ip);
      // A refused socket is already destroyed; one that finished while closing is destroyed here.
      if (outcome.kind !== 'refused') outcome.socket.destroy();
      this.#stats.tlsRefused++;
      this.#logger.info('Connection refused by TLS', {
        remoteAddress: socket.remoteAddress,
        reason: outcome.kind === 'refused' ? outcome.reason : 'server closing',
      });
    });
  }

  #adopt(socket: Socket, ip: string): void {
    this.#stats.connectionsAccepted++;
    const connection = new RemotingConnection(this.#nextConnectionId++, socket, this.#limits, {
      nextOpaque: () => this.#allocateOpaque(),
      handleRequest: (request, conn) => this.#dispatch(request, conn),
      onProtocolError: (error) => this.#onProtocolError(error),
      onClose: (reason, conn) => this.#onClose(reason, conn),
      logger: this.#logger,
      outputBudget: this.#outputBudget,
    });
    this.#connections.add(connection);
    this.#connectionIps.set(connection.id, ip);
    for (const listener of this.#connectListeners) listener(connection);
  }

  #releaseAddress(ip: string): void {
    const left = (this.#perAddress.get(ip) ?? 1) - 1;
    if (left <= 0) this.#perAddress.delete(ip);
    else this.#perAddress.set(ip, left);
  }

  #allocateOpaque(): number {
    this.#nextOpaque = this.#nextOpaque >= 0x7fffffff ? 1 : this.#nextOpaque + 1;
    return this.#nextOpaque;
  }

  #dispatch(request: RemotingCommand, connection: RemotingConnection): ReturnType<RequestHandler> {
    const refusal = this.#beforeRequest?.(request, connection) ?? null;
    if (refusal !== null) {
      this.#stats.requestsRefused++;
      return refusal;
    }
    const handler = this.#processors.get(request.code);
    if (handler !== undefined) return handler(request, connection);
    this.#stats.requestsUnsupported++;
    this.#logger.debug('Request code not supported', { code: request.code });
    return createResponse(
      request,
      ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
      ` request type ${request.code} not supported`,
    );
  }

  #onProtocolError(error: FrameError): void {
    this.#stats.protocolErrors[error.reason]++;
  }

  #onClose(reason: CloseReason, connection: RemotingConnection): void {
    if (!this.#connections.delete(connection)) return;
    this.#releaseAddress(this.#connectionIps.get(connection.id) ?? '');
    this.#connectionIps.delete(connection.id);
    this.#stats.closes[reason] = (this.#stats.closes[reason] ?? 0) + 1;
    for (const listener of this.#closeListeners) listener(connection, reason);
  }
}
