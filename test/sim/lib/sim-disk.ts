// A simulated disk for one node: what is durable survives a crash, nothing else does. Durable
// state is a MemoryStorage (entries + hard state) plus a hash chain over the log, so log matching
// (equal index and term imply equal prefixes) is checked in O(1) per entry. A write in flight when
// the node crashes may leave a prefix of its entries (a torn write) but never the hard state that
// follows them, which is the order the host contract prescribes (entries, then hard state).

import { assert } from '../../../common/assert.js';
import type { Prng } from '../../../common/prng.js';
import { MemoryStorage } from '../../../ha/raft/log-storage.js';
import type { Entry, HardState } from '../../../ha/raft/messages.js';
import { fnv1a, mix } from './hash.js';

export function entryHash(entry: Entry): number {
  return mix(mix(fnv1a(entry.data), entry.type), entry.term);
}

export class SimDisk {
  storage = new MemoryStorage();
  /** #chain[i] is the hash of the log prefix up to index i (#chain[0] for the empty log). */
  readonly #chain: number[] = [0];
  writeCount = 0;

  get lastIndex(): number {
    return this.storage.lastIndex();
  }

  chainAt(index: number): number {
    const value = this.#chain[index];
    assert(value !== undefined, 'disk: chain index out of range');
    return value;
  }

  /** Persist entries (replacing the suffix they start at), then the hard state. */
  write(entries: readonly Entry[], hardState: HardState | null): void {
    this.#writeEntries(entries);
    if (hardState !== null) this.storage.setHardState(hardState);
    this.writeCount++;
  }

  /**
   * A crash in the middle of a write: the entries the disk already holds unchanged are kept, and
   * of the ones that really had to be written only a random prefix (possibly none) arrived. The
   * hard state, written after the entries, is lost. Returns the entries that reached the disk.
   */
  writeTorn(entries: readonly Entry[], prng: Prng): readonly Entry[] {
    const firstNew = this.heldPrefix(entries);
    const newCount = entries.length - firstNew;
    if (newCount === 0) return [];
    const written = entries.slice(firstNew, firstNew + prng.int(0, newCount - 1));
    this.#writeEntries(written);
    return written;
  }

  /**
   * A crash lost hard-state writes that were never fsynced (FileLogStore writes a commit-only
   * change without a sync): the durable commit index falls back to `commit`. Entries, term and
   * vote stay (they are always written with a sync).
   */
  loseCommitAbove(commit: number): void {
    const hardState = this.storage.hardState();
    if (hardState.commit <= commit) return;
    const last = this.storage.lastIndex();
    const entries = last === 0 ? [] : this.storage.entries(1, last + 1, last);
    this.storage = new MemoryStorage();
    this.storage.append(entries);
    this.storage.setHardState({ ...hardState, commit });
  }

  /** How many leading `entries` the disk already holds (same index and term). */
  heldPrefix(entries: readonly Entry[]): number {
    let held = 0;
    while (held < entries.length) {
      const entry = entries[held] as Entry;
      if (entry.index > this.lastIndex || this.storage.term(entry.index) !== entry.term) break;
      held++;
    }
    return held;
  }

  /** Replace everything with what a recovery found (file-backed store simulation). */
  resetTo(entries: readonly Entry[], hardState: HardState): void {
    this.storage = new MemoryStorage();
    this.#chain.length = 1;
    this.#writeEntries(entries);
    this.storage.setHardState(hardState);
  }

  #writeEntries(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    this.storage.append(entries);
    this.#chain.length = first.index;
    for (const entry of entries) {
      const previous = this.#chain[entry.index - 1] as number;
      this.#chain.push(mix(previous, entryHash(entry)));
    }
    assert(this.#chain.length === this.storage.lastIndex() + 1, 'disk: chain out of step');
  }
}
