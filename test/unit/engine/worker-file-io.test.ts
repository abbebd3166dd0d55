// The store's worker threads use the file layer they are given (StoreDeps.workerFileIoModule), as
// the in-thread store uses StoreDeps.io: with one that refuses fdatasync, no SYNC_FLUSH put is
// acknowledged; with the default (node:fs) the same put is.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openStore } from '../../../engine/index.js';
import { REFUSAL } from '../../fixtures/engine/refusing-sync-file-io.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});

function tmp(): string {
  const d = makeTmpDir();
  dirs.push(d);
  return d.path;
}

const options = {
  threads: true,
  flushDiskType: 'SYNC_FLUSH',
  mappedFileSizeCommitLog: 64 * 1024,
  mappedFileSizeConsumeQueue: 20 * 100,
  maxMessageSize: 4096,
  appendRingBytes: 1024 * 1024,
  tailCacheBytes: 512 * 1024,
} as const;
const message = { topic: 'T', queueId: 0, body: Buffer.from('durable?') };

describe('store worker threads with an injected file layer', () => {
  it('acknowledges nothing when the injected layer refuses fdatasync', async () => {
    const workerFileIoModule = new URL(
      '../../fixtures/engine/refusing-sync-file-io.js',
      import.meta.url,
    ).href;
    const store = await openStore({ storePathRootDir: tmp(), ...options }, { workerFileIoModule });
    const result = await store.putMessage(message);
    assert.notEqual(result.status, 'PUT_OK');
    assert.match(result.reason ?? '', new RegExp(REFUSAL));
    await store.close();
  });

  it('acknowledges the same put with the default file layer', async () => {
    const store = await openStore({ storePathRootDir: tmp(), ...options });
    assert.equal((await store.putMessage(message)).status, 'PUT_OK');
    await store.close();
  });
});
