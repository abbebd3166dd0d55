// The store's refusals at open and after close, each with its stable code: bad options, segment
// files that are not what the store wrote (wrong size, wrong name, a gap), and use after close.

import assert from 'node:assert/strict';
import { truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { offsetToFileName } from '../../../common/bytes.js';
import { MqError } from '../../../common/errors.js';
import { openStore } from '../../../engine/index.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const SEGMENT = 64 * 1024;
const options = {
  threads: false,
  mappedFileSizeCommitLog: SEGMENT,
  mappedFileSizeConsumeQueue: 20 * 100,
  maxMessageSize: 4 * 1024,
  tailCacheBytes: 1024 * 1024,
  appendRingBytes: 1024 * 1024,
  maxHashSlotNum: 100,
  maxIndexNum: 1000,
};

function hasCode(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof MqError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  };
}

/** A closed store with three CommitLog segments. */
async function storeWithSegments(root: string): Promise<void> {
  const store = await openStore({ storePathRootDir: root, ...options });
  for (let i = 0; i < 60; i++) {
    const put = await store.putMessage({ topic: 'Seg', queueId: 0, body: Buffer.alloc(3000, i) });
    assert.equal(put.status, 'PUT_OK');
  }
  await store.close();
}

describe('store refusals with stable codes', () => {
  const dirs: Array<{ remove: () => void }> = [];
  const tmp = () => {
    const d = makeTmpDir('petrel-open-errors-');
    dirs.push(d);
    return d.path;
  };
  after(() => {
    for (const d of dirs) d.remove();
  });

  it('refuses bad options with E_STORE_OPTIONS_INVALID', async () => {
    await assert.rejects(
      openStore({ storePathRootDir: tmp(), ...options, diskMaxUsedSpaceRatio: 5 }),
      hasCode('E_STORE_OPTIONS_INVALID'),
    );
  });

  it('refuses a segment of the wrong size with E_SEGMENT_SIZE_MISMATCH', async () => {
    const root = tmp();
    await storeWithSegments(root);
    truncateSync(`${root}/commitlog/${offsetToFileName(SEGMENT)}`, SEGMENT / 2);
    await assert.rejects(
      openStore({ storePathRootDir: root, ...options }),
      hasCode('E_SEGMENT_SIZE_MISMATCH'),
    );
  });

  it('refuses a stray file among the segments with E_SEGMENT_NAME_INVALID', async () => {
    const root = tmp();
    await storeWithSegments(root);
    writeFileSync(`${root}/commitlog/notes.txt`, 'hello');
    await assert.rejects(
      openStore({ storePathRootDir: root, ...options }),
      hasCode('E_SEGMENT_NAME_INVALID'),
    );
  });

  it('refuses a missing middle segment with E_SEGMENT_GAP', async () => {
    const root = tmp();
    await storeWithSegments(root);
    unlinkSync(`${root}/commitlog/${offsetToFileName(SEGMENT)}`);
    await assert.rejects(
      openStore({ storePathRootDir: root, ...options }),
      hasCode('E_SEGMENT_GAP'),
    );
  });

  it('refuses reads after close with E_STORE_CLOSED', async () => {
    const store = await openStore({ storePathRootDir: tmp(), ...options });
    await store.close();
    await assert.rejects(
      store.getMessage({ topic: 'Seg', queueId: 0, queueOffset: 0, maxMsgNums: 1 }),
      hasCode('E_STORE_CLOSED'),
    );
  });
});
