// Expiry of old CommitLog segments and the ConsumeQueue segments that only point into them
// (RocketMQ: CleanCommitLogService, CleanConsumeQueueService), plus the disk-full guard: above
// DISK_FULL_RATIO percent the store refuses writes rather than delete retained data.
// Runs on the main thread from a timer; the decision itself is clean-policy.ts.

import type { Clock } from '../../common/clock.js';
import type { ConsumeQueueTable } from '../dispatch/consume-queue-table.js';
import type { FileIO } from '../io/file-io.js';
import type { SegmentedFile } from '../mapped/segmented-file.js';
import { PositionSlot, type StorePositions } from '../store-positions.js';
import { type CleanPolicyOptions, expiredSegments } from './clean-policy.js';

export const DISK_FULL_RATIO = 90;

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
}

export class CleanService {
  #d: CleanServiceDeps;
  #timer: NodeJS.Timeout | undefined;
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
    this.#timer = setInterval(() => this.run(false), this.#d.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }

  /** One round; `manual` deletes expired segments whatever the hour. Returns segments deleted. */
  run(manual: boolean): number {
    const d = this.#d;
    const usage = d.io.diskUsage(d.rootDir);
    const usedPercent = usage.totalBytes === 0 ? 0 : (usage.usedBytes * 100) / usage.totalBytes;
    this.#diskFull = usedPercent >= DISK_FULL_RATIO;
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
