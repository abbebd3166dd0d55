// The file layer a store worker uses: node:fs, or the module named in its start data (a test's
// fault-injecting FileIO), which must export `createFileIO(): FileIO`.

import { assert } from '../../common/assert.js';
import type { FileIO } from '../../engine/io/file-io.js';
import { NodeFileIO } from '../../engine/io/node-file-io.js';
import type { FileIoModule } from './store-worker-data.js';

export async function loadWorkerFileIO(module: FileIoModule): Promise<FileIO> {
  if (module === undefined) return new NodeFileIO();
  const loaded = (await import(module)) as { createFileIO?: () => FileIO };
  assert(
    typeof loaded.createFileIO === 'function',
    `worker: file layer module ${module} exports no createFileIO()`,
  );
  return loaded.createFileIO();
}
