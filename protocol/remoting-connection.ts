// One remoting connection over a TCP socket, shared by RemotingServer (accepted sockets) and
// RemotingClient (the socket it opened). Both sides can send requests and answer them: clients
// send requests to brokers and NameServers; brokers send requests back to clients over the same
// connection (GET_CONSUMER_RUNNING_INFO, NOTIFY_CONSUMER_IDS_CHANGED, ...).
//
// RocketMQ: remoting/.../netty/NettyRemotingAbstract.java (processMessageReceived,
// processRequestCommand, processResponseCommand, invokeSyncImpl/invokeOnewayImpl),
// NettyRemotingServer/NettyRemotingClient (channel handlers, idle handling).
//
// Invariants and bounds:
// - Responses are matched to pending requests purely by opaque; they may arrive in any order.
//   At most maxPendingRequests requests await a response; more are refused, not queued.
// - Incoming requests are handed to the handler as they are decoded. While more than
//   maxInFlightRequests of them (or maxInFlightBytes of their frames) are unanswered, or the
//   socket's unsent output reaches maxOutputBufferedBytes, or the server's OutputBudget is spent
//   and this connection has unsent output, reading stops (socket.pause) and resumes when the
//   work drains or a write completes: a fast sender is slowed by TCP, and a client that never
//   reads its replies holds at most about maxOutputBufferedBytes of them, never more.
// - Writes are coalesced: the first write of a tick corks the socket and a nextTick uncorks it,
//   so the responses settled in one pass leave in one writev, not one syscall each.
// - A oneway request never gets a response, whatever the handler returns.
// - A handler that throws gets SYSTEM_ERROR with the message as remark; the connection stays
//   open. An AssertionError is a bug: it is rethrown outside the connection, not answered.
// - A bad frame closes the connection. If the bad header still showed its request id, the
//   sender first gets SYSTEM_ERROR for it (docs/testing.md B4).
// - Closing fails every pending request with E_CONNECTION_CLOSED, exactly once.
// - Timers: idleTimeoutMs closes a connection that has read nothing for that long while nothing
//   is pending or in flight; frameReadTimeoutMs closes one whose partial frame has not completed
//   in that time (slow-loris senders). 0 turns either off.

import type { Socket } from 'node:net';
import { AssertionError, assert } from '../common/assert.js';
import { ErrorCode, MqError } from '../common/errors.js';
import { FrameDecoder } from './frame-decoder.js';
import { type FrameError, type HeaderLimits, RpcFlag } from './frame-format.js';
import type { LogFields, Logger } from './logger.js';
import type { OutputBudget } from './output-budget.js';
import {
  createExtFields,
  createResponse,
  encodeCommandHead,
  isOneway,
  isResponse,
  PETREL_WIRE_VERSION,
  type RemotingCommand,
} from './remoting-command.js';
import { requestCodeName } from './request-code.js';
import { ResponseCode } from './response-code.js';

/** Answers one request: a response, or null for none (oneway requests, or by choice). */
export type RequestHandler = (
  request: RemotingCommand,
  connection: RemotingConnection,
) => Promise<RemotingCommand | null> | RemotingCommand | null;

export const CloseReason = {
  LOCAL_CLOSE: 'LOCAL_CLOSE',
  REMOTE_CLOSE: 'REMOTE_CLOSE',
  SOCKET_ERROR: 'SOCKET_ERROR',
  IDLE_TIMEOUT: 'IDLE_TIMEOUT',
  FRAME_READ_TIMEOUT: 'FRAME_READ_TIMEOUT',
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
  SERVER_CLOSE: 'SERVER_CLOSE',
  CLIENT_CLOSE: 'CLIENT_CLOSE',
} as const;
export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

export interface ConnectionLimits {
  maxFrameSizeBytes: number;
  headerLimits: Readonly<HeaderLimits>;
  maxPendingRequests: number;
  maxInFlightRequests: number;
  maxInFlightBytes: number;
  idleTimeoutMs: number;
  frameReadTimeoutMs: number;
  /** Unsent output at which reading pauses; maxInFlightBytes when absent. */
  maxOutputBufferedBytes?: number;
}

