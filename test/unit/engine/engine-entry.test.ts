// The embedded engine's public entry loads no socket code: an embedder that never replicates
// must not pull in node:net (the broker injects the HA sender; see engine/open-store.ts; an embedded
// store refuses an HA port without it).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const entry = fileURLToPath(new URL('../../../engine/index.js', import.meta.url));

/** Runs a fresh node process that imports the entry, opens and closes a store, lists net modules. */
function netModulesAfterOpen(root: string): string[] {
  const script = `
    const { openStore } = await import(${JSON.stringify(entry)});
    const store = await openStore({ storePathRootDir: ${JSON.stringify(join(root, 'store'))} });
    await store.putMessage({ topic: 'T', queueId: 0, body: Buffer.from('x') });
    await store.close();
    const loaded = process.moduleLoadList.filter((m) => /^NativeModule (net|tls|http)$/.test(m));
    process.stdout.write(JSON.stringify(loaded));
  `;
  // A script file, not -e: workers inherit execArgv, and --input-type would break them. Output
  // goes to a file: a piped stdio makes node itself load net at startup.
  const file = join(root, 'embed.mjs');
  writeFileSync(file, script);
  const outFile = join(root, 'out.txt');
  const fd = openSync(outFile, 'w');
  try {
    execFileSync(process.execPath, [file], { stdio: ['ignore', fd, fd] });
  } catch (error) {
    assert.fail(`the embedding script failed: ${readFileSync(outFile, 'utf8')} ${String(error)}`);
  } finally {
    closeSync(fd);
  }
  return JSON.parse(readFileSync(outFile, 'utf8')) as string[];
}

describe('engine entry', () => {
  it('opens, writes and closes a store without loading node:net', () => {
    const dir = makeTmpDir('petrel-entry-');
    try {
      assert.deepEqual(netModulesAfterOpen(dir.path), []);
    } finally {
      dir.remove();
    }
  });
});
