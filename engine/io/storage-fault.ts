// Storage faults: the file-system errors a store meets in operation (a full disk, a file system
// remounted read-only, a failing device, a store directory removed under it). They are expected
// outcomes, not bugs: the writer keeps its batch and retries, the store refuses new puts with a
// clear status and code, reads go on, and writes resume once the cause goes away.
// Shared positions carry the kind (a number), so every thread can refuse puts without messages.

import { ErrorCode } from '../../common/errors.js';

export const StorageFault = {
  NONE: 0,
  DISK_FULL: 1,
  READ_ONLY: 2,
  IO_ERROR: 3,
  /** The store directory (or a file in it) is gone: removed under a running store. */
  MISSING: 4,
  NO_PERMISSION: 5,
} as const;
export type StorageFault = (typeof StorageFault)[keyof typeof StorageFault];

const byErrno: Readonly<Record<string, StorageFault>> = {
  ENOSPC: StorageFault.DISK_FULL,
  EDQUOT: StorageFault.DISK_FULL,
  EFBIG: StorageFault.DISK_FULL,
  EROFS: StorageFault.READ_ONLY,
  EIO: StorageFault.IO_ERROR,
  ENXIO: StorageFault.IO_ERROR,
  ESTALE: StorageFault.IO_ERROR,
  ENOENT: StorageFault.MISSING,
  ENOTDIR: StorageFault.MISSING,
  EACCES: StorageFault.NO_PERMISSION,
  EPERM: StorageFault.NO_PERMISSION,
};

/** The fault a file-system error stands for, or undefined for anything else (a bug: rethrow). */
export function storageFaultOf(error: unknown): StorageFault | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof syscall !== 'string') return undefined;
  return byErrno[code] ?? StorageFault.IO_ERROR;
}

const texts: Readonly<Record<StorageFault, string>> = {
  [StorageFault.NONE]: 'the store is writable',
  [StorageFault.DISK_FULL]: 'the disk holding the store is full',
  [StorageFault.READ_ONLY]: 'the file system holding the store is read-only',
  [StorageFault.IO_ERROR]: 'the disk holding the store reports I/O errors',
  [StorageFault.MISSING]: 'the store directory is missing (removed under the running store?)',
  [StorageFault.NO_PERMISSION]: 'the store directory is not writable by this process',
};

const codes: Readonly<Record<StorageFault, ErrorCode>> = {
  [StorageFault.NONE]: ErrorCode.IO_ERROR,
  [StorageFault.DISK_FULL]: ErrorCode.DISK_FULL,
  [StorageFault.READ_ONLY]: ErrorCode.STORE_READ_ONLY,
  [StorageFault.IO_ERROR]: ErrorCode.IO_ERROR,
  [StorageFault.MISSING]: ErrorCode.STORE_MISSING,
  [StorageFault.NO_PERMISSION]: ErrorCode.STORE_READ_ONLY,
};

export function storageFaultText(fault: StorageFault): string {
  return texts[fault];
}

/** The stable error code a refusal for this fault carries (E_DISK_FULL, ...). */
export function storageFaultCode(fault: StorageFault): ErrorCode {
  return codes[fault];
}

/**
 * Faults that do not go away by themselves: after an I/O error the kernel may have dropped the
 * dirty pages (a later fdatasync can succeed without them), and a removed store directory is lost
 * data. The store refuses writes until it is reopened, where recovery checks the log again.
 */
export function isLatchedFault(fault: StorageFault): boolean {
  return fault === StorageFault.IO_ERROR || fault === StorageFault.MISSING;
}

export function asStorageFault(value: number): StorageFault {
  // Every put reads the shared fault slots: the common answer first, without a search.
  if (value === StorageFault.NONE) return StorageFault.NONE;
  return (Object.values(StorageFault) as number[]).includes(value)
    ? (value as StorageFault)
    : StorageFault.IO_ERROR;
}
