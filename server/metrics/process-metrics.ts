// Metrics every Petrel server process has: the main event loop's delay (perf_hooks samples it in
// native code, off the event loop), the process's memory, and the Node.js version it runs on.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import { type LabelValues, scrapedGauge } from './scraped-metrics.js';

const NS_PER_S = 1e9;

/** Registers the process metrics; returns a stop function for the event-loop sampler. */
export function registerProcessMetrics(registry: Registry, base: LabelValues): () => void {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const labelNames = Object.keys(base);
  scrapedGauge({
    registry,
    name: 'petrel_event_loop_delay_seconds',
    help: 'Main event loop delay since the previous scrape: p50, p99 and max (stat label).',
    labelNames: [...labelNames, 'stat'],
    read: () => {
      const samples = [
        [{ ...base, stat: 'p50' }, delay.percentile(50) / NS_PER_S],
        [{ ...base, stat: 'p99' }, delay.percentile(99) / NS_PER_S],
        [{ ...base, stat: 'max' }, delay.max / NS_PER_S],
      ] as const;
      delay.reset();
      return samples;
    },
  });
  scrapedGauge({
    registry,
    name: 'petrel_process_resident_memory_bytes',
    help: 'Resident set size of the process.',
    labelNames,
    read: () => [[base, process.memoryUsage.rss()]],
  });
  scrapedGauge({
    registry,
    name: 'petrel_node_version_info',
    help: 'Always 1; the version label is the Node.js the process runs on.',
    labelNames: [...labelNames, 'version'],
    read: () => [[{ ...base, version: process.version }, 1]],
  });
  return () => delay.disable();
}
