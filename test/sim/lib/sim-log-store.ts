// The shipped RaftHost's storage in the simulator: a RaftLogStore whose writes take simulated time.
// save() parks the write and asks the simulation for a disk-completion event; the write is durable
// (and done() is called) only when that event fires. Two modes:
//
//   memory  the SimDisk itself is the storage. A crash keeps a random prefix of the parked write's
//           new entries (a torn write) or nothing, never the hard state that follows them, and may
//           lose commit indexes that were written without a sync.
//   file    the shipped FileLogStore over a SimFileIO (store simulation): its bytes are written at
//           once, their fsyncs complete at the event, and a crash keeps a random prefix of the
//           unsynced writes, byte-torn. The restart recovers through FileLogStore.open, and the
//           SimDisk becomes a shadow of what is durable, for the checkers; F1 checks the recovery
//           kept everything that was durable.

import { assert } from '../../../common/assert.js';
import { MqError } from '../../../common/errors.js';
import type { Prng } from '../../../common/prng.js';
import { FileLogStore } from '../../../ha/dledger/file-log-store.js';
import type { RaftLogStore } from '../../../ha/dledger/host-types.js';
import type { LogStorage } from '../../../ha/raft/log-storage.js';
import type { Entry, HardState } from '../../../ha/raft/messages.js';
import { SafetyViolation } from './checker.js';
import type { SimDisk } from './sim-disk.js';
import type { SimFileIO } from './sim-file-io.js';

const RAFT_DIR = '/raft';

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
  readonly #io: SimFileIO | null;
  readonly #file: FileLogStore | null;
  /** What the core reads: the FileLogStore in file mode, else the disk's storage. */
  #reads: () => LogStorage;

  readonly #skipEntriesSync: boolean;

  constructor(
    disk: SimDisk,
    hooks: SimLogStoreHooks,
    io: SimFileIO | null = null,
    skipEntriesSync = false,
  ) {
    this.#skipEntriesSync = skipEntriesSync;
    this.#disk = disk;
    this.#hooks = hooks;
    this.#syncedCommit = disk.storage.hardState().commit;
    this.#io = io;
    this.#file = io === null ? null : openFileStore(io, skipEntriesSync);
    const file = this.#file;
    this.#reads = file === null ? () => disk.storage : () => file;
    if (file !== null && file.lastIndex() !== disk.lastIndex) {
      throw new SafetyViolation('SIM: file store and durable shadow disagree at start');
    }
  }

  get isWriting(): boolean {
    return this.#pending !== null;
  }

  hardState(): HardState {
    return this.#reads().hardState();
  }

  firstIndex(): number {
    return this.#reads().firstIndex();
  }

  lastIndex(): number {
    return this.#reads().lastIndex();
  }

  term(index: number): number {
    return this.#reads().term(index);
  }

  entries(lo: number, hi: number, maxEntries: number): readonly Entry[] {
    return this.#reads().entries(lo, hi, maxEntries);
  }

  save(
    entries: readonly Entry[],
    hardState: HardState | null,
    sync: boolean,
    done: (error: Error | null) => void,
  ): void {
    assert(this.#pending === null, 'sim log store: a second write before the first completed');
    this.#pending = { entries, hardState, sync, done };
    const io = this.#io;
    if (io !== null && this.#file !== null) {
      // The bytes go out now; their fsyncs complete at the disk event.
      io.deferSyncs = true;
      let failure: Error | null = null;
      this.#file.save(entries, hardState, sync, (error) => {
        failure = error;
      });
      io.deferSyncs = false;
      assert(failure === null, 'sim log store: the file store failed a write');
    }
    this.#hooks.onWriteStarted(sync);
  }

  /** The disk-completion event: the parked write lands, then the host hears of it. */
  completeWrite(): void {
    const pending = this.#pending;
    if (pending === null) return;
    this.#pending = null;
    this.#io?.completeSyncs();
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
    if (this.#io !== null) return this.#crashFiles(this.#io, pending, prng, tornWriteRate);
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

  /** File mode: the disk loses unsynced bytes; recovery decides what the shadow now holds. */
  #crashFiles(
    io: SimFileIO,
    pending: PendingWrite | null,
    prng: Prng,
    tornWriteRate: number,
  ): string {
    this.#file?.close();
    const { keptOps, lostOps } = io.crash(prng, tornWriteRate);
    const recovered = openFileStore(io, this.#skipEntriesSync);
    const shadow = this.#disk.storage;
    const before = shadow.hardState();
    const after = recovered.hardState();
    // F1: what was durable (the shadow) survives, except a suffix the parked write replaced.
    const replacedFrom = pending?.entries[0]?.index ?? Number.POSITIVE_INFINITY;
    const keptUpTo = Math.min(replacedFrom - 1, shadow.lastIndex());
    for (let index = 1; index <= keptUpTo; index++) {
      if (index > recovered.lastIndex() || recovered.term(index) !== shadow.term(index)) {
        throw new SafetyViolation(`F1: the file store lost durable entry ${index} in a crash`);
      }
    }
    const isVoteKept =
      after.term > before.term || before.vote === null || after.vote === before.vote;
    if (after.term < before.term || !isVoteKept || after.commit < this.#syncedCommit) {
      throw new SafetyViolation(
        `F1: the file store lost durable hard state (${JSON.stringify(before)} -> ${JSON.stringify(after)})`,
      );
    }
    const last = recovered.lastIndex();
    const entries = last === 0 ? [] : recovered.entries(1, last + 1, last);
    recovered.close();
    const firstNew = this.#disk.heldPrefix(entries);
    this.#disk.resetTo(entries, after);
    const written = entries.slice(firstNew);
    this.#hooks.onPersisted(written, { ...before, commit: Math.min(before.commit, after.commit) });
    return `, disk kept ${keptOps} of ${keptOps + lostOps} unsynced writes (log ${shadow.lastIndex()} -> ${last}, commit ${before.commit} -> ${after.commit})`;
  }
}

/** Recovery through the shipped code; a refusal (lost committed entries) is an F1 violation. */
function openFileStore(io: SimFileIO, skipEntriesSync: boolean): FileLogStore {
  try {
    return FileLogStore.open({ io, dir: RAFT_DIR, bugs: { skipEntriesSync } });
  } catch (error) {
    if (!(error instanceof MqError)) throw error;
    throw new SafetyViolation(
      `F1: the file store refused to recover: ${error.code} ${error.message}`,
    );
  }
}
