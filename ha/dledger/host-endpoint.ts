// HostEndpoint: the host side of host-channel.ts. It feeds a RaftHost the proposals read from the
// requests ring (all proposals found in one read go in as one submitAll, so they share a save and
// an fsync) and writes the host's committed entries, proposal outcomes, role changes, status and
// log lines to the events ring, in the host's order. Its `apply`, `onRoleChange` and `onFatal`
// are the RaftHost's callbacks. Thread-agnostic: the DLedger worker runs it next to the host, the
// unit tests run both ends on one thread.
//
// Bounds: at most maxRequestsPerRead proposals per read; events that find the ring full wait in an
// outbox whose size is bounded by the host's own bounds (one outcome per pending proposal, the
// committed entries of one Ready, a few control events); apply() returns a promise while the
// outbox is not empty, which holds the host's next Ready: the owner's pace limits the host.

import { assert } from '../../common/assert.js';
import type { SpscRing } from '../../workers/ring/spsc-ring.js';
import type { Entry, Role } from '../raft/messages.js';
import {
  APPLY_HEADER_BYTES,
  EventType,
  encodeApply,
  type FatalEvent,
  type HostStatusEvent,
  jsonBytes,
  type LogEvent,
  outcomeBytes,
  RequestType,
  type RoleEvent,
  setOutcomeSeq,
  utf8Text,
} from './host-channel.js';
import type { ProposeOutcome, RaftScheduler } from './host-types.js';
import type { Proposal, RaftHost } from './raft-host.js';

export interface HostEndpointOptions {
  /** Owner -> host (this side consumes). */
  readonly requests: SpscRing;
  /** Host -> owner (this side produces). */
  readonly events: SpscRing;
  readonly scheduler: RaftScheduler;
  /** How often the host's status is published, ms. */
  readonly statusIntervalMs: number;
  /** Events waiting for room in the ring beyond which the endpoint stops (a bug). */
  readonly maxOutboxRecords: number;
  readonly maxRequestsPerRead?: number;
  /** When a message last came from each peer (ms since the epoch), published with the status. */
  readonly lastHeardMs?: () => Readonly<Record<string, number>>;
}

/** A bounded wait, so a closed ring is noticed even without a wake-up. */
const WAIT_MS = 1000;

export class HostEndpoint {
  readonly #o: HostEndpointOptions;
  #host: RaftHost | null = null;
  readonly #outbox: Array<{ type: number; bytes: Uint8Array }> = [];
  #drained: Array<() => void> = [];
  #isFlushing = false;
  #isClosed = false;
  #cancelStatus: (() => void) | null = null;

  constructor(options: HostEndpointOptions) {
    assert(options.maxOutboxRecords >= 1, 'host endpoint: maxOutboxRecords must be positive');
    this.#o = options;
  }

