// Where a (re)connecting slave's CommitLog stops matching the master's, and so where streaming
// resumes. Classic RocketMQ HA trusts the slave's reported offset; after a master lost its unflushed
// tail and wrote new records over those offsets, that silently splices two histories. Petrel
// compares the slave's last complete record with the master's record at the same offset (size,
// BODYCRC, store time) and knows the offsets where each master run began (its epochs): bytes a
// slave holds beyond a run start it did not receive in that run may differ, so it is cut there.

export interface MasterView {
  /** End of the master's CommitLog. */
  maxOffset: number;
  /** Oldest offset the master still has. */
  minOffset: number;
  /** Offsets where each master run began writing, ascending. */
  epochStarts: readonly number[];
  /** The master's record at `offset`: size, BODYCRC and store time; undefined if none starts there. */
  recordAt(offset: number): { size: number; bodyCrc: number; storeTimestamp: number } | undefined;
}

export interface SlaveState {
  maxOffset: number;
  lastRecord: { offset: number; size: number; bodyCrc: number; storeTimestamp: number } | undefined;
}

export type ReplicaDecision =
  | { kind: 'STREAM'; fromOffset: number }
  | { kind: 'TRUNCATE'; toOffset: number; reason: string };

function lastEpochAtOrBelow(epochStarts: readonly number[], offset: number, floor: number): number {
  let best = floor;
  for (const e of epochStarts) if (e <= offset && e > best) best = e;
  return best;
}

export function decideReplicaStart(master: MasterView, slave: SlaveState): ReplicaDecision {
  if (slave.maxOffset === 0 && slave.lastRecord === undefined)
    return { kind: 'STREAM', fromOffset: master.minOffset };
  const last = slave.lastRecord;
  if (last === undefined) {
    // The slave has bytes but no complete record: only the start of its log can be kept.
    return {
      kind: 'TRUNCATE',
      toOffset: 0,
      reason: 'the slave holds no complete record to compare',
    };
  }
  const ours = last.offset < master.maxOffset ? master.recordAt(last.offset) : undefined;
  const matches =
    ours !== undefined &&
    ours.size === last.size &&
    ours.bodyCrc === last.bodyCrc &&
    ours.storeTimestamp === last.storeTimestamp;
  const recordEnd = last.offset + last.size;
  if (!matches) {
    const to = lastEpochAtOrBelow(master.epochStarts, last.offset, master.minOffset);
    return {
      kind: 'TRUNCATE',
      toOffset: Math.min(to, slave.maxOffset),
      reason: `the slave's record at ${last.offset} differs from the master's`,
    };
  }
  if (slave.maxOffset > master.maxOffset) {
    return {
      kind: 'TRUNCATE',
      toOffset: recordEnd,
      reason: `the slave is ahead of the master (${slave.maxOffset} > ${master.maxOffset})`,
    };
  }
  const runStartInPartial = master.epochStarts.some((e) => e > recordEnd && e < slave.maxOffset);
  if (runStartInPartial) {
    return {
      kind: 'TRUNCATE',
      toOffset: recordEnd,
      reason: "the slave's partial record predates a master restart",
    };
  }
  if (slave.maxOffset < master.minOffset) {
    return {
      kind: 'TRUNCATE',
      toOffset: 0,
      reason: `the master no longer has offset ${slave.maxOffset} (its oldest is ${master.minOffset})`,
    };
  }
  return { kind: 'STREAM', fromOffset: slave.maxOffset };
}
