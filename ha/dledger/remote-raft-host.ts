// RemoteRaftHost: the owner side of host-channel.ts, for a RaftHost that runs on another thread
// (the DLedger worker) behind a HostEndpoint. It offers what the broker uses of RaftHost (submit,
// propose, role, term, leaderId, commitIndex, status, transferLeadership) and runs the state
// machine: committed entries reach `apply` here, in log order, before the outcomes of their
// proposals, so a COMMITTED outcome still means "a majority holds it and it is applied here".
//
// Bounds: pending proposals (maxPendingProposals; beyond it, or when the requests ring is full,
// submit answers BUSY at once); pending transfers (maxPendingTransfers); events read per turn.
// Role, term and leader mirror the host's ROLE events, in order with the entries, so a role check
// made while applying an entry sees the role the host had when it committed that entry.

import { ErrorCode, MqError } from '../../common/errors.js';
import type { SpscRing } from '../../workers/ring/spsc-ring.js';
import { type Entry, Role } from '../raft/messages.js';
import type { FollowerStatus, TransferResult } from '../raft/ready.js';
import {
  CopyArena,
  decodeApply,
  decodeJson,
  decodeOutcome,
  EventType,
  type FatalEvent,
  type HostStatusEvent,
  type LogEvent,
  type ProposalBody,
  RequestType,
  type RoleEvent,
  type TransferredEvent,
  utf8Bytes,
} from './host-channel.js';
import {
  type ProposeOutcome,
  ProposeStatus,
  type RaftHostStatus,
  type RoleChangeListener,
} from './host-types.js';

export interface RemoteRaftHostOptions {
  readonly id: string;
  /** Owner -> host (this side produces). */
  readonly requests: SpscRing;
  /** Host -> owner (this side consumes). */
  readonly events: SpscRing;
  /**
   * The state machine, as RaftHostOptions.apply; a throw or rejection stops this side. Entries'
   * data is valid until apply returns (or its promise settles): copy what must be kept longer.
   */
  readonly apply: (entries: readonly Entry[]) => void | PromiseLike<void>;
  readonly onRoleChange?: RoleChangeListener;
  readonly onFatal?: (error: Error) => void;
  readonly onLog?: (event: LogEvent) => void;
  readonly maxPendingProposals: number;
  readonly maxPendingTransfers?: number;
}

const WAIT_MS = 1000;
const MAX_EVENTS_PER_TURN = 4096;

type Event =
  | { readonly type: typeof EventType.APPLY; readonly entry: Entry }
  | { readonly type: typeof EventType.OUTCOME; readonly seq: number; outcome: ProposeOutcome }
  | { readonly type: number; readonly json: unknown };

export class RemoteRaftHost {
  readonly id: string;
  readonly #o: RemoteRaftHostOptions;
  readonly #pending = new Map<number, (outcome: ProposeOutcome) => void>();
  readonly #transfers = new Map<number, (result: TransferResult) => void>();
  #seq = 0;
  #role: Role = Role.FOLLOWER;
  #term = 0;
  #leaderId: string | null = null;
  #applied = 0;
  #status: HostStatusEvent | null = null;
  #isClosed = false;
  #failure: Error | null = null;
  #running: Promise<void> | null = null;
  /** Applied entries' data, valid until the next #take (the turn's #handle has finished by then). */
  readonly #arena = new CopyArena();

  constructor(options: RemoteRaftHostOptions) {
    this.id = options.id;
    this.#o = options;
    options.requests.deferWakes();
  }

  /** Starts reading events; resolves when the host side has closed its ring (or this side failed). */
  start(): Promise<void> {
    this.#running ??= this.#run();
    return this.#running;
  }

  propose(data: Uint8Array): Promise<ProposeOutcome> {
    return new Promise((resolve) => this.submit(data, resolve));
  }

