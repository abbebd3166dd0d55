// What a controller-mode master asks the controller to make its SyncStateSet, every
// checkSyncStateSetPeriod (RocketMQ 5: AutoSwitchHAService.maybeShrinkSyncStateSet and
// maybeExpandInSyncStateSet). A replica is caught up when it has acknowledged everything the master
// had written at the previous check (and at least the start of the master's epoch); a member that
// has not been caught up for haMaxTimeSlaveNotCatchup leaves the set, a replica that is caught up
// joins it. Pure: the broker feeds it the HA figures and the time.
//
// In controller mode one replica streams from the master at a time (ha-sender.ts); the HA sender
// publishes its brokerId and what it acknowledged since it connected, so a replica is only ever
// credited with its own acknowledgements.

export interface ReplicaProgress {
  /** Replicas streaming now. */
  slaveCount: number;
  /** brokerId of the replica streaming (0 when none said). */
  slaveBrokerId: number;
  /** What that replica acknowledged itself. */
  replicaAckedOffset: number;
}

export class SyncStateSetCheck {
  readonly #selfId: number;
  readonly #maxNotCaughtUpMs: number;
  readonly #epochStartOffset: number;
  readonly #sinceMs: number;
  readonly #caughtUpMs = new Map<number, number>();
  #wroteAtLastCheck: number;

  constructor(o: {
    selfId: number;
    maxNotCaughtUpMs: number;
    epochStartOffset: number;
    nowMs: number;
    wroteOffset: number;
  }) {
    this.#selfId = o.selfId;
    this.#maxNotCaughtUpMs = o.maxNotCaughtUpMs;
    this.#epochStartOffset = o.epochStartOffset;
    this.#sinceMs = o.nowMs;
    this.#wroteAtLastCheck = o.wroteOffset;
  }

  /** The set to propose, or undefined to keep `members` as they are. */
  check(
    members: readonly number[],
    progress: ReplicaProgress,
    wroteOffset: number,
    nowMs: number,
  ): number[] | undefined {
    const id = progress.slaveBrokerId;
    const caughtUp =
      progress.slaveCount > 0 &&
      id > 0 &&
      progress.replicaAckedOffset >= Math.min(this.#wroteAtLastCheck, wroteOffset) &&
      progress.replicaAckedOffset >= this.#epochStartOffset;
    if (caughtUp) this.#caughtUpMs.set(id, nowMs);
    this.#wroteAtLastCheck = wroteOffset;
    const next = members.filter(
      (m) =>
        m === this.#selfId ||
        nowMs - (this.#caughtUpMs.get(m) ?? this.#sinceMs) <= this.#maxNotCaughtUpMs,
    );
    if (!next.includes(this.#selfId)) next.unshift(this.#selfId);
    if (caughtUp && !next.includes(id)) next.push(id);
    const same = next.length === members.length && next.every((m) => members.includes(m));
    return same ? undefined : next.sort((a, b) => a - b);
  }
}