  /** RaftHost `apply`: committed entries go to the owner; held while the ring is full. */
  readonly apply = (entries: readonly Entry[]): void | Promise<void> => {
    for (const entry of entries) {
      this.#emit(EventType.APPLY, APPLY_HEADER_BYTES + entry.data.length, (bytes, view, at) =>
        encodeApply(bytes, view, at, entry),
      );
    }
    if (this.#outbox.length === 0 || this.#isClosed) return;
    return new Promise((resolve) => this.#drained.push(resolve));
  };

  readonly onRoleChange = (role: Role, term: number, leaderId: string | null): void => {
    this.#emitJson(EventType.ROLE, { role, term, leaderId } satisfies RoleEvent);
    // A new leader's followers are known at once: the owner need not wait for the next status.
    const host = this.#host;
    if (host !== null) this.#emitJson(EventType.STATUS, this.#statusOf(host));
  };

  readonly onFatal = (error: Error): void => {
    const code = (error as { code?: unknown }).code;
    const event: FatalEvent = {
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
    };
    this.#emitJson(EventType.FATAL, event);
  };

  log(level: LogEvent['level'], message: string, details?: Record<string, unknown>): void {
    if (level === 'debug' && this.#outbox.length > 0) return; // dropped while the owner lags
    this.#emitJson(EventType.LOG, { level, message, ...(details ? { details } : {}) });
  }

  /** Starts serving `host` (created with this endpoint's callbacks). */
  attach(host: RaftHost): void {
    assert(this.#host === null, 'host endpoint: attached twice');
    this.#host = host;
    // At most one status waits for room: a stalled owner must not fill the outbox with them, and a
    // busy one (the ring full of applied entries) still hears of its followers.
    this.#cancelStatus = this.#o.scheduler.repeat(this.#o.statusIntervalMs, () => {
      if (!this.#outbox.some((record) => record.type === EventType.STATUS))
        this.#emitJson(EventType.STATUS, this.#statusOf(host));
    });
    this.#emitJson(EventType.STATUS, this.#statusOf(host));
    void this.#serve(host);
  }

  /** The host's status with the leader's view of its followers and when each peer was heard. */
  #statusOf(host: RaftHost): HostStatusEvent {
    return {
      ...host.status(),
      followers: host.followers(),
      lastHeardMs: this.#o.lastHeardMs?.() ?? {},
    };
  }

  /** Closes the host (its pending proposals are answered CLOSED), then the events ring. */
  close(): void {
    if (this.#isClosed) return;
    this.#host?.close();
    this.#cancelStatus?.();
    this.#emitJson(EventType.STATUS, this.#host?.status() ?? null);
    this.#isClosed = true;
    this.#flushNow();
    this.#outbox.length = 0;
    this.#o.events.close();
    for (const resolve of this.#drained.splice(0)) resolve();
  }

  async #serve(host: RaftHost): Promise<void> {
    const { requests } = this.#o;
    const maxRead = this.#o.maxRequestsPerRead ?? 4096;
    const proposals: Proposal[] = [];
    while (!this.#isClosed) {
      const read = requests.drain((type, _flags, at, length) => {
        const seq = requests.view.getUint32(at, true);
        if (type === RequestType.PROPOSE) {
          const data = requests.bytes.slice(at + 4, at + length);
          proposals.push({ data, settle: (outcome) => this.#emitOutcome(seq, outcome) });
        } else if (type === RequestType.TRANSFER) {
          const result = host.transferLeadership(utf8Text(requests.bytes, at + 4, length - 4));
          this.#emitJson(EventType.TRANSFERRED, { seq, result });
        }
      }, maxRead);
      if (proposals.length > 0) host.submitAll(proposals.splice(0));
      if (read > 0) {
        // Let sockets and ticks run between reads.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      if (requests.state === 'CLOSED' || requests.state === 'FAILED') return;
      await requests.waitForDataAsync(WAIT_MS);
    }
  }

  #emitOutcome(seq: number, outcome: ProposeOutcome): void {
    const record = outcomeBytes(outcome);
    setOutcomeSeq(record, seq);
    this.#emit(EventType.OUTCOME, record.length, (bytes, _view, at) => bytes.set(record, at));
  }

  #emitJson(type: number, value: unknown): void {
    const body = jsonBytes(value);
    this.#emit(type, body.length, (bytes, _view, at) => bytes.set(body, at));
  }

  #emit(
    type: number,
    length: number,
    write: (bytes: Uint8Array, view: DataView, at: number) => void,
  ): void {
    if (this.#isClosed) return;
    const { events } = this.#o;
    if (this.#outbox.length === 0) {
      const at = events.reserve(length);
      if (at >= 0) {
        write(events.bytes, events.view, at);
        events.commit(type);
        return;
      }
      if (events.state !== 'OPEN') return; // the owner is gone
    }
    assert(this.#outbox.length < this.#o.maxOutboxRecords, 'host endpoint: outbox overflow');
    const bytes = new Uint8Array(length);
    write(bytes, new DataView(bytes.buffer), 0);
    this.#outbox.push({ type, bytes });
    void this.#flush();
  }

  /** Writes what fits now; false when something is left. */
  #flushNow(): boolean {
    const { events } = this.#o;
    while (this.#outbox.length > 0) {
      const first = this.#outbox[0] as { type: number; bytes: Uint8Array };
      if (events.tryWrite(first.type, first.bytes) !== 'OK') return false;
      this.#outbox.shift();
    }
    return true;
  }

  async #flush(): Promise<void> {
    if (this.#isFlushing) return;
    this.#isFlushing = true;
    try {
      while (!this.#isClosed && !this.#flushNow()) {
        if (this.#o.events.state !== 'OPEN') return;
        const first = this.#outbox[0] as { bytes: Uint8Array };
        await this.#o.events.waitForSpaceAsync(first.bytes.length, WAIT_MS);
      }
      for (const resolve of this.#drained.splice(0)) resolve();
    } finally {
      this.#isFlushing = false;
    }
  }
}
