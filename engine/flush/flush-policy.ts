// When to fdatasync the CommitLog (RocketMQ: FlushRealTimeService / GroupCommitService).
// SYNC_FLUSH flushes as soon as anything is unflushed: every put waiting at that moment shares the
// fdatasync (group commit). ASYNC_FLUSH flushes every flushIntervalCommitLog when at least
// flushCommitLogLeastPages whole 4 KiB pages are dirty, and everything at least every
// flushCommitLogThoroughInterval.

import type { FlushDiskType } from '../options.js';

export const OS_PAGE_BYTES = 4096;

export interface FlushPolicyOptions {
  flushDiskType: FlushDiskType;
  flushIntervalCommitLog: number;
  flushCommitLogLeastPages: number;
  flushCommitLogThoroughInterval: number;
}

export class FlushPolicy {
  #options: FlushPolicyOptions;
  #lastThoroughMs: number;

  constructor(options: FlushPolicyOptions, nowMs: number) {
    this.#options = options;
    this.#lastThoroughMs = nowMs;
  }

  get isSync(): boolean {
    return this.#options.flushDiskType === 'SYNC_FLUSH';
  }

  /** How long an ASYNC_FLUSH flusher sleeps between rounds. */
  get intervalMs(): number {
    return this.#options.flushIntervalCommitLog;
  }

  /** Should a round that sees `wrote` and `flushed` at `nowMs` flush? */
  shouldFlush(wrote: number, flushed: number, nowMs: number): boolean {
    if (wrote <= flushed) return false;
    if (this.isSync) return true;
    if (nowMs - this.#lastThoroughMs >= this.#options.flushCommitLogThoroughInterval) {
      this.#lastThoroughMs = nowMs;
      return true;
    }
    const dirtyPages = Math.floor(wrote / OS_PAGE_BYTES) - Math.floor(flushed / OS_PAGE_BYTES);
    return dirtyPages >= this.#options.flushCommitLogLeastPages;
  }
}
