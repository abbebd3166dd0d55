// An in-memory FileIO for the simulators, with crash semantics: reads see every write, but only
// synced bytes are sure to survive. Writes and truncations not yet synced are kept in one global
// list in issue order, each with the bytes it replaced; a crash undoes them all and replays a
// random prefix of the list (the last replayed write possibly torn to a byte prefix), which
// respects "an fsync returned before the next write was issued". Cost is in unsynced bytes only.
//
// With `deferSyncs` on, sync() only records the request; completeSyncs() makes the requested files
// durable later (a simulated fsync latency). Directory entries are treated as durable at once.

import { assert } from '../../../common/assert.js';
import type { Prng } from '../../../common/prng.js';
import type { FileIO } from '../../../engine/io/file-io.js';

interface SimFile {
  data: Uint8Array;
  size: number;
}

interface Op {
  readonly file: SimFile;
  /** A write (bytes at position) or a truncation (bytes null, to position). */
  readonly position: number;
  readonly bytes: Uint8Array | null;
  /** Undo: the size before, and the bytes of [position, old size) the op overwrote or cut. */
  readonly oldSize: number;
  readonly oldBytes: Uint8Array;
}

export class SimFileIO implements FileIO {
  readonly #files = new Map<string, SimFile>();
  readonly #fds = new Map<number, SimFile>();
  #nextFd = 3;
  #ops: Op[] = [];
  readonly #syncRequested = new Set<SimFile>();
  deferSyncs = false;

  open(path: string, options: { create: boolean; readOnly?: boolean }): number {
    let file = this.#files.get(path);
    if (file === undefined) {
      assert(options.create, `sim io: no file ${path}`);
      file = { data: new Uint8Array(256), size: 0 };
      this.#files.set(path, file);
    }
    const fd = this.#nextFd++;
    this.#fds.set(fd, file);
    return fd;
  }

  close(fd: number): void {
    this.#fds.delete(fd);
  }

  #file(fd: number): SimFile {
    const file = this.#fds.get(fd);
    assert(file !== undefined, 'sim io: bad descriptor');
    return file;
  }

  read(fd: number, target: Uint8Array, offset: number, length: number, position: number): number {
    const file = this.#file(fd);
    const n = Math.max(0, Math.min(length, file.size - position));
    target.set(file.data.subarray(position, position + n), offset);
    return n;
  }

  write(fd: number, source: Uint8Array, offset: number, length: number, position: number): void {
    const file = this.#file(fd);
    const bytes = source.slice(offset, offset + length);
    const oldBytes = file.data.slice(position, Math.min(file.size, position + length));
    this.#ops.push({ file, position, bytes, oldSize: file.size, oldBytes });
    writeInto(file, position, bytes);
  }

  sync(fd: number): void {
    const file = this.#file(fd);
    if (this.deferSyncs) this.#syncRequested.add(file);
    else this.#makeDurable(file);
  }

  truncate(fd: number, lengthBytes: number): void {
    const file = this.#file(fd);
    const oldBytes = file.data.slice(lengthBytes, file.size);
    this.#ops.push({ file, position: lengthBytes, bytes: null, oldSize: file.size, oldBytes });
    truncateTo(file, lengthBytes);
  }

  sizeOf(fd: number): number {
    return this.#file(fd).size;
  }

  exists(path: string): boolean {
    return this.#files.has(path);
  }

  list(dir: string): string[] {
    const prefix = `${dir}/`;
    return [...this.#files.keys()]
      .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
      .map((p) => p.slice(prefix.length));
  }

  mkdirp(_dir: string): void {
    // Directories are implicit in the path keys.
  }

  unlink(path: string): void {
    this.#files.delete(path);
  }

  rename(from: string, to: string): void {
    const file = this.#files.get(from);
    assert(file !== undefined, `sim io: no file ${from}`);
    this.#files.delete(from);
    this.#files.set(to, file);
  }

  syncDir(_dir: string): void {
    // Directory entries are durable at once in this model.
  }

  createExclusive(path: string): boolean {
    if (this.#files.has(path)) return false;
    this.#files.set(path, { data: new Uint8Array(0), size: 0 });
    return true;
  }

  modifiedMs(_path: string): number {
    return 0;
  }

  diskUsage(_path: string): { usedBytes: number; totalBytes: number } {
    return { usedBytes: 0, totalBytes: 1 << 40 };
  }

  /** The deferred fsyncs complete: their files' current contents are durable. */
  completeSyncs(): void {
    for (const file of this.#syncRequested) this.#makeDurable(file);
    this.#syncRequested.clear();
  }

  /** Power loss: every file falls back to its durable bytes plus a prefix of the unsynced ops. */
  crash(prng: Prng, tornRate: number): { keptOps: number; lostOps: number } {
    const ops = this.#ops;
    const keep = prng.chance(tornRate) ? prng.int(0, ops.length) : 0;
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i] as Op;
      truncateTo(op.file, op.oldSize);
      if (op.position < op.oldSize) writeInto(op.file, op.position, op.oldBytes);
    }
    for (let i = 0; i < keep; i++) {
      const op = ops[i] as Op;
      if (op.bytes === null) truncateTo(op.file, op.position);
      else if (i === keep - 1 && op.bytes.length > 1) {
        writeInto(op.file, op.position, op.bytes.subarray(0, prng.int(1, op.bytes.length)));
      } else writeInto(op.file, op.position, op.bytes);
    }
    this.#ops = [];
    this.#syncRequested.clear();
    this.#fds.clear();
    return { keptOps: keep, lostOps: ops.length - keep };
  }

  #makeDurable(file: SimFile): void {
    if (this.#ops.some((op) => op.file === file)) {
      this.#ops = this.#ops.filter((op) => op.file !== file);
    }
  }
}

function writeInto(file: SimFile, position: number, bytes: Uint8Array): void {
  const end = position + bytes.length;
  if (end > file.data.length) {
    const grown = new Uint8Array(Math.max(end, file.data.length * 2));
    grown.set(file.data.subarray(0, file.size));
    file.data = grown;
  }
  if (position > file.size) file.data.fill(0, file.size, position);
  file.data.set(bytes, position);
  file.size = Math.max(file.size, end);
}

function truncateTo(file: SimFile, size: number): void {
  if (size < file.size) file.data.fill(0, size, file.size);
  else if (size > file.size) writeInto(file, file.size, new Uint8Array(size - file.size));
  file.size = size;
}
