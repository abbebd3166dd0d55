// A closed-loop load: N loops each awaiting one operation after another, measured in a window
// that opens after a warm-up. Operations that start before the window or end after it are not
// counted, so the count over the window's length is the throughput.

import type { RecordableHistogram } from 'node:perf_hooks';
import { newHistogram, recordSinceMs } from './latency.js';

export interface ClosedLoopOptions {
  warmupS: number;
  durationS: number;
  concurrency: number;
}

export interface ClosedLoopResult {
  /** Operations completed in the window (those that resolved to anything but false). */
  count: number;
  /** Operations in the window that resolved to false (a refusal, a non-OK status). */
  refused: number;
  /** Latency of the counted operations. */
  histogram: RecordableHistogram;
  seconds: number;
}

/** Runs `concurrency` loops of `once` (false = refused) for the warm-up then `durationS`. */
export async function closedLoop(
  options: ClosedLoopOptions,
  once: () => Promise<unknown>,
  onWindowStart: () => void,
): Promise<ClosedLoopResult> {
  const histogram = newHistogram();
  const startMs = performance.now();
  const windowStartMs = startMs + options.warmupS * 1000;
  const endMs = windowStartMs + options.durationS * 1000;
  let count = 0;
  let refused = 0;
  let isWindowOpen = false;
  const loop = async () => {
    for (;;) {
      const now = performance.now();
      if (now >= endMs) return;
      if (!isWindowOpen && now >= windowStartMs) {
        isWindowOpen = true;
        onWindowStart();
      }
      const sendStartMs = performance.now();
      const ok = await once();
      if (sendStartMs < windowStartMs || performance.now() > endMs) continue;
      if (ok === false) {
        refused++;
        continue;
      }
      recordSinceMs(histogram, sendStartMs);
      count++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  return { count, refused, histogram, seconds: options.durationS };
}
