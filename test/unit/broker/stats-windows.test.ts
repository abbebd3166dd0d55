// statsAll's windows (broker/metrics/stats-windows.ts) over a manual clock: sums and rates over
// the minute, hour and day rings, RocketMQ's ring sizes, the live value as the newest sample, and
// the bound on series.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type StatsValue, StatsWindows } from '../../../broker/metrics/stats-windows.js';

const T0 = 1_700_000_000_000;

describe('StatsWindows', () => {
  it('counts from the first record while the windows are younger than their span', () => {
    const windows = new StatsWindows(10);
    const current: StatsValue = { value: 30, times: 30, sinceMs: T0 };
    const view = windows.view('k', current, T0 + 3000);
    for (const w of [view.statsMinute, view.statsHour, view.statsDay]) {
      assert.equal(w.sum, 30);
      assert.equal(w.tps, 10);
      assert.equal(w.avgpt, 1);
    }
  });

  it('keeps 7 ten-second samples: the minute window forgets older traffic, the hour does not', () => {
    const windows = new StatsWindows(10);
    const current: StatsValue = { value: 0, times: 0, sinceMs: T0 };
    let now = T0;
    // 100 messages in the first 10 s, then 1 per second.
    current.value = 100;
    current.times = 100;
    for (let tick = 1; tick <= 12; tick++) {
      now = T0 + tick * 10_000;
      if (tick > 1) {
        current.value += 10;
        current.times += 10;
      }
      windows.sample(now, [['k', current]]);
    }
    const view = windows.view('k', current, now);
    // The minute ring holds the samples of ticks 6..12: 60 s holding 10 messages a tick.
    assert.equal(view.statsMinute.sum, 60);
    assert.equal(view.statsMinute.tps, 1);
    // The hour and day rings still start at the first record.
    assert.equal(view.statsHour.sum, 210);
    assert.equal(view.statsDay.sum, 210);
    assert.equal(view.statsDay.tps, 210 / 120);
  });

  it('samples the hour ring every 10 minutes and the day ring every hour', () => {
    const windows = new StatsWindows(10);
    const current: StatsValue = { value: 0, times: 0, sinceMs: T0 };
    let now = T0;
    // A sampling round every 10 s for 26 hours; one message a minute.
    for (let tick = 1; tick <= 26 * 360; tick++) {
      now = T0 + tick * 10_000;
      if (tick % 6 === 0) {
        current.value += 1;
        current.times += 1;
      }
      windows.sample(now, [['k', current]]);
    }
    const view = windows.view('k', current, now);
    assert.equal(view.statsMinute.sum, 1, 'one message in the last minute');
    assert.equal(view.statsHour.sum, 60, 'the hour ring spans 6 samples of 10 minutes');
    assert.equal(view.statsDay.sum, 24 * 60, 'the day ring spans 24 hourly samples');
  });

  it('takes no new series past its bound (views still answer from the live value)', () => {
    const windows = new StatsWindows(1);
    const a: StatsValue = { value: 5, times: 5, sinceMs: T0 };
    const b: StatsValue = { value: 7, times: 7, sinceMs: T0 };
    windows.sample(T0 + 10_000, [
      ['a', a],
      ['b', b],
    ]);
    a.value = 9;
    assert.equal(windows.view('a', a, T0 + 20_000).statsMinute.sum, 9);
    assert.equal(windows.view('b', b, T0 + 20_000).statsDay.sum, 7);
  });
});
