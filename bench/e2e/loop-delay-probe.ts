// Bench-only probe preloaded into a broker process (node --import <this file> dist/cli/mqbroker.js):
// it records the main event loop's delay with perf_hooks.monitorEventLoopDelay (1 ms resolution)
// and answers the parent over the IPC channel: "reset" starts a new window, "report" sends the
// window's percentiles in milliseconds. The broker itself is unchanged. The histogram measures
// the time between 1 ms timer ticks, so an idle loop reads about 1 ms; the reported delay is that
// time minus the 1 ms interval (how late the loop was), never below 0.

import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_NS = 1e6;
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();

process.on('message', (message: unknown) => {
  if (message === 'reset') {
    histogram.reset();
    return;
  }
  if (message === 'report') {
    const ms = (ns: number) => Math.max(0, Math.round((ns - RESOLUTION_NS) / 1e4) / 100);
    process.send?.({
      kind: 'loop-delay',
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      maxMs: ms(histogram.max),
      samples: histogram.count,
    });
  }
});
process.channel?.unref();
