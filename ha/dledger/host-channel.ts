// The channel between a RaftHost on its own thread and the thread that owns the state machine:
// two single-producer single-consumer rings (workers/ring), one each way, and the records they
// carry. Everything here is thread-agnostic: both ends also run on one thread (tests).
//
//   requests (owner -> host):  PROPOSE  seq u32 | data
//                              TRANSFER seq u32 | transferee (UTF-8)
//   events (host -> owner):    APPLY    index f64 | term f64 | type u8 | data   (committed, in order)
//                              OUTCOME  seq u32 | index f64 | term f64 | status u8 | leader (UTF-8)
//                              ROLE, STATUS, TRANSFERRED, LOG, FATAL   JSON (rare)
//
// One ring carries every event, so the owner sees them in the host's order: an entry is applied
// before the outcome of its proposal, and a role change before the entries applied after it.

import { assert } from '../../common/assert.js';
import type { Entry, EntryType, Role } from '../raft/messages.js';
import type { FollowerStatus, TransferResult } from '../raft/ready.js';
import type { ProposeOutcome, RaftHostStatus } from './host-types.js';
import { ProposeStatus } from './host-types.js';

export const RequestType = { PROPOSE: 1, TRANSFER: 2 } as const;
export const EventType = {
  APPLY: 1,
  OUTCOME: 2,
  ROLE: 3,
  STATUS: 4,
  TRANSFERRED: 5,
  LOG: 6,
  FATAL: 7,
} as const;

/** Ring sizes: a record must fit, so each ring holds at least two of the largest entries. */
export const HOST_CHANNEL_DEFAULTS = { ringBytes: 16 * 1024 * 1024 } as const;

const STATUS_CODES: readonly ProposeStatus[] = Object.values(ProposeStatus);
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export interface RoleEvent {
  readonly role: Role;
  readonly term: number;
  readonly leaderId: string | null;
}

export interface LogEvent {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export interface FatalEvent {
  readonly message: string;
  readonly code?: string;
}

export interface TransferredEvent {
  readonly seq: number;
  readonly result: TransferResult;
}

export interface HostStatusEvent extends RaftHostStatus {
  /** The leader's view of each follower (empty unless leader). */
  readonly followers?: readonly FollowerStatus[];
  /** When a message last came from each peer (ms since the epoch). */
  readonly lastHeardMs?: Readonly<Record<string, number>>;
}

export const APPLY_HEADER_BYTES = 17;
export const OUTCOME_HEADER_BYTES = 21;

export function encodeApply(bytes: Uint8Array, view: DataView, at: number, entry: Entry): void {
  view.setFloat64(at, entry.index, true);
  view.setFloat64(at + 8, entry.term, true);
  bytes[at + 16] = entry.type;
  bytes.set(entry.data, at + APPLY_HEADER_BYTES);
}

/** The entry at `at`, its data copied out of the ring into `arena`. */
export function decodeApply(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  length: number,
  arena: CopyArena,
): Entry {
  assert(length >= APPLY_HEADER_BYTES, 'host channel: short APPLY record');
  return {
    index: view.getFloat64(at, true),
    term: view.getFloat64(at + 8, true),
    type: bytes[at + 16] as EntryType,
    data: arena.copy(bytes.subarray(at + APPLY_HEADER_BYTES, at + length)),
  };
}

/**
 * Copies handed out back to back from one buffer that is reused once they are no longer needed
 * (reset()): applying a large entry then costs a copy, not a fresh allocation of its size each
 * time. The buffer grows to the largest turn's total (at most the events ring) and stays.
 */
export class CopyArena {
  #buffer = new Uint8Array(0);
  #used = 0;

  /** Every copy handed out before is dead: their bytes may be overwritten. */
  reset(): void {
    this.#used = 0;
  }

  copy(source: Uint8Array): Uint8Array {
    if (this.#used + source.byteLength > this.#buffer.byteLength) {
      // Copies made before stay valid: they keep the old buffer.
      this.#buffer = new Uint8Array(
        Math.max(2 * this.#buffer.byteLength, source.byteLength, 65_536),
      );
      this.#used = 0;
    }
    const out = this.#buffer.subarray(this.#used, this.#used + source.byteLength);
    out.set(source);
    this.#used += source.byteLength;
    return out;
  }
}

export function outcomeBytes(outcome: ProposeOutcome): Uint8Array {
  const leader = utf8.encode(outcome.leaderId ?? '');
  const out = new Uint8Array(OUTCOME_HEADER_BYTES + leader.length);
  const view = new DataView(out.buffer);
  view.setFloat64(4, outcome.index, true);
  view.setFloat64(12, outcome.term, true);
  const code = STATUS_CODES.indexOf(outcome.status);
  assert(code >= 0, 'host channel: unknown propose status');
  out[20] = code;
  out.set(leader, OUTCOME_HEADER_BYTES);
  return out;
}

export function setOutcomeSeq(record: Uint8Array, seq: number): void {
  new DataView(record.buffer, record.byteOffset, 4).setUint32(0, seq, true);
}

export function decodeOutcome(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  length: number,
): { seq: number; outcome: ProposeOutcome } {
  assert(length >= OUTCOME_HEADER_BYTES, 'host channel: short OUTCOME record');
  const status = STATUS_CODES[bytes[at + 20] as number];
  assert(status !== undefined, 'host channel: unknown status code');
  const leader = fromUtf8.decode(bytes.subarray(at + OUTCOME_HEADER_BYTES, at + length));
  return {
    seq: view.getUint32(at, true),
    outcome: {
      status,
      index: view.getFloat64(at + 4, true),
      term: view.getFloat64(at + 12, true),
      leaderId: leader === '' ? null : leader,
    },
  };
}

export function jsonBytes(value: unknown): Uint8Array {
  return utf8.encode(JSON.stringify(value));
}

export function decodeJson<T>(bytes: Uint8Array, at: number, length: number): T {
  return JSON.parse(fromUtf8.decode(bytes.subarray(at, at + length))) as T;
}

/**
 * A proposal's data, written by its producer straight into the request ring (a request record is
 * seq u32, then the body): a large batch is not first assembled in a buffer of its own.
 */
export interface ProposalBody {
  readonly byteLength: number;
  writeTo(target: Uint8Array, at: number): void;
}

export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

export function utf8Text(bytes: Uint8Array, at: number, length: number): string {
  return fromUtf8.decode(bytes.subarray(at, at + length));
}
