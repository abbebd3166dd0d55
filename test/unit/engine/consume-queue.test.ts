// ConsumeQueue against a plain array model: seeded appends, reads across segment boundaries,
// recovery of a torn tail, truncation to a CommitLog end, and a queue that starts mid-stream.

import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { offsetToFileName } from '../../../common/bytes.js';
import { createPrng } from '../../../common/prng.js';
import {
  ConsumeQueue,
  CQ_UNIT_SIZE,
  readCqUnit,
} from '../../../engine/consumequeue/consume-queue.js';
import { NodeFileIO } from '../../../engine/io/node-file-io.js';
import { testSeeds } from '../../harness/seed.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const io = new NodeFileIO();
const SEGMENT = 20 * 50;
const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});
const tmp = () => {
  const d = makeTmpDir();
  dirs.push(d);
  return d.path;
};

function readAll(cq: ConsumeQueue, from: number, to: number) {
  const out = [];
  const buf = Buffer.alloc(CQ_UNIT_SIZE * 64);
  for (let q = from; q < to; ) {
    const n = cq.read(q, Math.min(64, to - q), buf);
    assert.ok(n > 0, `read at ${q}`);
    for (let i = 0; i < n; i++) out.push(readCqUnit(buf, i * CQ_UNIT_SIZE));
    q += n;
  }
  return out;
}

describe('ConsumeQueue', () => {
  for (const seed of testSeeds(5, 42)) {
    it(`matches an array model (seed=${seed})`, () => {
      const prng = createPrng(seed);
      const root = tmp();
      const cq = new ConsumeQueue(io, root, 'T', 0, SEGMENT);
      cq.recover();
      const model: Array<{ commitLogOffset: number; size: number; tagsCode: number }> = [];
      let phys = 0;
      for (let batch = 0; batch < 40; batch++) {
        for (let i = prng.int(1, 17); i > 0; i--) {
          const unit = {
            commitLogOffset: phys,
            size: prng.int(100, 5000),
            tagsCode: prng.int(-1000, 1000),
          };
          assert.equal(
            cq.append(model.length, unit.commitLogOffset, unit.size, unit.tagsCode),
            true,
          );
          if (model.length > 0)
            assert.equal(
              cq.append(model.length - 1, 0, 1, 0),
              false,
              'a present unit is not rewritten',
            );
          model.push(unit);
          phys += unit.size;
        }
        cq.writePending();
      }
      assert.equal(cq.maxOffset, model.length);
      assert.deepEqual(readAll(cq, 0, model.length), model);
      cq.close();
      const again = new ConsumeQueue(io, root, 'T', 0, SEGMENT);
      again.recover();
      assert.equal(again.maxOffset, model.length);
      const cut = model[Math.floor(model.length / 2)]?.commitLogOffset ?? 0;
      const dropped = again.truncateByCommitLogEnd(cut);
      assert.equal(again.maxOffset, Math.floor(model.length / 2));
      assert.equal(dropped, model.length - again.maxOffset);
      assert.deepEqual(readAll(again, 0, again.maxOffset), model.slice(0, again.maxOffset));
      again.close();
    });
  }

  it('cuts a torn last unit on recovery', () => {
    const root = tmp();
    const cq = new ConsumeQueue(io, root, 'T', 1, SEGMENT);
    cq.recover();
    for (let q = 0; q < 10; q++) cq.append(q, q * 100, 100, 0);
    cq.writePending();
    cq.close();
    const fd = openSync(`${root}/consumequeue/T/1/${offsetToFileName(0)}`, 'r+');
    writeSync(fd, Buffer.alloc(12), 0, 12, 9 * CQ_UNIT_SIZE);
    closeSync(fd);
    const again = new ConsumeQueue(io, root, 'T', 1, SEGMENT);
    again.recover();
    assert.equal(again.maxOffset, 9);
    again.close();
  });

  it('starts mid-stream with pre-blank units and a min offset', () => {
    const root = tmp();
    const cq = new ConsumeQueue(io, root, 'T', 2, SEGMENT);
    cq.recover();
    assert.equal(cq.append(123, 5000, 200, 7), true);
    cq.writePending();
    assert.equal(cq.maxOffset, 124);
    assert.equal(cq.minOffset, 123);
    assert.equal(cq.gapUnits, 0);
    cq.close();
    const again = new ConsumeQueue(io, root, 'T', 2, SEGMENT);
    again.recover();
    assert.equal(again.maxOffset, 124);
    assert.equal(again.minOffset, 123);
    assert.deepEqual(readAll(again, 123, 124), [{ commitLogOffset: 5000, size: 200, tagsCode: 7 }]);
    again.close();
  });
});
