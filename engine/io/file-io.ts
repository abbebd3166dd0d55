// FileIO: every file operation the engine performs, behind one interface so tests and simulations
// can inject faults (torn writes, lost unflushed bytes, ENOSPC) and the engine stays thread-agnostic.
// Calls are synchronous: the engine's writer and flusher run on worker threads where blocking is
// the point, and reads of page-cached data on the main thread cost microseconds.

export interface FileIO {
  /** Opens (creating when `create`) a file for reading and writing; returns a descriptor. */
  open(path: string, options: { create: boolean; readOnly?: boolean }): number;
  close(fd: number): void;
  /** Reads up to `length` bytes at `position` into `target[offset..]`; returns bytes read. */
  read(fd: number, target: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes all `length` bytes of `source[offset..]` at `position`. */
  write(fd: number, source: Uint8Array, offset: number, length: number, position: number): void;
  /**
   * Writes all of `sources`, back to back, at `position` (one pwritev where the platform has it).
   * Optional: callers without it write each source with write(). A layer that injects write
   * faults overrides this too.
   */
  writev?(fd: number, sources: readonly Uint8Array[], position: number): void;
  /** fdatasync: data (and the size) of the file reach stable storage. */
  sync(fd: number): void;
  truncate(fd: number, lengthBytes: number): void;
  sizeOf(fd: number): number;
  exists(path: string): boolean;
  /** File names in a directory (not paths), or [] when it does not exist. */
  list(dir: string): string[];
  mkdirp(dir: string): void;
  unlink(path: string): void;
  rename(from: string, to: string): void;
  /** fsync of a directory, so created, renamed or deleted entries are durable. */
  syncDir(dir: string): void;
  /** Creates a file exclusively; false when it already exists. */
  createExclusive(path: string): boolean;
  /** Last modification time of a file, ms since the epoch. */
  modifiedMs(path: string): number;
  /** Bytes used and total of the file system holding `path`. */
  diskUsage(path: string): { usedBytes: number; totalBytes: number };
  /**
   * Bytes the file system allocated to the file (st_blocks x 512) and its block size (st_blksize),
   * when known. Recovery uses it to skip reading the holes of a sparse segment; without it,
   * recovery reads them.
   */
  allocation?(fd: number): { allocatedBytes: number; blockBytes: number };
}
