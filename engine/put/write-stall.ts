// The writer's answer to a storage fault (ENOSPC, EROFS, EIO, a removed directory): keep the batch
// it could not write, publish the fault for the main thread, and retry the same write later with a
// bounded backoff, instead of dying with the batch. Writes are idempotent (pwrite at fixed offsets,
// units re-written from the same buffers), so a retry after a partial write is safe.
// Used by the writer thread and by the in-thread pipeline alike.

import { StorageFault, storageFaultOf } from '../io/storage-fault.js';
import { PositionSlot, type StorePositions } from '../store-positions.js';

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1_000;

export interface StallReport {
  fault: StorageFault;
  /** The error message, with the path and syscall (e.g. "ENOSPC: no space left on device, write"). */
  message: string;
}

export class WriteStall {
  #positions: StorePositions;
  #onChange: (report: StallReport) => void;
  #fault: StorageFault = StorageFault.NONE;
  #retryAtMs = 0;
  #backoffMs = FIRST_RETRY_MS;

  /** `onChange` hears of each new fault and of the recovery (fault NONE). */
  constructor(positions: StorePositions, onChange: (report: StallReport) => void) {
    this.#positions = positions;
    this.#onChange = onChange;
  }

  get stalled(): boolean {
    return this.#fault !== StorageFault.NONE;
  }

  /** True when a stalled writer should try its write again now. */
  retryDue(nowMs: number): boolean {
    return this.stalled && nowMs >= this.#retryAtMs;
  }

  /** Milliseconds until the next retry (the writer's idle wait is bounded by it). */
  msUntilRetry(nowMs: number): number {
    return Math.max(1, this.#retryAtMs - nowMs);
  }

  /**
   * Runs `write`. A storage fault stalls the writer (returns false); any other error is a bug and
   * is rethrown. A success after a stall clears the fault.
   */
  attempt(nowMs: number, write: () => void): boolean {
    try {
      write();
    } catch (error) {
      const fault = storageFaultOf(error);
      if (fault === undefined) throw error;
      this.#stall(nowMs, fault, (error as Error).message);
      return false;
    }
    if (this.stalled) {
      this.#fault = StorageFault.NONE;
      this.#backoffMs = FIRST_RETRY_MS;
      this.#positions.set(PositionSlot.WRITER_FAULT, StorageFault.NONE);
      this.#onChange({ fault: StorageFault.NONE, message: 'writes succeed again' });
    }
    return true;
  }

  #stall(nowMs: number, fault: StorageFault, message: string): void {
    const first = this.#fault !== fault;
    this.#retryAtMs = nowMs + this.#backoffMs;
    this.#backoffMs = first ? FIRST_RETRY_MS * 2 : Math.min(MAX_RETRY_MS, this.#backoffMs * 2);
    if (!first) return;
    this.#fault = fault;
    this.#positions.set(PositionSlot.WRITER_FAULT, fault);
    this.#onChange({ fault, message });
  }
}
