// Control messages between a worker host and its worker thread. They are rare (start, stop,
// fatal errors); bulk data goes through SharedArrayBuffer rings instead.
//
//   worker -> host, on parentPort:   READY, CLOSED, FATAL { error: WireError }
//   host -> worker, on controlPort:  CLOSE
//
// Worker-to-host messages use parentPort because Node delivers everything posted there before it
// emits the worker's 'exit' event, so a FATAL is never lost to a racing exit. Host-to-worker
// messages use a dedicated MessageChannel port (sent in workerData) so that a worker blocked in
// Atomics.wait can still poll it with receiveMessageOnPort between waits.

import type { MessagePort } from 'node:worker_threads';
import { isWireError, type WireError } from './error-wire.js';

export const ControlType = {
  READY: 'READY',
  CLOSE: 'CLOSE',
  CLOSED: 'CLOSED',
  FATAL: 'FATAL',
} as const;
export type ControlType = (typeof ControlType)[keyof typeof ControlType];

export interface ReadyMessage {
  readonly type: 'READY';
}
export interface CloseMessage {
  readonly type: 'CLOSE';
}
export interface ClosedMessage {
  readonly type: 'CLOSED';
}
export interface FatalMessage {
  readonly type: 'FATAL';
  readonly error: WireError;
}

export type WorkerToHostMessage = ReadyMessage | ClosedMessage | FatalMessage;
export type HostToWorkerMessage = CloseMessage;

/** What spawnWorker puts in workerData; worker-side.ts unpacks it. */
export interface WorkerEnvelope<T> {
  readonly kind: 'petrel-worker';
  readonly name: string;
  readonly controlPort: MessagePort;
  readonly data: T;
}

function typeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null
    ? (value as { type?: unknown }).type
    : undefined;
}

/** Validates a message received from a worker; undefined when it is not a control message. */
export function parseWorkerToHost(value: unknown): WorkerToHostMessage | undefined {
  switch (typeOf(value)) {
    case ControlType.READY:
      return { type: 'READY' };
    case ControlType.CLOSED:
      return { type: 'CLOSED' };
    case ControlType.FATAL: {
      const error = (value as { error?: unknown }).error;
      return isWireError(error) ? { type: 'FATAL', error } : undefined;
    }
    default:
      return undefined;
  }
}

/** Validates a message received from the host; undefined when it is not a control message. */
export function parseHostToWorker(value: unknown): HostToWorkerMessage | undefined {
  return typeOf(value) === ControlType.CLOSE ? { type: 'CLOSE' } : undefined;
}

export function isWorkerEnvelope(value: unknown): value is WorkerEnvelope<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const envelope = value as Record<string, unknown>;
  return (
    envelope['kind'] === 'petrel-worker' &&
    typeof envelope['name'] === 'string' &&
    typeof envelope['controlPort'] === 'object' &&
    envelope['controlPort'] !== null
  );
}