export interface ConnectionHooks {
  /** Allocates the opaque of each request this side sends. */
  nextOpaque: () => number;
  handleRequest: RequestHandler;
  onProtocolError: (error: FrameError, connection: RemotingConnection) => void;
  onClose: (reason: CloseReason, connection: RemotingConnection) => void;
  logger: Logger;
  /** Unsent output shared by all connections of a server; none for a lone client connection. */
  outputBudget?: OutputBudget;
}

/** Counters of one connection, read through inspect(). */
export interface ConnectionCounters {
  requestsReceived: number;
  responsesReceived: number;
  unmatchedResponses: number;
  handlerErrors: number;
  readPauses: number;
}

/** What inspect() reports: the counters plus the current load. */
export interface ConnectionSnapshot extends ConnectionCounters {
  pendingRequests: number;
  inFlightRequests: number;
  inFlightBytes: number;
  isPaused: boolean;
  bufferedBytes: number;
  /** Output handed to the socket that the kernel has not taken yet, as last checked. */
  outputBufferedBytes: number;
}

interface Pending {
  resolve: (response: RemotingCommand) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  code: number;
}

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return (
    typeof value === 'object' && value !== null && typeof Reflect.get(value, 'then') === 'function'
  );
}

/** "a.b.c.d:port" for IPv4 (also IPv4-mapped IPv6), "[v6]:port" otherwise. */
export function formatAddress(host: string | undefined, port: number | undefined): string {
  const plain = host?.startsWith('::ffff:') === true ? host.slice(7) : (host ?? 'unknown');
  return plain.includes(':') ? `[${plain}]:${port ?? 0}` : `${plain}:${port ?? 0}`;
}

