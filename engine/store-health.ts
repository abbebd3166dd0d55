// Whether the store can take writes now, and why not: one place that combines the writer's and the
// flusher's storage faults (shared positions) with the main thread's guard (free space, the store
// directory still there). Puts are refused with the fault's code while one holds; listeners (the
// broker: log at ERROR, stop advertising write permission) hear of each change, including the
// recovery. IO_ERROR and MISSING latch until the store is reopened (see isLatchedFault).

import type { ErrorCode } from '../common/errors.js';
import {
  asStorageFault,
  isLatchedFault,
  StorageFault,
  storageFaultCode,
  storageFaultText,
} from './io/storage-fault.js';
import { PositionSlot, type StorePositions } from './store-positions.js';

export interface StoreFault {
  fault: StorageFault;
  code: ErrorCode;
  /** "E_DISK_FULL: the disk holding the store is full (ENOSPC: ..., write)". */
  reason: string;
  /** True when only reopening the store clears it. */
  latched: boolean;
  /** The reason carries the error text of the thread or check that found the fault. */
  detailed: boolean;
}

type Source = 'writer' | 'flusher' | 'guard';

export class StoreHealth {
  #positions: StorePositions;
  #details = new Map<Source, string>();
  #guard: StorageFault = StorageFault.NONE;
  #latched: StoreFault | undefined;
  #current: StoreFault | undefined;
  #listeners: Array<(fault: StoreFault | undefined) => void> = [];

  constructor(positions: StorePositions) {
    this.#positions = positions;
  }

  /** The error text behind a thread's fault (from its notice), for the reason a refusal gives. */
  noteDetail(source: Source, report: { fault: StorageFault; message: string }): void {
    if (report.fault === StorageFault.NONE) this.#details.delete(source);
    else this.#details.set(source, report.message);
    this.check();
  }

  /** The main thread's guard: its own finding (NONE when there is room and the directory is there). */
  setGuard(fault: StorageFault, detail: string): void {
    this.#guard = fault;
    if (fault !== StorageFault.NONE) this.#details.set('guard', detail);
    this.check();
  }

  /** The fault that stops writes now, or undefined. */
  get fault(): StoreFault | undefined {
    this.check();
    return this.#current;
  }

  /** True when a writer's batch may be stuck behind a fault (the run cannot end cleanly). */
  get writerFaulted(): boolean {
    return this.#positions.get(PositionSlot.WRITER_FAULT) !== StorageFault.NONE;
  }

  onChange(listener: (fault: StoreFault | undefined) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Re-reads the threads' faults; tells the listeners when the answer changed. */
  check(): void {
    // Each put asks: the healthy case costs two loads.
    if (
      this.#current === undefined &&
      this.#guard === StorageFault.NONE &&
      this.#positions.get(PositionSlot.WRITER_FAULT) === StorageFault.NONE &&
      this.#positions.get(PositionSlot.FLUSHER_FAULT) === StorageFault.NONE
    )
      return;
    const next = this.#latched ?? this.#evaluate();
    if (next?.latched) this.#latched = next;
    const before = this.#current;
    this.#current = next;
    // Listeners hear of a new kind of fault (or the end of one), and once more when the error
    // text behind it arrives (a thread's notice may follow its shared slot by a moment).
    const gainedDetail = before !== undefined && !before.detailed && next?.detailed === true;
    if (before?.fault === next?.fault && !gainedDetail) return;
    for (const listener of this.#listeners) listener(next);
  }

  #evaluate(): StoreFault | undefined {
    const flusher = asStorageFault(this.#positions.get(PositionSlot.FLUSHER_FAULT));
    if (flusher !== StorageFault.NONE) return this.#describe(flusher, 'flusher', true);
    const writer = asStorageFault(this.#positions.get(PositionSlot.WRITER_FAULT));
    if (writer !== StorageFault.NONE) return this.#describe(writer, 'writer', false);
    if (this.#guard !== StorageFault.NONE) return this.#describe(this.#guard, 'guard', false);
    return undefined;
  }

  #describe(fault: StorageFault, source: Source, alwaysLatched: boolean): StoreFault {
    const code = storageFaultCode(fault);
    const detail = this.#details.get(source);
    const where = source === 'guard' ? 'space check' : `${source} thread`;
    return {
      fault,
      code,
      reason: `${code}: ${storageFaultText(fault)} (${where}${detail === undefined ? '' : `: ${detail}`})`,
      latched: alwaysLatched || isLatchedFault(fault),
      detailed: detail !== undefined,
    };
  }
}
