// The read side of durable Raft storage, as the core sees it, plus an in-memory implementation.
// The host owns writing: it appends a Ready's entries and saves its hard state, then calls
// advance(). The core only reads what is already durable (etcd's Storage interface).
//
// Invariants of every implementation: entries are contiguous from firstIndex() to lastIndex();
// term(firstIndex() - 1) is defined (0 for an empty log); appending entries that start at index k
// replaces every stored entry from k on (a follower's conflicting suffix); entries at or below the
// stored commit index are never replaced.
//
// etcd counterpart: raft.Storage and raft.MemoryStorage. DLedger counterpart: DLedgerStore
// (DLedgerMemoryStore for tests, DLedgerMmapFileStore on disk).

import { assert } from '../../common/assert.js';
import { EMPTY_HARD_STATE, type Entry, type HardState, NO_ENTRIES } from './messages.js';

export interface LogStorage {
  /** The hard state saved last (EMPTY_HARD_STATE for a new node). */
  hardState(): HardState;
  /** Index of the first stored entry (1 while nothing was compacted). */
  firstIndex(): number;
  /** Index of the last stored entry, firstIndex() - 1 when empty. */
  lastIndex(): number;
  /** Term of the entry at `index`, for firstIndex() - 1 <= index <= lastIndex(). */
  term(index: number): number;
  /** Entries in [lo, hi), at most `maxEntries` of them; firstIndex() <= lo < hi <= lastIndex() + 1. */
  entries(lo: number, hi: number, maxEntries: number): readonly Entry[];
}

/** Storage in memory: the simulator's "durable" disk and the unit tests' store. */
export class MemoryStorage implements LogStorage {
  #hardState: HardState = EMPTY_HARD_STATE;
  /** #entries[i] has index i + 1 (no compaction). */
  #entries: Entry[] = [];

  hardState(): HardState {
    return this.#hardState;
  }

  firstIndex(): number {
    return 1;
  }

  lastIndex(): number {
    return this.#entries.length;
  }

  term(index: number): number {
    assert(index >= 0 && index <= this.#entries.length, 'storage: term index out of range');
    if (index === 0) return 0;
    return (this.#entries[index - 1] as Entry).term;
  }

  entries(lo: number, hi: number, maxEntries: number): readonly Entry[] {
    assert(lo >= 1 && lo <= hi, 'storage: entries range inverted');
    assert(hi <= this.#entries.length + 1, 'storage: entries past the last index');
    assert(maxEntries >= 1, 'storage: maxEntries must be positive');
    if (lo === hi) return NO_ENTRIES;
    return this.#entries.slice(lo - 1, Math.min(hi, lo + maxEntries) - 1);
  }

  /** Host side: store entries, replacing any stored suffix from entries[0].index. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    assert(first.index >= 1, 'storage: entry index below 1');
    assert(first.index <= this.#entries.length + 1, 'storage: append leaves a gap');
    // Entries at or below the commit index may be written again, never changed.
    const rewriteEnd = Math.min(this.#hardState.commit, this.#entries.length);
    for (let index = first.index; index <= rewriteEnd; index++) {
      const replacement = entries[index - first.index];
      if (replacement === undefined) break;
      assert(replacement.term === this.term(index), 'storage: append changes a committed entry');
    }
    this.#entries.length = first.index - 1;
    for (const entry of entries) {
      assert(entry.index === this.#entries.length + 1, 'storage: entries not contiguous');
      this.#entries.push(entry);
    }
  }

  /** Host side: save the hard state. */
  setHardState(hardState: HardState): void {
    assert(hardState.term >= this.#hardState.term, 'storage: term goes backwards');
    assert(hardState.commit >= this.#hardState.commit, 'storage: commit goes backwards');
    this.#hardState = hardState;
  }
}
