// The worker half of worker-host.ts, for entry files: unpacks workerData, posts READY and CLOSED,
// delivers CLOSE, and turns any error that escapes the entry into FATAL (wire form, code kept)
// followed by exit code 1.
//
// Two ways to receive CLOSE, one per worker kind:
// - An event-loop worker calls onControl(listener); the control port then delivers messages as
//   events and keeps the worker alive until closed().
// - A worker that loops in Atomics.wait (a ring consumer) never returns to its event loop, so it
//   cannot receive message events while blocked. It calls pollControl() between waits: that reads
//   the control port with receiveMessageOnPort, without blocking. Such a loop must wait with a
//   bounded timeout (or have its ring closed by the host, which wakes it) so that it polls in time.

import {
  isMainThread,
  type MessagePort,
  parentPort,
  receiveMessageOnPort,
  workerData,
} from 'node:worker_threads';
import { assert } from '../../common/assert.js';
import {
  type ClosedMessage,
  type FatalMessage,
  type HostToWorkerMessage,
  isWorkerEnvelope,
  parseHostToWorker,
  type ReadyMessage,
} from './control-messages.js';
import { errorToWire } from './error-wire.js';

export interface WorkerContext<T> {
  readonly name: string;
  /** The workerData given to spawnWorker. */
  readonly data: T;
  /** Tells the host the worker is initialised; spawnWorker resolves on it. */
  ready(): void;
  /** Non-blocking: the next message from the host, if one is queued. */
  pollControl(): HostToWorkerMessage | undefined;
  /** Event-driven alternative to pollControl (use one or the other). */
  onControl(listener: (message: HostToWorkerMessage) => void): void;
  /** Tells the host the worker has finished its work after CLOSE; the host then ends the thread. */
  closed(): void;
}

type ControlMode = 'none' | 'poll' | 'events';

class WorkerSide<T> implements WorkerContext<T> {
  readonly name: string;
  readonly data: T;
  readonly #port: MessagePort;
  readonly #parent: MessagePort;
  #readySent = false;
  #closedSent = false;
  #mode: ControlMode = 'none';

  constructor(parent: MessagePort, envelope: unknown) {
    assert(isWorkerEnvelope(envelope), 'worker-side: workerData was not made by spawnWorker');
    this.name = envelope.name;
    this.data = envelope.data as T;
    this.#port = envelope.controlPort;
    this.#parent = parent;
  }

  ready(): void {
    assert(!this.#readySent, 'worker-side: READY sent twice');
    this.#readySent = true;
    const message: ReadyMessage = { type: 'READY' };
    this.#parent.postMessage(message);
  }

  pollControl(): HostToWorkerMessage | undefined {
    assert(this.#mode !== 'events', 'worker-side: pollControl after onControl');
    this.#mode = 'poll';
    const received = receiveMessageOnPort(this.#port);
    if (received === undefined) return undefined;
    return this.#parse(received.message);
  }

  onControl(listener: (message: HostToWorkerMessage) => void): void {
    assert(this.#mode === 'none', 'worker-side: onControl set twice or after pollControl');
    this.#mode = 'events';
    this.#port.on('message', (raw: unknown) => listener(this.#parse(raw)));
  }

  closed(): void {
    assert(this.#readySent, 'worker-side: CLOSED before READY');
    assert(!this.#closedSent, 'worker-side: CLOSED sent twice');
    this.#closedSent = true;
    const message: ClosedMessage = { type: 'CLOSED' };
    this.#parent.postMessage(message);
    this.#port.close();
  }

  #parse(raw: unknown): HostToWorkerMessage {
    const message = parseHostToWorker(raw);
    assert(message !== undefined, 'worker-side: the host sent an unknown control message');
    return message;
  }
}

/** Posts FATAL with the error in wire form and ends the thread with exit code 1. */
function exitFatal(parent: MessagePort, error: unknown): never {
  const wire = errorToWire(error);
  const message: FatalMessage = { type: 'FATAL', error: wire };
  try {
    parent.postMessage(message);
  } catch (cloneError) {
    // Details that cannot be cloned (a function, a socket) must not hide the error itself.
    const plain: FatalMessage = {
      type: 'FATAL',
      error: { ...wire, details: { uncloneableDetails: String(cloneError) } },
    };
    parent.postMessage(plain);
  }
  // Messages posted on parentPort reach the host before it sees this exit.
  process.exit(1);
}

/**
 * Runs a worker entry. main gets the context; whatever it throws or rejects with, and any later
 * uncaught exception or unhandled rejection in the thread, becomes FATAL and exit code 1.
 */
export function runWorker<T>(main: (context: WorkerContext<T>) => void | Promise<void>): void {
  assert(!isMainThread, 'worker-side: runWorker called on the main thread');
  const parent = parentPort;
  assert(parent !== null, 'worker-side: no parent port');
  process.on('uncaughtException', (error) => exitFatal(parent, error));
  process.on('unhandledRejection', (reason) => exitFatal(parent, reason));
  let result: void | Promise<void>;
  try {
    result = main(new WorkerSide<T>(parent, workerData));
  } catch (error) {
    exitFatal(parent, error);
  }
  if (result instanceof Promise)
    result.then(undefined, (error: unknown) => exitFatal(parent, error));
}
