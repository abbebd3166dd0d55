// A histogram whose observations cost a bucket search and three additions on plain arrays: the
// hot paths (every request, every message) record here, and prom-client reads the totals only
// when Prometheus scrapes. prom-client's own Histogram hashes its labels on every observe().
// Bounded: at most maxSeries label sets; observations for further ones are counted as dropped.

import type { Metric } from 'prom-client';

interface Series {
  labels: Readonly<Record<string, string>>;
  buckets: Float64Array;
  sum: number;
  count: number;
}

export class BatchedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #upperBounds: readonly number[];
  readonly #series = new Map<string, Series>();
  readonly #maxSeries: number;
  #dropped = 0;

  constructor(name: string, help: string, upperBounds: readonly number[], maxSeries = 1000) {
    this.name = name;
    this.help = help;
    this.#upperBounds = upperBounds;
    this.#maxSeries = maxSeries;
  }

  /**
   * Records `value` under the series `key`; `labels` builds that series' labels the first time
   * the key is seen (so a steady caller allocates nothing).
   */
  observe(key: string, labels: () => Record<string, string>, value: number): void {
    let series = this.#series.get(key);
    if (series === undefined) {
      if (this.#series.size >= this.#maxSeries) {
        this.#dropped++;
        return;
      }
      series = {
        labels: labels(),
        buckets: new Float64Array(this.#upperBounds.length),
        sum: 0,
        count: 0,
      };
      this.#series.set(key, series);
    }
    const bounds = this.#upperBounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] ?? 0)) i++;
    if (i < bounds.length) series.buckets[i] = (series.buckets[i] ?? 0) + 1;
    series.sum += value;
    series.count++;
  }

  /** Observations refused because maxSeries label sets were already in use. */
  get dropped(): number {
    return this.#dropped;
  }

  /** prom-client's metric shape (Registry.getMetricsAsString reads name, help, type and get()). */
  get() {
    const values: Array<{
      metricName: string;
      labels: Record<string, string | number>;
      value: number;
    }> = [];
    for (const s of this.#series.values()) {
      let cumulative = 0;
      for (const [i, bound] of this.#upperBounds.entries()) {
        cumulative += s.buckets[i] ?? 0;
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { le: bound, ...s.labels },
          value: cumulative,
        });
      }
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { le: '+Inf', ...s.labels },
        value: s.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    };
  }

  /** The form Registry.registerMetric takes: the registry only calls get() and reads the names. */
  asMetric(): Metric {
    return this as unknown as Metric;
  }
}
