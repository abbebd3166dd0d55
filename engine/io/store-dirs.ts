// The store's directories at open: created if missing (durably, durable-dirs.ts), then proven
// writable by creating and removing a probe file, so a read-only or unwritable path fails at start
// with a clear error instead of at the first put (when the writer creates its first segment).

import { ErrorCode, MqError } from '../../common/errors.js';
import type { StoreOptions } from '../options.js';
import { makeDirsDurable } from './durable-dirs.js';
import type { FileIO } from './file-io.js';
import { StorageFault, storageFaultOf } from './storage-fault.js';

/** Named like a segment being created: SegmentedFile.load() removes a leftover one. */
const PROBE_NAME = 'write-probe.tmp';

export function prepareStoreDirs(
  io: FileIO,
  options: Pick<StoreOptions, 'storePathRootDir' | 'storePathCommitLog'>,
): void {
  for (const dir of new Set([options.storePathRootDir, options.storePathCommitLog])) {
    try {
      makeDirsDurable(io, dir);
      const probe = `${dir}/${PROBE_NAME}`;
      io.unlink(probe);
      io.createExclusive(probe);
      io.unlink(probe);
    } catch (error) {
      throw explain(dir, error);
    }
  }
}

function explain(dir: string, error: unknown): unknown {
  const fault = storageFaultOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (fault === StorageFault.READ_ONLY || fault === StorageFault.NO_PERMISSION) {
    const why =
      fault === StorageFault.READ_ONLY
        ? 'is on a read-only file system'
        : 'is not writable by this process';
    return new MqError(
      ErrorCode.STORE_READ_ONLY,
      `Cannot open store: "${dir}" ${why} (${message})`,
      { dir },
      { cause: error },
    );
  }
  if (fault === StorageFault.DISK_FULL)
    return new MqError(
      ErrorCode.DISK_FULL,
      `Cannot open store: the disk holding "${dir}" is full (${message})`,
      { dir },
      { cause: error },
    );
  return error;
}
