// Where a reconnecting slave resumes: every branch of the decision, and the HA wire codec.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeHello,
  encodeHello,
  HA_HELLO_BYTES,
  isHello,
} from '../../../../ha/master-slave/ha-wire.js';
import { decideReplicaStart, type MasterView } from '../../../../ha/master-slave/replica-check.js';

const records = new Map([
  [0, { size: 100, bodyCrc: 1, storeTimestamp: 10 }],
  [100, { size: 100, bodyCrc: 2, storeTimestamp: 11 }],
  [200, { size: 100, bodyCrc: 3, storeTimestamp: 12 }],
  [300, { size: 100, bodyCrc: 9, storeTimestamp: 99 }],
]);
const master: MasterView = {
  maxOffset: 400,
  minOffset: 0,
  epochStarts: [0, 300],
  recordAt: (o) => records.get(o),
};
const rec = (offset: number) => ({
  offset,
  ...(records.get(offset) ?? { size: 0, bodyCrc: 0, storeTimestamp: 0 }),
});

describe('decideReplicaStart', () => {
  it("streams an empty slave from the master's oldest offset", () => {
    assert.deepEqual(
      decideReplicaStart({ ...master, minOffset: 100 }, { maxOffset: 0, lastRecord: undefined }),
      { kind: 'STREAM', fromOffset: 100 },
    );
  });

  it('streams a consistent slave from where it ends', () => {
    assert.deepEqual(decideReplicaStart(master, { maxOffset: 300, lastRecord: rec(200) }), {
      kind: 'STREAM',
      fromOffset: 300,
    });
    assert.deepEqual(decideReplicaStart(master, { maxOffset: 350, lastRecord: rec(200) }), {
      kind: 'STREAM',
      fromOffset: 350,
    });
  });

  it('cuts a slave whose last record differs at the run start before it', () => {
    const d = decideReplicaStart(master, {
      maxOffset: 400,
      lastRecord: { offset: 300, size: 100, bodyCrc: 5, storeTimestamp: 50 },
    });
    assert.equal(d.kind, 'TRUNCATE');
    assert.equal(d.kind === 'TRUNCATE' && d.toOffset, 300);
  });

  it('cuts a slave ahead of the master back to its last matching record', () => {
    const d = decideReplicaStart(
      { ...master, maxOffset: 300 },
      { maxOffset: 380, lastRecord: rec(200) },
    );
    assert.deepEqual(d.kind === 'TRUNCATE' && d.toOffset, 300);
  });

  it('cuts a partial record that predates a master restart', () => {
    const d = decideReplicaStart(
      { ...master, epochStarts: [0, 250] },
      { maxOffset: 280, lastRecord: { offset: 100, ...records.get(100)!, size: 100 } },
    );
    assert.equal(d.kind, 'TRUNCATE');
  });

  it("wipes a slave that is behind the master's oldest data", () => {
    const d = decideReplicaStart(
      { ...master, minOffset: 300 },
      { maxOffset: 200, lastRecord: rec(100) },
    );
    assert.deepEqual(d.kind === 'TRUNCATE' && d.toOffset, 0);
  });
});

describe('HA wire', () => {
  it('round-trips the hello and tells it from an offset report', () => {
    const hello = {
      slaveMaxOffset: 123456789,
      lastRecord: { offset: 1000, size: 77, bodyCrc: -5, storeTimestamp: 1_700_000_000_000 },
    };
    const buf = encodeHello(hello);
    assert.equal(buf.byteLength, HA_HELLO_BYTES);
    assert.equal(isHello(buf, 0), true);
    assert.deepEqual(decodeHello(buf, 0), hello);
    const report = Buffer.alloc(8);
    report.writeBigInt64BE(2n ** 52n);
    assert.equal(isHello(report, 0), false);
    assert.deepEqual(decodeHello(encodeHello({ slaveMaxOffset: 0, lastRecord: undefined }), 0), {
      slaveMaxOffset: 0,
      lastRecord: undefined,
    });
  });
});
