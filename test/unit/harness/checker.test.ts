// The fault checker must catch what it claims to: a lost acknowledged message, a phantom, a
// delivered definite failure, duplicates, one offset with two messages, and an order break.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHistory } from '../../fault/lib/checker.js';
import { History } from '../../fault/lib/history.js';

function run(build: (h: History) => void) {
  let t = 0;
  const h = new History(() => t++);
  build(h);
  return checkHistory(h);
}

describe('history checker', () => {
  it('passes a clean run', () => {
    const r = run((h) => {
      for (const id of ['a', 'b']) {
        h.attempted(id);
        h.completed(id, 'ACKED');
      }
      h.delivered({ id: 'a', queue: 'q0', queueOffset: 0, broker: 'm' });
      h.delivered({ id: 'b', queue: 'q0', queueOffset: 1, broker: 'm' });
    });
    assert.deepEqual(
      [r.lost, r.unexpected, r.aborted, r.duplicated, r.inconsistentOffsets, r.orderBreaks],
      [[], [], [], [], [], []],
    );
  });

  it('reports every kind of violation', () => {
    const r = run((h) => {
      for (const id of ['lost', 'dup', 'failed', 'unknown']) h.attempted(id);
      h.completed('lost', 'ACKED');
      h.completed('dup', 'ACKED');
      h.completed('failed', 'FAILED', 'MESSAGE_ILLEGAL');
      h.completed('unknown', 'UNKNOWN', 'timeout');
      h.delivered({ id: 'dup', queue: 'q0', queueOffset: 5, broker: 'm' });
      h.delivered({ id: 'dup', queue: 'q0', queueOffset: 5, broker: 's' });
      h.delivered({ id: 'failed', queue: 'q0', queueOffset: 6, broker: 'm' });
      h.delivered({ id: 'phantom', queue: 'q0', queueOffset: 6, broker: 's' });
      h.delivered({ id: 'unknown', queue: 'q0', queueOffset: 3, broker: 'm' });
    });
    assert.deepEqual(r.lost, ['lost']);
    assert.deepEqual(r.unexpected, ['phantom']);
    assert.deepEqual(r.aborted, ['failed']);
    assert.deepEqual(r.duplicated, ['dup']);
    assert.deepEqual(r.recovered, ['unknown']);
    assert.equal(r.inconsistentOffsets.length, 1);
    assert.deepEqual(r.orderBreaks, ['q0: offset 3 after 6']);
  });
});
