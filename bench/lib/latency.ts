// Latency histograms (perf_hooks, nanoseconds) reduced to the figures we report.

import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export function newHistogram(): RecordableHistogram {
  return createHistogram({ lowest: 1, highest: 60e9, figures: 3 });
}

export function recordSince(h: RecordableHistogram, startNs: bigint): void {
  const ns = Number(process.hrtime.bigint() - startNs);
  h.record(Math.max(1, ns));
}

/** Records the time since `startedMs` (a performance.now() reading). */
export function recordSinceMs(h: RecordableHistogram, startedMs: number): void {
  h.record(Math.max(1, Math.round((performance.now() - startedMs) * 1e6)));
}

/** A percentile in milliseconds rounded to 0.01, or null when nothing was recorded. */
export function percentileMsOrNull(h: RecordableHistogram, p: number): number | null {
  return h.count === 0 ? null : Math.round(h.percentile(p) / 1e4) / 100;
}

export function percentileMs(
  h: { percentile(p: number): number; count?: number },
  p: number,
): number {
  return h.percentile(p) / 1e6;
}

export function fmt(value: number, digits = 1): string {
  return value.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}
