// Atomic state files: a crash at any step of a write (simulated by a file system that throws at
// that step) leaves the previous file whole and readable, and the consumer offsets reload as last
// persisted. Real files in a temporary directory.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ConsumerOffsetManager,
  parseOffsetTable,
  renderOffsetTable,
} from '../../../broker/consumer-offset-manager.js';
import type { FileIO } from '../../../engine/io/file-io.js';
import { JsonStateFile, nodeFileIo, writeFileAtomic } from '../../../server/config-file.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});

function tmp(): string {
  const d = makeTmpDir('petrel-config-file-');
  dirs.push(d);
  return d.path;
}

class Crash extends Error {}

/** The real file system, except that the named operation throws (a crash at that point). */
function crashingAt(step: 'write' | 'sync' | 'rename' | 'syncDir'): FileIO {
  return new Proxy(nodeFileIo, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === step) {
        return (...args: unknown[]) => {
          if (step === 'write') {
            // A torn write: half of the bytes reach the file, then the process dies.
            const [fd, source, offset, length, position] = args as [
              number,
              Uint8Array,
              number,
              number,
              number,
            ];
            target.write(fd, source, offset, Math.floor(length / 2), position);
          }
          throw new Crash(`crash at ${step}`);
        };
      }
      return value.bind(target);
    },
  });
}

function offsetsFile(io: FileIO, path: string) {
  return new JsonStateFile({ io, path, parse: parseOffsetTable, render: renderOffsetTable });
}

describe('Atomic config files', () => {
  for (const step of ['write', 'sync', 'rename'] as const) {
    it(`keeps the old file whole after a crash at ${step}`, () => {
      const path = join(tmp(), 'config', 'consumerOffset.json');
      const good = new ConsumerOffsetManager(offsetsFile(nodeFileIo, path));
      good.commit('G', 'T', 0, 10);
      good.persist();
      const before = readFileSync(path, 'utf8');
      const crashing = new ConsumerOffsetManager(offsetsFile(crashingAt(step), path));
      crashing.load();
      crashing.commit('G', 'T', 0, 99);
      crashing.commit('G', 'T', 1, 5);
      assert.throws(() => crashing.persist(), Crash);
      assert.equal(readFileSync(path, 'utf8'), before, 'the old file is unchanged');
      const reloaded = new ConsumerOffsetManager(offsetsFile(nodeFileIo, path));
      reloaded.load();
      assert.equal(reloaded.query('G', 'T', 0), 10);
      assert.equal(reloaded.query('G', 'T', 1), -1);
    });
  }

  it('has the new file in place once the rename happened (crash at the directory fsync)', () => {
    const path = join(tmp(), 'topics.json');
    writeFileAtomic(nodeFileIo, path, Buffer.from('old'));
    assert.throws(() => writeFileAtomic(crashingAt('syncDir'), path, Buffer.from('new')), Crash);
    assert.equal(readFileSync(path, 'utf8'), 'new');
  });

  it('ignores a temporary file left by a crash and overwrites it on the next write', () => {
    const dir = tmp();
    const path = join(dir, 'delayOffset.json');
    writeFileSync(`${path}.tmp`, '{"offsetTable":{"1":');
    const file = new JsonStateFile({
      io: nodeFileIo,
      path,
      parse: (text) => JSON.parse(text) as unknown,
      render: (value) => JSON.stringify(value),
    });
    assert.equal(file.load(), undefined);
    file.save({ offsetTable: { 1: 3 } });
    assert.deepEqual(file.load(), { offsetTable: { 1: 3 } });
    assert.equal(existsSync(`${path}.tmp`), false, 'renamed away');
  });

  it('refuses a damaged file with E_CONFIG_INVALID naming it', () => {
    const path = join(tmp(), 'consumerOffset.json');
    writeFileSync(path, '{"offsetTable":{"T@G":{"0":"x"}}}');
    const manager = new ConsumerOffsetManager(offsetsFile(nodeFileIo, path));
    assert.throws(
      () => manager.load(),
      (error: Error & { code?: string }) =>
        error.code === 'E_CONFIG_INVALID' && error.message.includes(path),
    );
  });
});

describe('ConsumerOffsetManager', () => {
  it('persists only when something changed and reads Java-written files', () => {
    const path = join(tmp(), 'consumerOffset.json');
    let saves = 0;
    const file = offsetsFile(nodeFileIo, path);
    const counting = {
      load: () => file.load(),
      save: (t: Record<string, Record<string, number>>) => {
        saves++;
        file.save(t);
      },
    };
    const manager = new ConsumerOffsetManager(counting);
    manager.persist();
    assert.equal(saves, 0);
    manager.commit('G', 'T', 3, 7);
    manager.persist();
    manager.persist();
    assert.equal(saves, 1);
    writeFileSync(path, '{"offsetTable":{"T@G":{0:12,1:3},"U@H":{2:1}}}');
    const java = new ConsumerOffsetManager(file);
    java.load();
    assert.equal(java.query('G', 'T', 0), 12);
    assert.equal(java.query('H', 'U', 2), 1);
    assert.deepEqual(java.snapshot(), { 'T@G': { '0': 12, '1': 3 }, 'U@H': { '2': 1 } });
  });
});
