// Spawns and supervises one worker thread: READY handshake with a deadline, CLOSE -> CLOSED
// shutdown with a deadline, and a report of every exit the host did not agree to.
//
// Lifecycle of a handle: STARTING -> RUNNING -> CLOSING -> EXITED (or STARTING -> EXITED).
// Invariants:
// - spawnWorker settles exactly once: with a handle on READY, or with E_WORKER_START_TIMEOUT or
//   E_WORKER_EXITED, and in the error cases only after the thread has exited.
// - Every exit that did not follow a CLOSED message (a crash, a FATAL error, process.exit in the
//   worker, a forced terminate) is reported once to every exit listener as E_WORKER_EXITED, with
//   the worker's own error (code kept, rebuilt from its wire form) as `cause`. The engine fails its
//   pending operations from that listener, so nothing waits on a dead worker.
// - close() always settles: on CLOSED, on an exit, or by terminate() when the deadline passes.
//
// The worker is ref'd (keeps the process alive) until it exits or unref() is called. That is
// also what keeps the process alive while the host awaits a ring with Atomics.waitAsync.

import {
  MessageChannel,
  type MessagePort,
  type TransferListItem,
  Worker,
} from 'node:worker_threads';
import { assert } from '../../common/assert.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import {
  type CloseMessage,
  parseWorkerToHost,
  type WorkerEnvelope,
  type WorkerToHostMessage,
} from './control-messages.js';
import { errorFromWire } from './error-wire.js';

export interface SpawnWorkerOptions<T> {
  /** The compiled entry file, e.g. new URL('./flush-worker.js', import.meta.url). */
  readonly entry: URL;
  /** Structured-cloneable data for the worker (SharedArrayBuffers are shared, not copied). */
  readonly workerData: T;
  readonly readyTimeoutMs: number;
  /** Used in thread names and error messages: 'commitlog-writer', 'flush', 'ha-sender'. */
  readonly name: string;
  readonly transferList?: readonly TransferListItem[];
}

export type WorkerExitListener = (error: MqError) => void;

export type WorkerCloseResult =
  | { readonly outcome: 'CLOSED' }
  | { readonly outcome: 'TERMINATED'; readonly error: MqError }
  | { readonly outcome: 'EXITED'; readonly error: MqError };

export interface WorkerHandle {
  readonly name: string;
  readonly threadId: number;
  /** True once the thread has exited, for whatever reason. */
  readonly exited: boolean;
  /**
   * Calls listener once with E_WORKER_EXITED if the worker exits without confirming CLOSED (at
   * once, asynchronously, if that already happened). Listeners must not throw. Returns a remover.
   */
  onExit(listener: WorkerExitListener): () => void;
  /** CLOSE, wait for CLOSED, terminate after deadlineMs. Idempotent; never rejects. */
  close(deadlineMs: number): Promise<WorkerCloseResult>;
  ref(): void;
  unref(): void;
}

const preloadFlags = ['--import', '--require', '-r', '--loader', '--experimental-loader'];

/**
 * The parent's execArgv without preload flags (and their values): a loader or preload script is
 * for the main thread's entry and must not run again, or fail, in every worker (pino and
 * thread-stream learned this). Without preload flags it is undefined: the worker then inherits
 * the parent's options unchecked, whereas an explicit list is checked and Node refuses V8 and
 * per-process flags in it (--max-old-space-size, --stack-trace-limit; Node 24's test runner hands
 * every test process a list full of them).
 */
export function workerExecArgv(execArgv: readonly string[]): string[] | undefined {
  if (!execArgv.some((arg) => preloadFlags.some((f) => arg === f || arg.startsWith(`${f}=`)))) {
    return undefined;
  }
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] ?? '';
    if (preloadFlags.includes(arg)) {
      i++;
      continue;
    }
    if (preloadFlags.some((flag) => arg.startsWith(`${flag}=`))) continue;
    kept.push(arg);
  }
  return kept;
}

