// The store under an I/O error (EIO), which a tmpfs cannot produce: real files through a FileIO that
// fails chosen calls. A failed write stalls the writer, the put is refused with E_IO_ERROR and the
// fault latches until the store is reopened; a failed fdatasync never acknowledges SYNC_FLUSH puts
// (FLUSH_DISK_TIMEOUT) and latches; reads go on. The same WriteStall and StoreHealth run behind the
// worker threads (test/fault/storage-faults.test.ts covers those with a real full disk). A store
// directory removed under a running store refuses the very next put, on either host.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { openBrokerStore as openStore } from '../../../engine/internal.js';
import type { FileIO } from '../../../engine/io/file-io.js';
import { NodeFileIO } from '../../../engine/io/node-file-io.js';
import type { PutResult } from '../../../engine/put/put-result.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';
import { waitFor } from '../../harness/wait-for.js';

const options = {
  threads: false,
  mappedFileSizeCommitLog: 256 * 1024,
  mappedFileSizeConsumeQueue: 20 * 1000,
  maxMessageSize: 16 * 1024,
  tailCacheBytes: 1024 * 1024,
  appendRingBytes: 1024 * 1024,
  maxHashSlotNum: 100,
  maxIndexNum: 1000,
};

/** node:fs, except that `write` or `sync` of CommitLog segments throws EIO while `failing` holds. */
class FailingIO extends NodeFileIO {
  failing: 'write' | 'sync' | undefined;
  #paths = new Map<number, string>();

  override open(path: string, o: { create: boolean; readOnly?: boolean }): number {
    const fd = super.open(path, o);
    this.#paths.set(fd, path);
    return fd;
  }

