// Which CommitLog segments expire (RocketMQ: DefaultMessageStore.CleanCommitLogService).
// A segment may be deleted only when its last write is older than fileReservedTime. Deletion runs
// at the deleteWhen hours, or at any hour once disk usage is above diskMaxUsedSpaceRatio. Unlike
// RocketMQ's forced cleaning, a full disk never deletes segments younger than the reserve time:
// the store refuses writes instead (see the disk-full check), so retained data is never lost.
// The newest segment (the one being written) is never deleted.

export interface SegmentAge {
  start: number;
  lastModifiedMs: number;
}

export interface CleanPolicyOptions {
  /** Retention, hours. */
  fileReservedTime: number;
  /** Hours of day, "04" or "04;16". */
  deleteWhen: string;
  diskMaxUsedSpaceRatio: number;
  maxSegmentsPerRun: number;
}

export interface CleanInput {
  /** Every segment, oldest first. */
  segments: readonly SegmentAge[];
  nowMs: number;
  hourOfDay: number;
  diskUsedPercent: number;
  manual: boolean;
}

export function isDeleteHour(deleteWhen: string, hourOfDay: number): boolean {
  return deleteWhen.split(';').some((h) => Number(h) === hourOfDay);
}

/** Start offsets of the segments to delete now, oldest first. */
export function expiredSegments(options: CleanPolicyOptions, input: CleanInput): number[] {
  const due =
    input.manual ||
    isDeleteHour(options.deleteWhen, input.hourOfDay) ||
    input.diskUsedPercent > options.diskMaxUsedSpaceRatio;
  if (!due) return [];
  const reservedMs = options.fileReservedTime * 3600 * 1000;
  const out: number[] = [];
  for (let i = 0; i < input.segments.length - 1 && out.length < options.maxSegmentsPerRun; i++) {
    const segment = input.segments[i];
    if (segment === undefined || segment.lastModifiedMs + reservedMs > input.nowMs) break;
    out.push(segment.start);
  }
  return out;
}