/** Starts a worker and resolves once it has posted READY. */
export function spawnWorker<T>(options: SpawnWorkerOptions<T>): Promise<WorkerHandle> {
  if (!(options.entry instanceof URL))
    throw new TypeError('Cannot spawn worker: entry is not a URL');
  if (typeof options.name !== 'string' || options.name === '') {
    throw new TypeError('Cannot spawn worker: name is empty');
  }
  if (!Number.isFinite(options.readyTimeoutMs) || options.readyTimeoutMs <= 0) {
    throw new RangeError(
      `Cannot spawn worker "${options.name}": readyTimeoutMs ${options.readyTimeoutMs} is not a positive number`,
    );
  }
  const { port1, port2 } = new MessageChannel();
  const envelope: WorkerEnvelope<T> = {
    kind: 'petrel-worker',
    name: options.name,
    controlPort: port2,
    data: options.workerData,
  };
  let worker: Worker;
  try {
    worker = new Worker(options.entry, {
      workerData: envelope,
      transferList: [port2, ...(options.transferList ?? [])],
      execArgv: workerExecArgv(process.execArgv),
      name: options.name,
    });
  } catch (error) {
    // Uncloneable workerData or a bad option: nothing started, so nothing else to clean up.
    port1.close();
    port2.close();
    throw error;
  }
  return new HostedWorker(worker, port1, options.name).start(options.readyTimeoutMs);
}

