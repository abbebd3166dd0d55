// Failovers and elections as this broker saw them, for the metrics and haStatus. A failover runs
// from the moment the group lost its master as this broker can tell (DLedger: the last message it
// received from the old leader, found once it starts an election or learns there is no leader)
// to the moment this broker became the master itself; it is counted on the broker that took over. An election (DLedger) runs
// from this member turning pre-candidate or candidate to a leader being known again, whoever won.
// Each is a few assignments when the role changes; the histograms are read when scraped.

import type { Clock } from '../../common/clock.js';
import type { HaEventBody } from '../../protocol/bodies/ha-status-body.js';
import { BatchedHistogram } from '../../server/metrics/batched-histogram.js';
import type { BrokerRoleState } from '../broker-role.js';

/** Seconds: elections take a few heartbeats; a failover by hand may take minutes. */
const DURATION_BOUNDS_S = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

export const ElectionOutcome = { WON: 'won', LOST: 'lost' } as const;
export type ElectionOutcome = (typeof ElectionOutcome)[keyof typeof ElectionOutcome];

export class HaEvents {
  readonly #clock: Clock;
  #masterLostAtMs: number | undefined;
  #electionStartedAtMs: number | undefined;
  #failovers = 0;
  #elections = 0;
  #lastFailover: HaEventBody | null = null;
  #lastElection: (HaEventBody & { outcome: ElectionOutcome }) | null = null;
  readonly failoverSeconds = new BatchedHistogram(
    'petrel_ha_failover_duration_seconds',
    'From this broker noticing its group lost the master to this broker being the master.',
    DURATION_BOUNDS_S,
    1,
  );
  readonly electionSeconds = new BatchedHistogram(
    'petrel_ha_election_duration_seconds',
    'From this Raft member starting an election to a leader being known (outcome: won by it or not).',
    DURATION_BOUNDS_S,
    2,
  );

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * The group's master (or Raft leader) is gone as far as this broker can tell, since `sinceMs`
   * (when it was last heard; default now). The first call counts until a master is known again.
   */
  masterLost(sinceMs?: number): void {
    this.#masterLostAtMs ??= sinceMs ?? this.#clock.nowMs();
  }

  /** Another broker is the master now: whatever failover there was did not make this one master. */
  masterFoundElsewhere(): void {
    this.#masterLostAtMs = undefined;
  }

  /** This broker became the master: a failover ends here if one was under way. */
  becameMaster(): void {
    const startedMs = this.#masterLostAtMs;
    this.#masterLostAtMs = undefined;
    if (startedMs === undefined) return;
    const nowMs = this.#clock.nowMs();
    const durationMs = Math.max(0, nowMs - startedMs);
    this.#failovers++;
    this.#lastFailover = { atMs: nowMs, durationMs };
    this.failoverSeconds.observe('', () => ({}), durationMs / 1000);
  }

  electionStarted(): void {
    this.#electionStartedAtMs ??= this.#clock.nowMs();
  }

  /** A leader is known again (this member or another). */
  electionEnded(outcome: ElectionOutcome): void {
    const startedMs = this.#electionStartedAtMs;
    this.#electionStartedAtMs = undefined;
    if (startedMs === undefined) return;
    const nowMs = this.#clock.nowMs();
    const durationMs = Math.max(0, nowMs - startedMs);
    this.#elections++;
    this.#lastElection = { atMs: nowMs, durationMs, outcome };
    this.electionSeconds.observe(outcome, () => ({ outcome }), durationMs / 1000);
  }

  /** Ends a failover on every promotion of the broker's role (slave -> master). */
  watchRole(role: BrokerRoleState): () => void {
    let wasMaster = role.isMaster;
    return role.onChange(() => {
      if (role.isMaster && !wasMaster) this.becameMaster();
      wasMaster = role.isMaster;
    });
  }

  get failovers(): number {
    return this.#failovers;
  }

  get elections(): number {
    return this.#elections;
  }

  get lastFailover(): HaEventBody | null {
    return this.#lastFailover;
  }

  get lastElection(): (HaEventBody & { outcome: ElectionOutcome }) | null {
    return this.#lastElection;
  }
}
