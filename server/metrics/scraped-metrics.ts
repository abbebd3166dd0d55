// Counters and gauges whose values are read when Prometheus scrapes, from state the server keeps
// anyway (store positions, offset tables, client tables) or from plain counters it bumps on the
// hot path; prom-client is touched only inside collect().

import { Counter, Gauge, type Registry } from 'prom-client';

export type LabelValues = Readonly<Record<string, string>>;
export type Samples = Iterable<readonly [LabelValues, number]>;

export interface ScrapedMetric {
  registry: Registry;
  name: string;
  help: string;
  labelNames: readonly string[];
  /** The samples now; labels not named in labelNames are an error in prom-client. */
  read: () => Samples;
}

export function scrapedCounter(m: ScrapedMetric): void {
  new Counter({
    name: m.name,
    help: m.help,
    labelNames: m.labelNames,
    registers: [m.registry],
    collect() {
      this.reset();
      for (const [labels, value] of m.read()) this.inc(labels, value);
    },
  });
}

export function scrapedGauge(m: ScrapedMetric): void {
  new Gauge({
    name: m.name,
    help: m.help,
    labelNames: m.labelNames,
    registers: [m.registry],
    collect() {
      this.reset();
      for (const [labels, value] of m.read()) this.set(labels, value);
    },
  });
}