  /**
   * As RaftHost.submit: `settle` is called exactly once (at once for a refusal). `data` may be a
   * ProposalBody, written straight into the request ring.
   */
  submit(data: Uint8Array | ProposalBody, settle: (outcome: ProposeOutcome) => void): void {
    if (this.#isClosed) {
      settle(this.#refusal(this.#failure === null ? ProposeStatus.CLOSED : 'STORAGE_FAILED'));
      return;
    }
    if (this.#pending.size >= this.#o.maxPendingProposals) {
      settle(this.#refusal(ProposeStatus.BUSY));
      return;
    }
    const seq = this.#nextSeq();
    if (!this.#request(RequestType.PROPOSE, seq, data)) {
      settle(this.#refusal(ProposeStatus.BUSY));
      return;
    }
    this.#pending.set(seq, settle);
  }

  /** DLedger LEADERSHIP_TRANSFER, answered by the host. */
  transferLeadership(transferee: string): Promise<TransferResult> {
    const max = this.#o.maxPendingTransfers ?? 16;
    if (this.#isClosed || this.#transfers.size >= max) {
      return Promise.resolve({ status: 'NOT_LEADER', leaderId: this.#leaderId });
    }
    const seq = this.#nextSeq();
    if (!this.#request(RequestType.TRANSFER, seq, utf8Bytes(transferee))) {
      return Promise.resolve({ status: 'NOT_LEADER', leaderId: this.#leaderId });
    }
    return new Promise((resolve) => this.#transfers.set(seq, resolve));
  }

  get role(): Role {
    return this.#role;
  }

  get term(): number {
    return this.#term;
  }

  get leaderId(): string | null {
    return this.#leaderId;
  }

  /** The host's commit index as last reported (at least the last entry applied here). */
  get commitIndex(): number {
    return Math.max(this.#applied, this.#status?.commitIndex ?? 0);
  }

  /** The host's last published status (null before the first). */
  status(): RaftHostStatus | null {
    return this.#status;
  }

  /** The leader's view of its followers, as last published (empty unless leader). */
  followers(): readonly FollowerStatus[] {
    return this.#status?.followers ?? [];
  }

  /** When the host last heard from `peerId` (ms since the epoch), as last published. */
  lastHeardFromMs(peerId: string): number | undefined {
    return this.#status?.lastHeardMs?.[peerId] || undefined;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Stop: no new proposals; pending ones are answered CLOSED (or STORAGE_FAILED after a failure). */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#o.requests.close();
    const status = this.#failure === null ? ProposeStatus.CLOSED : ProposeStatus.STORAGE_FAILED;
    for (const [seq, settle] of this.#pending) {
      this.#pending.delete(seq);
      settle(this.#refusal(status));
    }
    for (const [seq, resolve] of this.#transfers) {
      this.#transfers.delete(seq);
      resolve({ status: 'NOT_LEADER', leaderId: null });
    }
  }

  /** The host side is gone (its thread died): stop and report it once. */
  fail(error: Error): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    this.close();
    this.#o.onFatal?.(error);
  }

  #nextSeq(): number {
    this.#seq = (this.#seq + 1) >>> 0;
    return this.#seq;
  }

  #request(type: number, seq: number, body: Uint8Array | ProposalBody): boolean {
    const { requests } = this.#o;
    const length = 4 + body.byteLength;
    if (length > requests.capacityBytes / 2) return false;
    const at = requests.reserve(length);
    if (at < 0) return false;
    requests.view.setUint32(at, seq, true);
    if (body instanceof Uint8Array) requests.bytes.set(body, at + 4);
    else body.writeTo(requests.bytes, at + 4);
    requests.commit(type);
    return true;
  }

  #refusal(status: ProposeStatus): ProposeOutcome {
    return { status, index: 0, term: 0, leaderId: this.#isClosed ? null : this.#leaderId };
  }

  async #run(): Promise<void> {
    const { events } = this.#o;
    for (;;) {
      const batch = this.#take();
      if (batch.length === 0) {
        if (events.state === 'CLOSED' || events.state === 'FAILED' || this.#failure !== null) break;
        await events.waitForDataAsync(WAIT_MS);
        continue;
      }
      try {
        await this.#handle(batch);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
      // Let sockets and timers run between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.close();
  }

  #take(): Event[] {
    const { events } = this.#o;
    const { bytes, view } = events;
    const out: Event[] = [];
    this.#arena.reset();
    events.drain((type, _flags, at, length) => {
      if (type === EventType.APPLY)
        out.push({ type, entry: decodeApply(bytes, view, at, length, this.#arena) });
      else if (type === EventType.OUTCOME)
        out.push({ type, ...decodeOutcome(bytes, view, at, length) });
      else out.push({ type, json: decodeJson(bytes, at, length) });
    }, MAX_EVENTS_PER_TURN);
    return out;
  }

  async #handle(batch: readonly Event[]): Promise<void> {
    for (let i = 0; i < batch.length; ) {
      const entries: Entry[] = [];
      while (i < batch.length && batch[i]?.type === EventType.APPLY) {
        entries.push((batch[i] as { entry: Entry }).entry);
        i++;
      }
      if (entries.length > 0) {
        if (this.#failure !== null) return;
        const applied = this.#o.apply(entries);
        if (applied !== undefined && typeof applied.then === 'function') await applied;
        this.#applied = (entries[entries.length - 1] as Entry).index;
        continue;
      }
      this.#handleOne(batch[i] as Event);
      i++;
    }
  }

  #handleOne(event: Event): void {
    if (event.type === EventType.OUTCOME) {
      const { seq, outcome } = event as { seq: number; outcome: ProposeOutcome };
      const settle = this.#pending.get(seq);
      if (settle === undefined) return;
      this.#pending.delete(seq);
      settle(outcome);
      return;
    }
    const json = (event as { json: unknown }).json;
    switch (event.type) {
      case EventType.ROLE: {
        const { role, term, leaderId } = json as RoleEvent;
        this.#role = role;
        this.#term = term;
        this.#leaderId = leaderId;
        this.#o.onRoleChange?.(role, term, leaderId);
        return;
      }
      case EventType.STATUS:
        if (json !== null) this.#status = json as HostStatusEvent;
        return;
      case EventType.TRANSFERRED: {
        const { seq, result } = json as TransferredEvent;
        this.#transfers.get(seq)?.(result);
        this.#transfers.delete(seq);
        return;
      }
      case EventType.LOG:
        this.#o.onLog?.(json as LogEvent);
        return;
      case EventType.FATAL: {
        const { message, code } = json as FatalEvent;
        this.fail(
          code === undefined ? new Error(message) : new MqError(code as ErrorCode, message),
        );
        return;
      }
      default:
        throw new MqError(
          ErrorCode.CORRUPT_RECORD,
          `Raft host channel: unknown event ${event.type}`,
        );
    }
  }
}
