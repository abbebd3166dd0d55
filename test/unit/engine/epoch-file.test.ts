// The controller-mode epoch file (RocketMQ's EpochFileCache): durable appends in RocketMQ's
// CheckpointFile layout, refusal of epochs that go back, the backup read when the main file is
// torn, and the truncation point a joining replica is given (findConsistentPoint).

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MqError } from '../../../common/errors.js';
import {
  decideEpochStart,
  EpochFile,
  entriesUpTo,
  findConsistentPoint,
  parseEpochFile,
} from '../../../engine/checkpoint/epoch-file.js';
import { NodeFileIO } from '../../../engine/io/node-file-io.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});
const tmp = () => {
  const d = makeTmpDir('petrel-epoch-');
  dirs.push(d);
  return d.path;
};
const io = new NodeFileIO();

describe('epoch file', () => {
  it('appends durably in the CheckpointFile layout and reads it back', () => {
    const path = join(tmp(), 'epochFileCheckpoint');
    const file = EpochFile.open(io, path);
    assert.deepEqual(file.entries, []);
    assert.equal(file.lastEpoch, 0);
    file.append(1, 0);
    file.append(2, 4096);
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    assert.equal(lines[0], '2');
    assert.equal(lines[2], '1-0');
    assert.equal(lines[3], '2-4096');
    const again = EpochFile.open(io, path);
    assert.deepEqual(again.entries, [
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 4096 },
    ]);
    assert.equal(again.lastEpoch, 2);
  });

  it('refuses an epoch or an offset that goes back, and replaces an epoch that wrote nothing', () => {
    const file = EpochFile.open(io, join(tmp(), 'epochs'));
    file.append(3, 100);
    assert.throws(
      () => file.append(2, 200),
      (e: unknown) => e instanceof MqError && e.code === 'E_ROLE_FENCE_STALE',
    );
    assert.throws(
      () => file.append(4, 50),
      (e: unknown) => e instanceof MqError && e.code === 'E_ROLE_FENCE_STALE',
    );
    file.append(3, 100); // the same entry again is a no-op
    file.append(5, 100); // epoch 3 wrote nothing
    assert.deepEqual(file.entries, [{ epoch: 5, startOffset: 100 }]);
  });

  it('truncates entries at a cut and reads the backup when the main file is torn', () => {
    const path = join(tmp(), 'epochs');
    const file = EpochFile.open(io, path);
    file.append(1, 0);
    file.append(2, 500);
    file.append(3, 900);
    file.truncateFrom(500);
    assert.deepEqual(file.entries, [{ epoch: 1, startOffset: 0 }]);
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, 5)); // torn
    const reopened = EpochFile.open(io, path);
    // The backup holds the state before the last write.
    assert.deepEqual(reopened.entries.at(0), { epoch: 1, startOffset: 0 });
  });

  it('says why a damaged file is not an epoch file', () => {
    assert.match(String(parseEpochFile('2\n0\n1-0\n')), /says 2 entries, holds 1/);
    assert.match(String(parseEpochFile('1\n12345\n1-0\n')), /checksum/);
    assert.match(String(parseEpochFile('2\n0\n2-0\n1-9\n')), /does not follow/);
    assert.deepEqual(parseEpochFile('1\n0\n7-42\n'), [{ epoch: 7, startOffset: 42 }]);
  });
});

describe('truncation point of a joining replica', () => {
  const e = (epoch: number, startOffset: number) => ({ epoch, startOffset });

  it('agrees up to the smaller end of the newest shared epoch', () => {
    // The old master A wrote 1@0 up to 120; B took over at 100 in epoch 2.
    assert.equal(findConsistentPoint([e(1, 0)], 120, [e(1, 0), e(2, 100)], 300), 100);
    assert.equal(findConsistentPoint([e(1, 0), e(2, 100)], 300, [e(1, 0)], 120), 100);
    // Same newest epoch: the shorter log is the common prefix.
    assert.equal(findConsistentPoint([e(1, 0), e(2, 100)], 150, [e(1, 0), e(2, 100)], 300), 150);
    // An epoch with a different start does not count.
    assert.equal(findConsistentPoint([e(1, 0), e(2, 90)], 150, [e(1, 0), e(2, 100)], 300), 90);
    assert.equal(findConsistentPoint([e(1, 5)], 150, [e(1, 0)], 300), -1);
  });

  it('streams, truncates or refuses', () => {
    const master = { entries: [e(1, 0), e(2, 100)], maxOffset: 300, minOffset: 0 };
    assert.deepEqual(decideEpochStart(master, { entries: [], maxOffset: 0 }), {
      kind: 'STREAM',
      fromOffset: 0,
    });
    assert.deepEqual(decideEpochStart(master, { entries: [e(1, 0)], maxOffset: 80 }), {
      kind: 'STREAM',
      fromOffset: 80,
    });
    const cut = decideEpochStart(master, { entries: [e(1, 0)], maxOffset: 120 });
    assert.equal(cut.kind, 'TRUNCATE');
    assert.equal(cut.kind === 'TRUNCATE' && cut.toOffset, 100);
    const stranger = decideEpochStart(master, { entries: [e(1, 7)], maxOffset: 50 });
    assert.equal(stranger.kind === 'TRUNCATE' && stranger.toOffset, 0);
    const newer = decideEpochStart(master, { entries: [e(1, 0), e(3, 100)], maxOffset: 120 });
    assert.equal(newer.kind, 'REFUSE');
    assert.match(
      newer.kind === 'REFUSE' ? newer.reason : '',
      /epoch 3, newer than this master's 2/,
    );
    // A replica whose promotion wrote nothing keeps its log and adopts the master's history.
    assert.deepEqual(
      decideEpochStart(
        { ...master, entries: [e(1, 0), e(4, 100)] },
        {
          entries: [e(1, 0), e(3, 100)],
          maxOffset: 100,
        },
      ),
      { kind: 'STREAM', fromOffset: 100 },
    );
    assert.deepEqual(entriesUpTo([e(1, 0), e(4, 100)], 100), [e(1, 0)]);
  });
});
