// The store simulation's state machine: each node's RaftHost applies committed entries to a
// simulated store, an append-only byte log (one length-prefixed record per NORMAL entry, as the
// broker appends each committed message to its CommitLog), with its own durability: a flush makes
// the applied prefix durable together with its Raft index (the checkpoint), a crash loses the
// unflushed tail, and the restarted host is given that index as `appliedIndex`, so the host's
// restart path (skip what the store holds, re-apply the rest) is exercised on every crash.
//
// This stands in for the engine's in-thread store: the engine's in-thread pipeline commits on
// setImmediate and flushes on setInterval (real time), so it cannot run inside the simulator's
// synchronous virtual time. What is checked here is the applied log, byte for byte. The Raft log
// itself is the shipped FileLogStore over a SimFileIO in this simulation (sim-log-store.ts).
//
// StoreChecker (run after every event, and at the end):
//   S1 committed prefixes identical   every store's bytes up to its applied index equal the
//                                     committed prefix (hash chain per index; literal byte
//                                     comparison at the end)
//   S2 no acknowledged entry lost     an entry answered COMMITTED is the committed entry at its
//                                     index (checked when the index is first applied anywhere, so
//                                     an early answer is caught only if the entry is then lost),
//                                     and every running store holds it at the end
//   (at most one leader per term is D1 of checker.ts, on in every simulation)

import { assert } from '../../../common/assert.js';
import { type Entry, EntryType } from '../../../ha/raft/messages.js';
import { SafetyViolation } from './checker.js';
import { fnv1a, mix } from './hash.js';

export class SimAppliedStore {
  /** #records[i] holds the bytes entry i + 1 added (empty for a NOOP). */
  readonly #records: Uint8Array[] = [];
  /** #chain[i]: hash of the store's bytes after applying index i. */
  readonly #chain: number[] = [0];
  #durableIndex = 0;

  get appliedIndex(): number {
    return this.#records.length;
  }

  get durableIndex(): number {
    return this.#durableIndex;
  }

  chainAt(index: number): number {
    const value = this.#chain[index];
    assert(value !== undefined, 'applied store: chain index out of range');
    return value;
  }

  recordAt(index: number): Uint8Array {
    const value = this.#records[index - 1];
    assert(value !== undefined, 'applied store: record index out of range');
    return value;
  }

  apply(entry: Entry): void {
    if (entry.index !== this.#records.length + 1) {
      throw new SafetyViolation(
        `S1: store applied index ${entry.index} after ${this.#records.length}`,
      );
    }
    const record = encodeRecord(entry);
    this.#records.push(record);
    this.#chain.push(
      record.length === 0
        ? this.chainAt(entry.index - 1)
        : mix(this.chainAt(entry.index - 1), fnv1a(record)),
    );
  }

  /** fsync of the store plus its checkpoint (the applied Raft index). */
  flush(): void {
    this.#durableIndex = this.#records.length;
  }

  /** A crash: the unflushed tail is gone. */
  crash(): void {
    this.#records.length = this.#durableIndex;
    this.#chain.length = this.#durableIndex + 1;
  }

  /** The store's bytes up to `index` (for the literal comparison at the end). */
  bytesThrough(index: number): Uint8Array {
    const parts = this.#records.slice(0, index);
    const total = parts.reduce((n, p) => n + p.length, 0);
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    return bytes;
  }
}

function encodeRecord(entry: Entry): Uint8Array {
  if (entry.type !== EntryType.NORMAL) return new Uint8Array(0);
  const record = new Uint8Array(4 + entry.data.length);
  new DataView(record.buffer).setUint32(0, entry.data.length);
  record.set(entry.data, 4);
  return record;
}

function violation(code: string, text: string): never {
  throw new SafetyViolation(`${code}: ${text}`);
}

interface Ack {
  readonly proposalId: number;
  readonly index: number;
  readonly dataHash: number;
}

export class StoreChecker {
  readonly #ids: readonly string[];
  /** The committed prefix as the first store to apply each index saw it. */
  readonly #chain: number[] = [0];
  readonly #dataHash: number[] = [0];
  readonly #acks: Ack[] = [];
  /** Acknowledged before any store applied their index (only a broken host does that). */
  readonly #early = new Map<number, Ack>();

  constructor(ids: readonly string[]) {
    this.#ids = ids;
  }

  /** A store applied `entry`: its prefix must be the committed prefix. */
  onApply(node: number, store: SimAppliedStore, entry: Entry): void {
    const index = store.appliedIndex;
    const chain = store.chainAt(index);
    const known = this.#chain[index];
    if (known === undefined) {
      if (index !== this.#chain.length) violation('S1', `store gap at ${index}`);
      this.#chain.push(chain);
      this.#dataHash.push(fnv1a(entry.data));
      const early = this.#early.get(index);
      if (early !== undefined) {
        this.#early.delete(index);
        this.#checkAck(early);
      }
    } else if (known !== chain) {
      violation(
        'S1',
        `${this.#ids[node]}'s store differs from the committed prefix at index ${index}`,
      );
    }
  }

  /** Cheap check of the node that handled the event. */
  afterEvent(node: number, store: SimAppliedStore): void {
    const index = store.appliedIndex;
    const known = this.#chain[index];
    if (known === undefined || known !== store.chainAt(index)) {
      violation('S1', `${this.#ids[node]}'s store is not a committed prefix at index ${index}`);
    }
  }

  /** A host answered COMMITTED: the committed entry at that index must be this proposal's. */
  onAck(proposalId: number, index: number, data: Uint8Array): void {
    const ack = { proposalId, index, dataHash: fnv1a(data) };
    this.#acks.push(ack);
    if (index < this.#dataHash.length) this.#checkAck(ack);
    else this.#early.set(index, ack);
  }

  #checkAck(ack: Ack): void {
    if (this.#dataHash[ack.index] !== ack.dataHash) {
      violation(
        'S2',
        `acknowledged proposal ${ack.proposalId} lost: index ${ack.index} committed another entry`,
      );
    }
  }

  /** End of run: running stores are byte-identical prefixes and hold every acknowledged entry. */
  finalCheck(running: readonly { node: number; store: SimAppliedStore }[]): void {
    if (running.length === 0) return;
    const minApplied = Math.min(...running.map((r) => r.store.appliedIndex));
    const reference = (running[0] as (typeof running)[number]).store.bytesThrough(minApplied);
    for (const { node, store } of running) {
      if (!Buffer.from(store.bytesThrough(minApplied)).equals(Buffer.from(reference))) {
        violation('S1', `${this.#ids[node]}'s store bytes differ within the first ${minApplied}`);
      }
      for (const ack of this.#acks) {
        if (ack.index > store.appliedIndex) {
          violation('S2', `${this.#ids[node]} lacks acknowledged proposal ${ack.proposalId}`);
        }
        const record = store.recordAt(ack.index);
        if (fnv1a(record.subarray(4)) !== ack.dataHash) {
          violation('S2', `${this.#ids[node]} lost acknowledged proposal ${ack.proposalId}`);
        }
      }
    }
  }
}
