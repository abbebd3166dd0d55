// RocketMQ's per-minute, per-hour and per-day broker stats (BrokerStatsManager's StatsItem), which
// VIEW_BROKER_STATS_DATA answers and `mqadmin statsAll` prints as TPS and 24-hour totals. The
// counters are the metrics' own (broker-traffic.ts); a timer samples them every 10 s into three
// bounded rings, as StatsItem does: 7 samples 10 s apart (a minute), 7 samples 10 min apart (an
// hour), 25 samples an hour apart (a day). A series starts with a zero sample at its first record,
// and an answer uses the live total as its newest sample, so a sum counts up to the request; its
// oldest sample is the oldest within the window's span (60 s, 1 h, 24 h) of now.
//
// RocketMQ: common/.../stats/StatsItem.java (computeStatsData, samplingInSeconds/Minutes/Hour),
// store/.../stats/BrokerStatsManager.java.

export const StatsName = {
  TOPIC_PUT_NUMS: 'TOPIC_PUT_NUMS',
  TOPIC_PUT_SIZE: 'TOPIC_PUT_SIZE',
  GROUP_GET_NUMS: 'GROUP_GET_NUMS',
  GROUP_GET_SIZE: 'GROUP_GET_SIZE',
} as const;
export type StatsName = (typeof StatsName)[keyof typeof StatsName];

/** A counter's value now: its total, how many records made it, and when its first record came. */
export interface StatsValue {
  value: number;
  times: number;
  sinceMs: number;
}

/** RocketMQ's StatsSnapshot: the increase over the window, per second, and per record. */
export interface StatsSnapshot {
  sum: number;
  tps: number;
  avgpt: number;
}

export interface BrokerStatsData {
  statsMinute: StatsSnapshot;
  statsHour: StatsSnapshot;
  statsDay: StatsSnapshot;
}

interface Sample {
  atMs: number;
  value: number;
  times: number;
}

const WINDOWS = [
  { everyMs: 10_000, keep: 7, spanMs: 60_000 },
  { everyMs: 600_000, keep: 7, spanMs: 3_600_000 },
  { everyMs: 3_600_000, keep: 25, spanMs: 86_400_000 },
] as const;

type Rings = [Sample[], Sample[], Sample[]];

/** From the oldest sample within `spanMs` of now to now (the live value). */
function snapshot(ring: readonly Sample[], now: Sample, spanMs: number): StatsSnapshot {
  const first = ring.find((s) => s.atMs >= now.atMs - spanMs) ?? ring[ring.length - 1] ?? now;
  const sum = now.value - first.value;
  const elapsedMs = now.atMs - first.atMs;
  const times = now.times - first.times;
  return {
    sum,
    tps: elapsedMs > 0 ? (sum * 1000) / elapsedMs : 0,
    avgpt: times > 0 ? sum / times : 0,
  };
}

export class StatsWindows {
  readonly #series = new Map<string, Rings>();
  readonly #lastSampleMs = [0, 0, 0];
  readonly #maxSeries: number;

  constructor(maxSeries: number) {
    this.#maxSeries = maxSeries;
  }

  /** Takes this round's samples of every series (`read` gives the live counters). */
  sample(nowMs: number, series: Iterable<[string, StatsValue]>): void {
    const due = WINDOWS.map((w, i) => nowMs - (this.#lastSampleMs[i] ?? 0) >= w.everyMs - 1000);
    for (const [i, isDue] of due.entries()) if (isDue) this.#lastSampleMs[i] = nowMs;
    for (const [key, current] of series) {
      const rings = this.#rings(key, current);
      if (rings === undefined) continue;
      for (const [i, ring] of rings.entries()) {
        if (!due[i]) continue;
        ring.push({ atMs: nowMs, value: current.value, times: current.times });
        while (ring.length > (WINDOWS[i]?.keep ?? 0)) ring.shift();
      }
    }
  }

  /** The three windows of a series, its live value as the newest sample. */
  view(key: string, current: StatsValue, nowMs: number): BrokerStatsData {
    const now = { atMs: nowMs, value: current.value, times: current.times };
    const rings = this.#series.get(key) ?? this.#startRings(current);
    return {
      statsMinute: snapshot(rings[0], now, WINDOWS[0].spanMs),
      statsHour: snapshot(rings[1], now, WINDOWS[1].spanMs),
      statsDay: snapshot(rings[2], now, WINDOWS[2].spanMs),
    };
  }

  #rings(key: string, current: StatsValue): Rings | undefined {
    let rings = this.#series.get(key);
    if (rings === undefined) {
      if (this.#series.size >= this.#maxSeries) return undefined;
      rings = this.#startRings(current);
      this.#series.set(key, rings);
    }
    return rings;
  }

  /** A series begins at zero when its first record came. */
  #startRings(current: StatsValue): Rings {
    const start = { atMs: current.sinceMs, value: 0, times: 0 };
    return [[start], [{ ...start }], [{ ...start }]];
  }
}
