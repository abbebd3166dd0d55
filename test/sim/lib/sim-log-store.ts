// The shipped RaftHost's storage in the simulator: a RaftLogStore over a SimDisk whose writes take
// simulated time. save() parks the write and asks the simulation for a disk-completion event; the
// write reaches the disk (and done() is called) only when that event fires. A crash before then
// keeps a random prefix of the new entries (a torn write) or nothing, and never the hard state
// that follows them, the order the host contract prescribes.

import { assert } from '../../../common/assert.js';
import type { Prng } from '../../../common/prng.js';
import type { RaftLogStore } from '../../../ha/dledger/host-types.js';
import type { Entry, HardState } from '../../../ha/raft/messages.js';
import type { SimDisk } from './sim-disk.js';

interface PendingWrite {
  readonly entries: readonly Entry[];
  readonly hardState: HardState | null;
  readonly sync: boolean;
  readonly done: (error: Error | null) => void;
}

export interface SimLogStoreHooks {
  /** A write was submitted: schedule its completion (latency depends on `sync`). */
  readonly onWriteStarted: (sync: boolean) => void;
  /** Entries (and maybe the hard state) reached the disk; `before` is the previous hard state. */
  readonly onPersisted: (entries: readonly Entry[], before: HardState) => void;
}

export class SimLogStore implements RaftLogStore {
  readonly #disk: SimDisk;
  readonly #hooks: SimLogStoreHooks;
  #pending: PendingWrite | null = null;
  /** The commit index of the last hard state written with a sync: what survives any crash. */
  #syncedCommit: number;

  constructor(disk: SimDisk, hooks: SimLogStoreHooks) {
    this.#disk = disk;
    this.#hooks = hooks;
    this.#syncedCommit = disk.storage.hardState().commit;
  }

  get isWriting(): boolean {
    return this.#pending !== null;
  }

  hardState(): HardState {
    return this.#disk.storage.hardState();
  }

  firstIndex(): number {
    return this.#disk.storage.firstIndex();
  }

  lastIndex(): number {
    return this.#disk.storage.lastIndex();
  }

  term(index: number): number {
    return this.#disk.storage.term(index);
  }

  entries(lo: number, hi: number, maxEntries: number): readonly Entry[] {
    return this.#disk.storage.entries(lo, hi, maxEntries);
  }

  save(
    entries: readonly Entry[],
    hardState: HardState | null,
    sync: boolean,
    done: (error: Error | null) => void,
  ): void {
    assert(this.#pending === null, 'sim log store: a second write before the first completed');
    this.#pending = { entries, hardState, sync, done };
    this.#hooks.onWriteStarted(sync);
  }

  /** The disk-completion event: the parked write lands, then the host hears of it. */
  completeWrite(): void {
    const pending = this.#pending;
    if (pending === null) return;
    this.#pending = null;
    const before = this.#disk.storage.hardState();
    this.#disk.write(pending.entries, pending.hardState);
    if (pending.sync && pending.hardState !== null) this.#syncedCommit = pending.hardState.commit;
    this.#hooks.onPersisted(pending.entries, before);
    pending.done(null);
  }

  /**
   * A crash: a random prefix of the parked write's new entries may survive, and commit indexes
   * written without a sync may be lost. Returns a note for the trace.
   */
  crash(prng: Prng, tornWriteRate: number): string {
    const pending = this.#pending;
    this.#pending = null;
    const commit = this.#disk.storage.hardState().commit;
    const lost = commit > this.#syncedCommit && prng.chance(0.5);
    if (lost) this.#disk.loseCommitAbove(this.#syncedCommit);
    const note = lost ? `, commit fell back from ${commit} to ${this.#syncedCommit}` : '';
    return note + this.#tear(pending, prng, tornWriteRate);
  }

  #tear(pending: PendingWrite | null, prng: Prng, tornWriteRate: number): string {
    if (pending === null || pending.entries.length === 0) return '';
    if (!prng.chance(tornWriteRate)) return `, lost a write of ${pending.entries.length} entries`;
    const before = this.#disk.storage.hardState();
    const written = this.#disk.writeTorn(pending.entries, prng);
    this.#hooks.onPersisted(written, before);
    return `, torn write kept ${written.length} of ${pending.entries.length} entries`;
  }
}
