// Live charts: messages in and out per second (from the brokers' put and get counters, summed
// over every broker, differenced between samples) and the total lag of the consumer groups. The
// samples live in this page only; the last MAX_POINTS are kept.

import { getJson } from './api.js';
import { h } from './dom.js';
import { lineChart } from './line-chart.js';
import type { Stats } from './types.js';

const MAX_POINTS = 300;
const samples: Array<{ atMs: number; inRate: number; outRate: number; lag: number }> = [];
let previous: { atMs: number; put: number; get: number } | null = null;

function sum(stats: Stats, key: 'putTotal' | 'getTotal'): number {
  return stats.brokers.reduce((total, b) => total + (b[key] ?? 0), 0);
}

export async function renderCharts(view: HTMLElement): Promise<void> {
  const stats = await getJson<Stats>('stats');
  const put = sum(stats, 'putTotal');
  const get = sum(stats, 'getTotal');
  if (previous !== null && stats.atMs > previous.atMs) {
    const seconds = (stats.atMs - previous.atMs) / 1000;
    // A broker that restarted or left resets its counters: no negative rates.
    samples.push({
      atMs: stats.atMs,
      inRate: Math.max(0, put - previous.put) / seconds,
      outRate: Math.max(0, get - previous.get) / seconds,
      lag: stats.lagTotal,
    });
    if (samples.length > MAX_POINTS) samples.shift();
  }
  previous = { atMs: stats.atMs, put, get };
  const times = samples.map((s) => s.atMs);
  view.replaceChildren(
    h('h2', {}, 'Live charts'),
    h(
      'p',
      { class: 'muted', 'data-samples': samples.length },
      `${samples.length} samples, one per refresh`,
    ),
    lineChart('Messages per second', times, [
      { name: 'in', color: '#0969da', values: samples.map((s) => s.inRate) },
      { name: 'out', color: '#1a7f37', values: samples.map((s) => s.outRate) },
    ]),
    lineChart('Consumer lag (messages)', times, [
      { name: 'lag', color: '#cf222e', values: samples.map((s) => s.lag) },
    ]),
  );
}
