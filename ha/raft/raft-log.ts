// The Raft log as the core sees it: durable entries in LogStorage followed by unstable entries the
// host has not persisted yet, plus the commit and applied indexes.
//
// Invariants (asserted): applied <= committed <= lastIndex(); committed never decreases; entries at
// or below committed are never truncated; unstable entries are contiguous and start at
// #unstableOffset; for index >= #unstableOffset the unstable entries win over anything the storage
// still holds (a conflicting suffix the host has not overwritten yet).
//
// etcd counterpart: raftLog (log.go) and unstable (log_unstable.go). DLedger counterpart: the
// ledgerEndIndex / committedIndex bookkeeping of DLedgerMemoryStore and DLedgerEntryPusher.

import { assert } from '../../common/assert.js';
import type { LogStorage } from './log-storage.js';
import { type Entry, NO_ENTRIES } from './messages.js';

export interface EntrySliceLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export class RaftLog {
  readonly #storage: LogStorage;
  #unstable: Entry[] = [];
  #unstableOffset: number;
  #committed: number;
  #applied: number;

  constructor(storage: LogStorage, appliedIndex: number) {
    this.#storage = storage;
    const storedLastIndex = storage.lastIndex();
    this.#unstableOffset = storedLastIndex + 1;
    this.#committed = storage.hardState().commit;
    assert(this.#committed <= storedLastIndex, 'raft log: stored commit beyond the stored log');
    assert(appliedIndex >= 0, 'raft log: negative applied index');
    assert(appliedIndex <= this.#committed, 'raft log: applied index beyond commit');
    this.#applied = appliedIndex;
  }

  get committed(): number {
    return this.#committed;
  }

  get applied(): number {
    return this.#applied;
  }

  firstIndex(): number {
    return this.#storage.firstIndex();
  }

  lastIndex(): number {
    return this.#unstableOffset - 1 + this.#unstable.length;
  }

  /** Index of the last entry known durable (the entries before the unstable ones). */
  stableLastIndex(): number {
    return this.#unstableOffset - 1;
  }

  /** Term of the entry at `index`, or null when the log does not hold it. */
  term(index: number): number | null {
    if (index >= this.#unstableOffset) {
      const entry = this.#unstable[index - this.#unstableOffset];
      return entry === undefined ? null : entry.term;
    }
    if (index < this.#storage.firstIndex() - 1) return null;
    return this.#storage.term(index);
  }

  lastTerm(): number {
    const term = this.term(this.lastIndex());
    assert(term !== null, 'raft log: last entry has no term');
    return term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft's "at least as up to date" rule for granting votes (paper 5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ownLastTerm = this.lastTerm();
    return lastTerm > ownLastTerm || (lastTerm === ownLastTerm && lastIndex >= this.lastIndex());
  }

  /**
   * The follower side of MsgApp: if the entry at prevIndex has prevTerm, append `entries` (dropping
   * the ones already present, truncating at the first conflict) and advance the commit index.
   * Returns the index of the last entry the message covered, or -1 when prevIndex does not match.
   */
  maybeAppend(prevIndex: number, prevTerm: number, commit: number, entries: readonly Entry[]) {
    if (!this.matchTerm(prevIndex, prevTerm)) return -1;
    const lastNewIndex = prevIndex + entries.length;
    const conflictIndex = this.#findConflict(entries);
    if (conflictIndex !== 0) {
      assert(conflictIndex > this.#committed, 'raft log: conflict below the commit index');
      this.append(entries.slice(conflictIndex - prevIndex - 1));
    }
    this.commitTo(Math.min(commit, lastNewIndex));
    return lastNewIndex;
  }

  /** First entry whose term differs from ours or that we lack; 0 when all are present. */
  #findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * Fast backtracking: the largest index <= `index` whose term is <= `term`, with its term. A
   * leader skips every entry of a term the follower cannot match in one round trip.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let probe = Math.min(index, this.lastIndex());
    for (;;) {
      const probeTerm = this.term(probe);
      if (probeTerm === null) return { index: probe, term: 0 };
      if (probeTerm <= term) return { index: probe, term: probeTerm };
      probe--;
    }
  }

  /** Append after truncating any suffix from entries[0].index; returns the new last index. */
  append(entries: readonly Entry[]): number {
    const first = entries[0];
    if (first === undefined) return this.lastIndex();
    assert(first.index - 1 >= this.#committed, 'raft log: append truncates committed entries');
    assert(first.index <= this.lastIndex() + 1, 'raft log: append leaves a gap');
    const after = first.index;
    const unstableEnd = this.#unstableOffset + this.#unstable.length;
    if (after === unstableEnd) {
      for (const entry of entries) this.#unstable.push(entry);
    } else if (after <= this.#unstableOffset) {
      this.#unstableOffset = after;
      this.#unstable = entries.slice();
    } else {
      this.#unstable = this.#unstable.slice(0, after - this.#unstableOffset);
      for (const entry of entries) this.#unstable.push(entry);
    }
    return this.lastIndex();
  }

  /** Entries in [lo, hi), bounded by count and bytes (always at least one entry if lo < hi). */
  slice(lo: number, hi: number, limits: EntrySliceLimits): readonly Entry[] {
    assert(lo >= this.firstIndex(), 'raft log: slice below the first index');
    assert(hi <= this.lastIndex() + 1, 'raft log: slice past the last index');
    if (lo >= hi) return NO_ENTRIES;
    const end = Math.min(hi, lo + limits.maxEntries);
    let result: Entry[];
    if (lo >= this.#unstableOffset) {
      result = this.#unstable.slice(lo - this.#unstableOffset, end - this.#unstableOffset);
    } else {
      const storedEnd = Math.min(end, this.#unstableOffset);
      result = this.#storage.entries(lo, storedEnd, storedEnd - lo).slice();
      if (end > this.#unstableOffset) {
        for (const entry of this.#unstable.slice(0, end - this.#unstableOffset)) result.push(entry);
      }
    }
    return limitBytes(result, limits.maxBytes);
  }

  hasUnstableEntries(): boolean {
    return this.#unstable.length > 0;
  }

  /** The entries the host must persist next. */
  unstableEntries(): readonly Entry[] {
    return this.#unstable.length === 0 ? NO_ENTRIES : this.#unstable.slice();
  }

  /**
   * The host persisted `entries` (handed out by an earlier Ready). Entries replaced since then by a
   * new leader's conflicting suffix stay unstable; the prefix that still matches becomes stable.
   */
  stableTo(entries: readonly Entry[]): void {
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i] as Entry;
      if (entry.index < this.#unstableOffset) return;
      if (this.term(entry.index) === entry.term) {
        this.#unstable = this.#unstable.slice(entry.index + 1 - this.#unstableOffset);
        this.#unstableOffset = entry.index + 1;
        return;
      }
    }
  }

  /** Committed entries not yet handed to the host for applying. */
  nextCommittedEntries(limits: EntrySliceLimits): readonly Entry[] {
    if (this.#applied >= this.#committed) return NO_ENTRIES;
    return this.slice(this.#applied + 1, this.#committed + 1, limits);
  }

  hasNextCommittedEntries(): boolean {
    return this.#applied < this.#committed;
  }

  /** Advance the commit index; lower values are ignored (a heartbeat may carry an old one). */
  commitTo(commit: number): void {
    if (commit <= this.#committed) return;
    assert(commit <= this.lastIndex(), 'raft log: commit beyond the last index');
    this.#committed = commit;
  }

  appliedTo(index: number): void {
    assert(index >= this.#applied, 'raft log: applied index goes backwards');
    assert(index <= this.#committed, 'raft log: applied beyond commit');
    this.#applied = index;
  }
}

function limitBytes(entries: Entry[], maxBytes: number): Entry[] {
  let total = 0;
  for (let i = 0; i < entries.length; i++) {
    total += (entries[i] as Entry).data.length;
    if (total > maxBytes && i > 0) return entries.slice(0, i);
  }
  return entries;
}
