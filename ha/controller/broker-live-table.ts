// Broker liveness as each controller sees it, from BROKER_HEARTBEAT requests: when a replica was
// last heard from, its timeout, and the epoch and offsets elections rank candidates by. Local to
// one controller, never replicated (as RocketMQ's heartbeat table); a controller that becomes
// leader gives every registered replica a fresh timeout (grace) before it judges anyone dead.
//
// Bounded: at most maxEntries replicas; a heartbeat that would add one more first evicts the
// replica heard from longest ago if it is dead, and is refused if every entry is alive.
//
// RocketMQ: controller/.../impl/heartbeat/DefaultBrokerHeartbeatManager.java, BrokerLiveInfo.java.
// Pure: time comes in as nowMs arguments.

export interface BrokerHeartbeat {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerAddr: string;
  /** -1 when the broker did not say. */
  readonly epoch: number;
  readonly maxOffset: number;
  readonly confirmOffset: number;
  readonly heartbeatTimeoutMs: number;
  /** Lower wins ties; Integer.MAX_VALUE when unset. */
  readonly electionPriority: number;
}

export interface BrokerLiveInfo extends BrokerHeartbeat {
  readonly lastSeenMs: number;
}

export const HeartbeatOutcome = {
  RECORDED: 'RECORDED',
  TABLE_FULL: 'TABLE_FULL',
} as const;
export type HeartbeatOutcome = (typeof HeartbeatOutcome)[keyof typeof HeartbeatOutcome];

function keyOf(brokerName: string, brokerId: number): string {
  return `${brokerName}\u0000${brokerId}`;
}

export class BrokerLiveTable {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, BrokerLiveInfo>();

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  onHeartbeat(heartbeat: BrokerHeartbeat, nowMs: number): HeartbeatOutcome {
    const key = keyOf(heartbeat.brokerName, heartbeat.brokerId);
    const previous = this.#entries.get(key);
    if (
      previous === undefined &&
      this.#entries.size >= this.#maxEntries &&
      !this.#evictDead(nowMs)
    ) {
      return HeartbeatOutcome.TABLE_FULL;
    }
    // RocketMQ keeps the highest (epoch, maxOffset) seen; a heartbeat that went backwards (a
    // truncation) is still taken here, since the broker's own word on its log is the newest truth.
    this.#entries.set(key, { ...heartbeat, lastSeenMs: nowMs });
    return HeartbeatOutcome.RECORDED;
  }

  get(brokerName: string, brokerId: number): BrokerLiveInfo | undefined {
    return this.#entries.get(keyOf(brokerName, brokerId));
  }

  isAlive(brokerName: string, brokerId: number, nowMs: number): boolean {
    const info = this.#entries.get(keyOf(brokerName, brokerId));
    return info !== undefined && nowMs - info.lastSeenMs <= info.heartbeatTimeoutMs;
  }

  /**
   * A new leader's grace: every listed replica counts as heard from now (keeping what is known
   * of it), so replicas that heartbeated only the old leader are not judged dead at once.
   */
  grant(
    replicas: Iterable<{
      clusterName: string;
      brokerName: string;
      brokerId: number;
      brokerAddr: string;
    }>,
    nowMs: number,
    defaultTimeoutMs: number,
  ): void {
    for (const replica of replicas) {
      const key = keyOf(replica.brokerName, replica.brokerId);
      const known = this.#entries.get(key);
      if (known !== undefined) {
        this.#entries.set(key, { ...known, lastSeenMs: Math.max(known.lastSeenMs, nowMs) });
        continue;
      }
      if (this.#entries.size >= this.#maxEntries && !this.#evictDead(nowMs)) return;
      this.#entries.set(key, {
        ...replica,
        epoch: -1,
        maxOffset: -1,
        confirmOffset: -1,
        heartbeatTimeoutMs: defaultTimeoutMs,
        electionPriority: 0x7fffffff,
        lastSeenMs: nowMs,
      });
    }
  }

  #evictDead(nowMs: number): boolean {
    let oldestKey: string | undefined;
    let oldestSeenMs = Number.POSITIVE_INFINITY;
    for (const [key, info] of this.#entries) {
      const dead = nowMs - info.lastSeenMs > info.heartbeatTimeoutMs;
      if (dead && info.lastSeenMs < oldestSeenMs) {
        oldestSeenMs = info.lastSeenMs;
        oldestKey = key;
      }
    }
    if (oldestKey === undefined) return false;
    this.#entries.delete(oldestKey);
    return true;
  }
}
