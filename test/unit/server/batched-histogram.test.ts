// BatchedHistogram renders through prom-client's Registry exactly as prom-client's own Histogram
// renders the same observations: same text, line for line.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { BatchedHistogram } from '../../../server/metrics/batched-histogram.js';

describe('BatchedHistogram', () => {
  it('exposes the same text as prom-client Histogram for the same observations', async () => {
    const bounds = [1, 5, 10, 50];
    const ours = new BatchedHistogram('lat', 'latency', bounds);
    const theirsRegistry = new Registry();
    const theirs = new Histogram({
      name: 'lat',
      help: 'latency',
      labelNames: ['code'],
      buckets: bounds,
      registers: [theirsRegistry],
    });
    const observations: Array<[string, number]> = [
      ['10', 0.5],
      ['10', 3],
      ['11', 7],
      ['10', 51],
      ['11', 10],
      ['10', 1],
    ];
    for (const [code, value] of observations) {
      ours.observe(code, () => ({ code }), value);
      theirs.observe({ code }, value);
    }
    const oursRegistry = new Registry();
    oursRegistry.registerMetric(ours.asMetric());
    assert.equal(await oursRegistry.metrics(), await theirsRegistry.metrics());
  });

  it('drops observations of label sets beyond maxSeries and counts them', () => {
    const h = new BatchedHistogram('x', 'x', [1], 2);
    h.observe('a', () => ({ k: 'a' }), 1);
    h.observe('b', () => ({ k: 'b' }), 1);
    h.observe('c', () => ({ k: 'c' }), 1);
    h.observe('a', () => ({ k: 'a' }), 1);
    assert.equal(h.dropped, 1);
    assert.equal(h.get().values.filter((v) => v.metricName === 'x_count').length, 2);
  });
});