export class RemotingConnection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly #socket: Socket;
  readonly #limits: Readonly<ConnectionLimits>;
  readonly #hooks: ConnectionHooks;
  readonly #decoder: FrameDecoder;
  readonly #pending = new Map<number, Pending>();
  readonly #counters: ConnectionCounters = {
    requestsReceived: 0,
    responsesReceived: 0,
    unmatchedResponses: 0,
    handlerErrors: 0,
    readPauses: 0,
  };
  #inFlightRequests = 0;
  #inFlightBytes = 0;
  #isPaused = false;
  #isDraining = false;
  #closeReason: CloseReason | null = null;
  #lastReadMs = performance.now();
  #idleTimer: NodeJS.Timeout | null = null;
  #frameTimer: NodeJS.Timeout | null = null;
  readonly #maxOutputBufferedBytes: number;
  /** Unsent output as last charged to the budget (socket.writableLength at that moment). */
  #outputBufferedBytes = 0;
  #isCorked = false;

  constructor(
    id: number,
    socket: Socket,
    limits: Readonly<ConnectionLimits>,
    hooks: ConnectionHooks,
  ) {
    assert(limits.maxInFlightRequests >= 1, 'maxInFlightRequests is at least 1');
    assert(limits.maxPendingRequests >= 1, 'maxPendingRequests is at least 1');
    this.id = id;
    this.#socket = socket;
    this.#limits = limits;
    this.#hooks = hooks;
    this.#maxOutputBufferedBytes = limits.maxOutputBufferedBytes ?? limits.maxInFlightBytes;
    assert(this.#maxOutputBufferedBytes >= 1, 'maxOutputBufferedBytes is at least 1');
    this.remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort);
    this.localAddress = formatAddress(socket.localAddress, socket.localPort);
    this.#decoder = new FrameDecoder({
      maxFrameSizeBytes: limits.maxFrameSizeBytes,
      headerLimits: limits.headerLimits,
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', this.#onWritten);
    socket.on('error', (error) => this.#onSocketError(error));
    socket.on('close', () => this.close(CloseReason.REMOTE_CLOSE));
    this.#armIdleTimer(limits.idleTimeoutMs);
  }

  get isOpen(): boolean {
    return this.#closeReason === null;
  }

  get closeReason(): CloseReason | null {
    return this.#closeReason;
  }

  /** A snapshot of counters and current load, for stats and tests. */
  inspect(): ConnectionSnapshot {
    return {
      ...this.#counters,
      pendingRequests: this.#pending.size,
      inFlightRequests: this.#inFlightRequests,
      inFlightBytes: this.#inFlightBytes,
      isPaused: this.#isPaused,
      bufferedBytes: this.#decoder.bufferedBytes,
      outputBufferedBytes: this.#outputBufferedBytes,
    };
  }

  /** Sends a request and resolves with its response, or rejects with an MqError code. */
  invoke(request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    assert(timeoutMs > 0, 'invoke timeout is positive');
    assert(!isResponse(request), 'invoke sends requests');
    if (this.#closeReason !== null) return Promise.reject(this.#closedError(request.code));
    if (this.#pending.size >= this.#limits.maxPendingRequests) {
      const message = `Cannot send ${requestCodeName(request.code)} to ${this.remoteAddress}: ${this.#pending.size} requests already await a response`;
      return Promise.reject(new MqError(ErrorCode.TOO_MANY_PENDING_REQUESTS, message));
    }
    const opaque = this.#hooks.nextOpaque();
    assert(!this.#pending.has(opaque), 'opaque not in use');
    const head = encodeCommandHead({ ...request, opaque, flag: request.flag & ~RpcFlag.ONEWAY });
    return new Promise<RemotingCommand>((resolve, reject) => {
      const timer = setTimeout(() => this.#onTimeout(opaque, timeoutMs), timeoutMs);
      this.#pending.set(opaque, { resolve, reject, timer, code: request.code });
      this.#send(head, request.body);
    });
  }

  /** Sends a request with the oneway flag; resolves once it is handed to the socket. */
  invokeOneway(request: RemotingCommand): Promise<void> {
    assert(!isResponse(request), 'invokeOneway sends requests');
    if (this.#closeReason !== null) return Promise.reject(this.#closedError(request.code));
    const opaque = this.#hooks.nextOpaque();
    const head = encodeCommandHead({ ...request, opaque, flag: request.flag | RpcFlag.ONEWAY });
    return new Promise<void>((resolve, reject) => {
      this.#send(head, request.body, (error) =>
        error ? reject(this.#closedError(request.code, error)) : resolve(),
      );
    });
  }

  /** Closes the socket and fails every pending request. Idempotent. */
  close(reason: CloseReason = CloseReason.LOCAL_CLOSE): void {
    if (this.#closeReason !== null) return;
    this.#closeReason = reason;
    this.#clearTimers();
    this.#socket.destroy();
    this.#chargeOutput();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) {
      clearTimeout(entry.timer);
      entry.reject(this.#closedError(entry.code));
    }
    assert(this.#pending.size === 0, 'no pending request survives close');
    this.#hooks.onClose(reason, this);
  }

  #closedError(code: number, cause?: unknown): MqError {
    const reason = this.#closeReason ?? CloseReason.SOCKET_ERROR;
    const message = `Connection to ${this.remoteAddress} closed (${reason}) before ${requestCodeName(code)} completed`;
    return new MqError(ErrorCode.CONNECTION_CLOSED, message, { reason }, { cause });
  }

  #onTimeout(opaque: number, timeoutMs: number): void {
    const entry = this.#pending.get(opaque);
    if (entry === undefined) return;
    this.#pending.delete(opaque);
    const message = `No response to ${requestCodeName(entry.code)} from ${this.remoteAddress} within ${timeoutMs} ms`;
    entry.reject(new MqError(ErrorCode.REQUEST_TIMEOUT, message, { opaque, timeoutMs }));
  }

  #onSocketError(error: Error): void {
    this.#log('debug', 'Socket error', { error: error.message });
    this.close(CloseReason.SOCKET_ERROR);
  }

  /**
   * Writes an encoded head and its body, uncopied. The first write of a tick corks the socket
   * and a nextTick uncorks it, so every frame written in this pass goes out in one writev.
   */
  #send(head: Buffer, body: Buffer | null, callback?: (error?: Error | null) => void): void {
    if (this.#closeReason !== null) {
      callback?.(new Error('connection closed'));
      return;
    }
    if (!this.#isCorked) {
      this.#isCorked = true;
      this.#socket.cork();
      process.nextTick(this.#uncork);
    }
    const onWritten = callback === undefined ? this.#onWritten : this.#afterWrite(callback);
    if (body === null || body.length === 0) {
      this.#socket.write(head, onWritten);
    } else {
      this.#socket.write(head);
      this.#socket.write(body, onWritten);
    }
    this.#chargeOutput();
  }

  readonly #uncork = (): void => {
    this.#isCorked = false;
    this.#socket.uncork();
  };

  /** A write completed: the kernel took bytes, so the charge shrinks and reading may resume. */
  readonly #onWritten = (): void => {
    this.#chargeOutput();
    this.#maybeResume();
  };

  #afterWrite(callback: (error?: Error | null) => void): (error?: Error | null) => void {
    return (error) => {
      this.#onWritten();
      callback(error);
    };
  }

  /** Charges the socket's unsent bytes (none once closed) to this connection and the budget. */
  #chargeOutput(): void {
    const bytes = this.#closeReason === null ? this.#socket.writableLength : 0;
    const deltaBytes = bytes - this.#outputBufferedBytes;
    if (deltaBytes === 0) return;
    this.#outputBufferedBytes = bytes;
    this.#hooks.outputBudget?.change(deltaBytes);
  }

  #onData(chunk: Buffer): void {
    this.#lastReadMs = performance.now();
    this.#decoder.push(chunk);
    this.#drain();
  }

  /** Takes decoded commands until none is left, reading is paused, or the frame is bad. */
  #drain(): void {
    if (this.#isDraining) return;
    this.#isDraining = true;
    let hasProgressed = false;
    try {
      while (!this.#isPaused && this.#closeReason === null) {
        const step = this.#decoder.next();
        if (step.kind === 'need-more') break;
        if (step.kind === 'error') {
          this.#onFrameError(step.error);
          return;
        }
        hasProgressed = true;
        if (isResponse(step.command)) this.#onResponse(step.command);
        else this.#onRequest(step.command, step.frameBytes);
      }
    } finally {
      this.#isDraining = false;
    }
    this.#updateFrameTimer(hasProgressed);
  }

  #onResponse(response: RemotingCommand): void {
    this.#counters.responsesReceived++;
    const entry = this.#pending.get(response.opaque);
    if (entry === undefined) {
      this.#counters.unmatchedResponses++;
      this.#log('debug', 'Response matches no pending request', { opaque: response.opaque });
      return;
    }
    this.#pending.delete(response.opaque);
    clearTimeout(entry.timer);
    entry.resolve(response);
  }

  #onRequest(request: RemotingCommand, frameBytes: number): void {
    this.#counters.requestsReceived++;
    this.#inFlightRequests++;
    this.#inFlightBytes += frameBytes;
    this.#maybePause();
    let result: Promise<RemotingCommand | null> | RemotingCommand | null;
    try {
      result = this.#hooks.handleRequest(request, this);
    } catch (error) {
      this.#finishRequest(request, frameBytes, null, error);
      return;
    }
    if (isPromiseLike(result)) {
      result.then(
        (response) => this.#finishRequest(request, frameBytes, response, undefined),
        (error: unknown) => this.#finishRequest(request, frameBytes, null, error ?? 'rejected'),
      );
    } else {
      this.#finishRequest(request, frameBytes, result, undefined);
    }
  }

  #finishRequest(
    request: RemotingCommand,
    frameBytes: number,
    response: RemotingCommand | null,
    error: unknown,
  ): void {
    this.#inFlightRequests--;
    this.#inFlightBytes -= frameBytes;
    assert(this.#inFlightRequests >= 0, 'in-flight count never negative');
    if (error instanceof AssertionError) {
      queueMicrotask(() => {
        throw error;
      });
      return;
    }
    let answer = response;
    if (error !== undefined) {
      this.#counters.handlerErrors++;
      const message = error instanceof Error ? error.message : String(error);
      this.#log('warn', 'Request handler failed', { code: request.code, error: message });
      answer = createResponse(request, ResponseCode.SYSTEM_ERROR, message);
    }
    if (answer !== null && !isOneway(request) && this.#closeReason === null) {
      answer.opaque = request.opaque;
      answer.flag = (answer.flag | RpcFlag.RESPONSE) & ~RpcFlag.ONEWAY;
      answer.serializeTypeCurrentRPC = request.serializeTypeCurrentRPC;
      this.#send(encodeCommandHead(answer), answer.body, answer.onWritten);
    }
    this.#maybePause();
    this.#maybeResume();
  }

  #isOverloaded(): boolean {
    return (
      this.#inFlightRequests >= this.#limits.maxInFlightRequests ||
      this.#inFlightBytes >= this.#limits.maxInFlightBytes ||
      this.#outputBufferedBytes >= this.#maxOutputBufferedBytes ||
      (this.#outputBufferedBytes > 0 && this.#hooks.outputBudget?.isOver() === true)
    );
  }

  #maybePause(): void {
    if (this.#isPaused || !this.#isOverloaded()) return;
    this.#isPaused = true;
    this.#counters.readPauses++;
    this.#socket.pause();
    this.#clearFrameTimer();
  }

  #maybeResume(): void {
    if (!this.#isPaused || this.#isOverloaded() || this.#closeReason !== null) return;
    this.#isPaused = false;
    this.#socket.resume();
    this.#drain();
  }

  #onFrameError(error: FrameError): void {
    this.#hooks.onProtocolError(error, this);
    this.#log('warn', 'Closing connection after a bad frame', {
      reason: error.reason,
      message: error.message,
    });
    const canAnswer = error.opaque !== null && ((error.flag ?? 0) & RpcFlag.ONEWAY) === 0;
    if (!canAnswer || ((error.flag ?? 0) & RpcFlag.RESPONSE) !== 0) {
      this.close(CloseReason.PROTOCOL_ERROR);
      return;
    }
    const answer: RemotingCommand = {
      code: ResponseCode.SYSTEM_ERROR,
      language: 'JAVA',
      version: PETREL_WIRE_VERSION,
      opaque: error.opaque ?? 0,
      flag: RpcFlag.RESPONSE,
      remark: `Bad request header: ${error.message}`,
      extFields: createExtFields(),
      body: null,
      serializeTypeCurrentRPC: error.serializeType ?? 'JSON',
    };
    this.#socket.pause();
    this.#send(encodeCommandHead(answer), null, () => this.close(CloseReason.PROTOCOL_ERROR));
    setTimeout(() => this.close(CloseReason.PROTOCOL_ERROR), 1000).unref();
  }

  #armIdleTimer(delayMs: number): void {
    if (this.#limits.idleTimeoutMs <= 0 || this.#closeReason !== null) return;
    this.#idleTimer = setTimeout(() => this.#onIdleTimer(), delayMs);
    this.#idleTimer.unref();
  }

  #onIdleTimer(): void {
    const idleMs = performance.now() - this.#lastReadMs;
    const isBusy = this.#pending.size > 0 || this.#inFlightRequests > 0;
    if (idleMs >= this.#limits.idleTimeoutMs && !isBusy) {
      this.#log('info', 'Closing idle connection', { idleMs: Math.round(idleMs) });
      this.close(CloseReason.IDLE_TIMEOUT);
      return;
    }
    this.#armIdleTimer(Math.max(1, this.#limits.idleTimeoutMs - (isBusy ? 0 : idleMs)));
  }

  /** The timer runs while a partial frame waits for bytes; each completed frame restarts it. */
  #updateFrameTimer(hasProgressed: boolean): void {
    if (this.#limits.frameReadTimeoutMs <= 0 || this.#closeReason !== null) return;
    const isWaitingForBytes = this.#decoder.bufferedBytes > 0 && !this.#isPaused;
    if (hasProgressed || !isWaitingForBytes) this.#clearFrameTimer();
    if (isWaitingForBytes && this.#frameTimer === null) {
      this.#frameTimer = setTimeout(() => {
        this.#log('info', 'Closing connection: frame not completed in time', {
          frameReadTimeoutMs: this.#limits.frameReadTimeoutMs,
        });
        this.close(CloseReason.FRAME_READ_TIMEOUT);
      }, this.#limits.frameReadTimeoutMs);
      this.#frameTimer.unref();
    }
  }

  #clearFrameTimer(): void {
    if (this.#frameTimer !== null) clearTimeout(this.#frameTimer);
    this.#frameTimer = null;
  }

  #clearTimers(): void {
    this.#clearFrameTimer();
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  #log(level: keyof Logger, message: string, fields: LogFields): void {
    this.#hooks.logger[level](message, {
      connectionId: this.id,
      remoteAddress: this.remoteAddress,
      ...fields,
    });
  }
}
