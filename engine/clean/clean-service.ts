// Expiry of old CommitLog segments and the ConsumeQueue segments that only point into them
// (RocketMQ: CleanCommitLogService, CleanConsumeQueueService), plus the store's guard, every
// GUARD_INTERVAL_MS: above DISK_FULL_RATIO percent used the store refuses writes rather than delete
// retained data, and a store directory removed under the running store (its abort marker gone, or
// statfs failing) refuses writes too. Runs on the main thread from timers; a file-system error in
// a round becomes a store fault, never an uncaught exception. The decision itself is clean-policy.ts.

import type { Clock } from '../../common/clock.js';
import type { ConsumeQueueTable } from '../dispatch/consume-queue-table.js';
import type { FileIO } from '../io/file-io.js';
import { spaceShortage, usedPercentOf } from '../io/space-check.js';
import { StorageFault, storageFaultOf } from '../io/storage-fault.js';
import { storeDirGone } from '../io/store-presence.js';
import type { SegmentedFile } from '../mapped/segmented-file.js';
import type { StoreHealth } from '../store-health.js';
import { PositionSlot, type StorePositions } from '../store-positions.js';
import { type CleanPolicyOptions, expiredSegments } from './clean-policy.js';

export { DISK_FULL_RATIO } from '../io/space-check.js';

/** How often the guard checks free space and the store directory (between two segment rolls). */
export const GUARD_INTERVAL_MS = 1_000;

export interface CleanServiceDeps {
  io: FileIO;
  clock: Clock;
  commitLog: SegmentedFile;
  queues: ConsumeQueueTable;
  positions: StorePositions;
  rootDir: string;
  policy: CleanPolicyOptions;
  intervalMs: number;
  /** Deletes index files that only point below the new minimum (the index lives with the writer). */
  onMinOffset: (minCommitLogOffset: number) => void;
  health: StoreHealth;
}

export class CleanService {
  #d: CleanServiceDeps;
  #timers: NodeJS.Timeout[] = [];
  #diskFull = false;
  #deletedSegments = 0;

  constructor(deps: CleanServiceDeps) {
    this.#d = deps;
    deps.positions.set(PositionSlot.MIN_COMMITLOG_OFFSET, deps.commitLog.minOffset());
  }

  get isDiskFull(): boolean {
    return this.#diskFull;
  }

  get deletedSegments(): number {
    return this.#deletedSegments;
  }

  start(): void {
    this.guard();
    const every = (ms: number, task: () => void) => {
      const timer = setInterval(task, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(Math.min(GUARD_INTERVAL_MS, this.#d.intervalMs), () => this.guard());
    every(this.#d.intervalMs, () => {
      try {
        this.run(false);
      } catch (error) {
        this.#report(error);
      }
    });
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  /** Checks free space and that the store directory is still there; tells the store's health. */
  guard(): void {
    const d = this.#d;
    try {
      const gone = storeDirGone(d.io, d.rootDir);
      if (gone !== undefined) {
        this.#setGuard(StorageFault.MISSING, gone.message);
        return;
      }
      const shortage = spaceShortage(d.io, d.rootDir);
      if (shortage === undefined) this.#setGuard(StorageFault.NONE, '');
      else this.#setGuard(StorageFault.DISK_FULL, shortage.message);
    } catch (error) {
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    const fault = storageFaultOf(error);
    if (fault === undefined) throw error;
    this.#setGuard(fault, (error as Error).message);
  }

  #setGuard(fault: StorageFault, detail: string): void {
    this.#diskFull = fault === StorageFault.DISK_FULL;
    this.#d.health.setGuard(fault, detail);
  }

  /** One round; `manual` deletes expired segments whatever the hour. Returns segments deleted. */
  run(manual: boolean): number {
    const d = this.#d;
    const usedPercent = usedPercentOf(d.io, d.rootDir);
    d.commitLog.refresh();
    const segments = d.commitLog
      .segments()
      .map((start) => ({ start, lastModifiedMs: d.io.modifiedMs(d.commitLog.pathOf(start)) }));
    const nowMs = d.clock.nowMs();
    const expired = expiredSegments(d.policy, {
      segments,
      nowMs,
      hourOfDay: new Date(nowMs).getHours(),
      diskUsedPercent: usedPercent,
      manual,
    });
    for (const _ of expired) d.commitLog.deleteOldest();
    if (expired.length === 0) return 0;
    this.#deletedSegments += expired.length;
    const minOffset = d.commitLog.minOffset();
    d.positions.set(PositionSlot.MIN_COMMITLOG_OFFSET, minOffset);
    for (const cq of d.queues.all()) cq.deleteExpiredSegments(minOffset);
    d.onMinOffset(minOffset);
    return expired.length;
  }
}