const Phase = { STARTING: 1, RUNNING: 2, CLOSING: 3, EXITED: 4 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

interface Deferred<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

class HostedWorker implements WorkerHandle {
  readonly name: string;
  readonly threadId: number;
  readonly #worker: Worker;
  readonly #controlPort: MessagePort;
  #phase: Phase = Phase.STARTING;
  #start: Deferred<WorkerHandle> | undefined;
  #startTimer: NodeJS.Timeout | undefined;
  #startTimedOut = false;
  #closedConfirmed = false;
  #closeDeadlinePassed = false;
  #closing: Promise<WorkerCloseResult> | undefined;
  #onExited: (() => void) | undefined;
  /** The first error the worker reported (FATAL) or raised ('error'), kept as the cause. */
  #workerError: Error | undefined;
  #exitError: MqError | undefined;
  #listeners: WorkerExitListener[] = [];

  constructor(worker: Worker, controlPort: MessagePort, name: string) {
    this.name = name;
    this.threadId = worker.threadId;
    this.#worker = worker;
    this.#controlPort = controlPort;
    worker.on('message', (message: unknown) => this.#onMessage(message));
    worker.on('error', (error: Error) => this.#onWorkerError(error));
    worker.on('messageerror', (error: Error) => this.#onWorkerError(error));
    worker.once('exit', (exitCode: number) => this.#onExit(exitCode));
  }

  get exited(): boolean {
    return this.#phase === Phase.EXITED;
  }

  start(readyTimeoutMs: number): Promise<WorkerHandle> {
    assert(this.#start === undefined, 'worker-host: started twice');
    return new Promise<WorkerHandle>((resolve, reject) => {
      this.#start = { resolve, reject };
      this.#startTimer = setTimeout(() => {
        this.#startTimedOut = true;
        this.#terminate();
      }, readyTimeoutMs);
    });
  }

  onExit(listener: WorkerExitListener): () => void {
    const exitError = this.#exitError;
    if (exitError !== undefined) {
      queueMicrotask(() => listener(exitError));
      return () => undefined;
    }
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  close(deadlineMs: number): Promise<WorkerCloseResult> {
    assert(Number.isFinite(deadlineMs) && deadlineMs >= 0, 'worker-host: bad close deadline');
    assert(this.#phase !== Phase.STARTING, 'worker-host: close before READY');
    this.#closing ??= this.#runClose(deadlineMs);
    return this.#closing;
  }

  ref(): void {
    this.#worker.ref();
  }

  unref(): void {
    this.#worker.unref();
  }

  async #runClose(deadlineMs: number): Promise<WorkerCloseResult> {
    if (this.#phase !== Phase.EXITED) {
      this.#phase = Phase.CLOSING;
      const exited = new Promise<void>((resolve) => {
        this.#onExited = resolve;
      });
      const close: CloseMessage = { type: 'CLOSE' };
      this.#controlPort.postMessage(close);
      const timer = setTimeout(() => {
        this.#closeDeadlinePassed = true;
        this.#terminate();
      }, deadlineMs);
      await exited;
      clearTimeout(timer);
    }
    if (this.#closedConfirmed) return { outcome: 'CLOSED' };
    const error = this.#exitError;
    assert(error !== undefined, 'worker-host: exit without CLOSED left no error');
    return this.#closeDeadlinePassed
      ? { outcome: 'TERMINATED', error }
      : { outcome: 'EXITED', error };
  }

  #onMessage(raw: unknown): void {
    const message = parseWorkerToHost(raw);
    if (message === undefined) {
      this.#protocolError('sent a message that is not a control message');
      return;
    }
    this.#onControl(message);
  }

  #onControl(message: WorkerToHostMessage): void {
    switch (message.type) {
      case 'READY':
        if (this.#phase !== Phase.STARTING) {
          this.#protocolError('sent READY twice');
          return;
        }
        this.#phase = Phase.RUNNING;
        clearTimeout(this.#startTimer);
        this.#start?.resolve(this);
        return;
      case 'CLOSED':
        if (this.#phase !== Phase.CLOSING) {
          this.#protocolError('sent CLOSED unasked');
          return;
        }
        this.#closedConfirmed = true;
        // The worker is done; ending the thread here means a stray handle cannot keep it alive.
        this.#terminate();
        return;
      case 'FATAL':
        this.#workerError ??= errorFromWire(message.error);
        // A worker that reported FATAL must not linger, whatever its entry does next.
        this.#terminate();
        return;
    }
  }

  #onWorkerError(error: Error): void {
    this.#workerError ??= error;
  }

  #protocolError(what: string): void {
    this.#workerError ??= new MqError(
      ErrorCode.WORKER_EXITED,
      `Worker "${this.name}" ${what}; terminating it`,
      { name: this.name },
    );
    this.#terminate();
  }

  #terminate(): void {
    this.#worker.terminate().then(
      () => undefined,
      (error: unknown) => {
        this.#workerError ??= error instanceof Error ? error : new Error(String(error));
      },
    );
  }

  #onExit(exitCode: number): void {
    const phaseAtExit = this.#phase;
    this.#phase = Phase.EXITED;
    clearTimeout(this.#startTimer);
    this.#controlPort.close();
    if (!this.#closedConfirmed) this.#exitError = this.#makeExitError(exitCode, phaseAtExit);
    if (phaseAtExit === Phase.STARTING) this.#rejectStart(exitCode);
    else if (this.#exitError !== undefined) {
      const listeners = this.#listeners;
      this.#listeners = [];
      for (const listener of listeners) listener(this.#exitError);
    }
    this.#onExited?.();
  }

  #makeExitError(exitCode: number, phaseAtExit: Phase): MqError {
    const cause = this.#workerError;
    const how =
      phaseAtExit === Phase.CLOSING && this.#closeDeadlinePassed
        ? 'was terminated after its close deadline'
        : `exited with code ${exitCode}`;
    const why = cause === undefined ? '' : `: ${cause.message}`;
    const details = {
      name: this.name,
      threadId: this.threadId,
      exitCode,
      workerErrorCode: (cause as { code?: unknown } | undefined)?.code,
    };
    return new MqError(ErrorCode.WORKER_EXITED, `Worker "${this.name}" ${how}${why}`, details, {
      cause,
    });
  }

  #rejectStart(exitCode: number): void {
    if (!this.#startTimedOut) {
      this.#start?.reject(this.#exitError);
      return;
    }
    const error = new MqError(
      ErrorCode.WORKER_START_TIMEOUT,
      `Worker "${this.name}" did not report READY in time; terminated it (exit code ${exitCode})`,
      { name: this.name, threadId: this.threadId },
    );
    this.#start?.reject(error);
  }
}