  #fail(fd: number, call: 'write' | 'sync'): void {
    if (this.failing !== call || !/\/commitlog\/\d{20}(\.tmp)?$/.test(this.#paths.get(fd) ?? ''))
      return;
    throw Object.assign(new Error(`EIO: i/o error, ${call}`), { code: 'EIO', syscall: call });
  }

  override write(fd: number, s: Uint8Array, o: number, l: number, p: number): void {
    this.#fail(fd, 'write');
    super.write(fd, s, o, l, p);
  }

  override sync(fd: number): void {
    this.#fail(fd, 'sync');
    super.sync(fd);
  }
}

describe('the store under I/O errors (EIO)', () => {
  const dirs: Array<{ remove: () => void }> = [];
  const tmp = () => {
    const d = makeTmpDir('petrel-eio-');
    dirs.push(d);
    return d.path;
  };
  after(() => {
    for (const d of dirs) d.remove();
  });

  it('refuses puts with E_IO_ERROR after a failed write, keeps serving reads, and stays refused until reopened', async () => {
    const io = new FailingIO();
    const root = tmp();
    const store = await openStore({ storePathRootDir: root, ...options }, { io: io as FileIO });
    const ok = await store.putMessage({ topic: 'Eio', queueId: 0, body: Buffer.from('before') });
    assert.equal(ok.status, 'PUT_OK');
    const wroteBefore = store.getMaxPhyOffset();
    io.failing = 'write';
    // The stalled put is answered while the fault holds, not when it goes away.
    let answer: PutResult | undefined;
    void store.putMessage({ topic: 'Eio', queueId: 0, body: Buffer.from('stalled') }).then((r) => {
      answer = r;
    });
    const stalled = await waitFor(() => answer, {
      timeoutMs: 5000,
      what: 'the stalled put to be answered while the fault holds',
    }).catch(async (error: unknown) => {
      io.failing = undefined;
      await store.close();
      throw error;
    });
    assert.equal(stalled.status, 'SERVICE_NOT_AVAILABLE');
    assert.match(stalled.reason ?? '', /^E_IO_ERROR: .*EIO.*may still be stored/);
    assert.ok(store.storageFault !== undefined);
    const refused = await store.putMessage({ topic: 'Eio', queueId: 0, body: Buffer.from('no') });
    assert.equal(refused.status, 'SERVICE_NOT_AVAILABLE');
    assert.match(refused.reason ?? '', /^E_IO_ERROR: .*EIO/);
    const read = await store.getMessage({
      topic: 'Eio',
      queueId: 0,
      queueOffset: 0,
      maxMsgNums: 8,
    });
    assert.deepEqual(
      read.messages.map((m) => m.body.toString()),
      ['before'],
    );
    io.failing = undefined;
    // The stalled batch is written on the writer's retry (below, after the reopen); the fault
    // stays latched.
    await waitFor(() => store.getMaxPhyOffset() > wroteBefore, {
      timeoutMs: 5000,
      what: 'the stalled batch to be written on a retry',
    });
    const still = await store.putMessage({ topic: 'Eio', queueId: 0, body: Buffer.from('no') });
    assert.match(still.reason ?? '', /^E_IO_ERROR/);
    assert.equal(store.storageFault?.latched, true);
    await store.close();
    const reopened = await openStore({ storePathRootDir: root, ...options });
    try {
      const after = await reopened.putMessage({
        topic: 'Eio',
        queueId: 0,
        body: Buffer.from('after'),
      });
      assert.equal(after.status, 'PUT_OK');
      const all = await reopened.getMessage({
        topic: 'Eio',
        queueId: 0,
        queueOffset: 0,
        maxMsgNums: 8,
      });
      assert.deepEqual(
        all.messages.map((m) => m.body.toString()),
        ['before', 'stalled', 'after'],
      );
    } finally {
      await reopened.close();
    }
  });

  it('never acknowledges a SYNC_FLUSH put whose fdatasync failed, and latches', async () => {
    const io = new FailingIO();
    const store = await openStore(
      { storePathRootDir: tmp(), ...options, flushDiskType: 'SYNC_FLUSH', syncFlushTimeout: 300 },
      { io: io as FileIO },
    );
    try {
      assert.equal(
        (await store.putMessage({ topic: 'Sync', queueId: 0, body: Buffer.from('a') })).status,
        'PUT_OK',
      );
      io.failing = 'sync';
      const lost = await store.putMessage({ topic: 'Sync', queueId: 0, body: Buffer.from('b') });
      assert.equal(lost.status, 'FLUSH_DISK_TIMEOUT');
      io.failing = undefined;
      const refused = await store.putMessage({ topic: 'Sync', queueId: 0, body: Buffer.from('c') });
      assert.equal(refused.status, 'SERVICE_NOT_AVAILABLE');
      assert.match(refused.reason ?? '', /^E_IO_ERROR: .*flusher/);
    } finally {
      await store.close();
    }
  });
});

describe('the store directory removed under a running store', () => {
  for (const threads of [false, true]) {
    it(`acknowledges no put after the removal, without waiting for the guard (threads: ${threads})`, async () => {
      const dir = makeTmpDir('petrel-gone-');
      const store = await openStore({ storePathRootDir: dir.path, ...options, threads });
      try {
        const first = await store.putMessage({ topic: 'Gone', queueId: 0, body: 'before' });
        assert.equal(first.status, 'PUT_OK');
        rmSync(dir.path, { recursive: true, force: true });
        // The guard looks once a second; every put from now on must be refused, the first included
        // (its batch would go to files that no longer have a name).
        for (let i = 0; i < 20; i++) {
          const r = await store.putMessage({ topic: 'Gone', queueId: 0, body: `after ${i}` });
          assert.equal(
            r.status,
            'SERVICE_NOT_AVAILABLE',
            `put ${i} after the removal: ${r.status}`,
          );
          assert.match(r.reason ?? '', /^E_STORE_MISSING: /);
        }
        assert.equal(store.storageFault?.latched, true);
      } finally {
        await store.close();
        dir.remove();
      }
    });
  }
});
