// A simulated disk with a page cache, for the store's power-loss simulation: an engine FileIO whose
// written-but-unsynced state is volatile. What survives a power loss is what the engine made
// durable, following POSIX, strictly:
// - file contents and size: everything up to the last sync(fd) (fdatasync: data and the size
//   needed to read it back). Of the writes and truncations after it, a power loss keeps, per file
//   and seeded: none, a random prefix (in issue order), or a prefix plus the first bytes of the next
//   write (a torn last sector);
// - directory entries (create, rename, unlink, mkdir): only what an fsync of that directory
//   (syncDir) recorded; per directory, a power loss keeps either its synced entries or, as if the
//   kernel had written it back in time, its current ones. A file or directory whose entry is lost
//   is gone with its contents, and so is everything below a lost directory.
// So the engine must: fdatasync a file before relying on its bytes or size, fsync the directory
// after creating, renaming or deleting an entry in it, and fsync the parent after mkdir.
//
// Each mount() is one boot: its FileIO handles die with the next power loss (every call throws), so
// a crashed store's leftovers cannot touch the disk of the next boot. `crashAtOp` makes the n-th
// mutating call of a boot lose power instead of running (a write in progress lands partly first).

import { assert } from '../../../common/assert.js';
import type { Prng } from '../../../common/prng.js';
import type { FileIO } from '../../../engine/io/file-io.js';

/** Thrown by the FileIO when the simulated power fails; the simulation catches it. */
export class PowerLoss extends Error {
  override name = 'PowerLoss';
}

type Op = { kind: 'write'; position: number; bytes: Buffer } | { kind: 'truncate'; length: number };

interface Inode {
  durable: Buffer;
  current: Buffer;
  pending: Op[];
  modifiedMs: number;
}

type Entry = { kind: 'file'; inode: Inode } | { kind: 'dir'; dir: Dir };

interface Dir {
  durable: Map<string, Entry>;
  current: Map<string, Entry>;
}

export interface DiskStats {
  powerLosses: number;
  filesTorn: number;
  filesPrefixKept: number;
  filesDropped: number;
  dirsReverted: number;
}

function applyOp(data: Buffer, op: Op): Buffer {
  if (op.kind === 'truncate') {
    if (op.length <= data.byteLength) return Buffer.from(data.subarray(0, op.length));
    const grown = Buffer.alloc(op.length);
    data.copy(grown);
    return grown;
  }
  const end = op.position + op.bytes.byteLength;
  const out = end > data.byteLength ? Buffer.alloc(end) : data;
  if (out !== data) data.copy(out);
  op.bytes.copy(out, op.position);
  return out;
}

function split(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

function enoent(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, '${path}'`), {
    code: 'ENOENT',
  });
}

export class PowerLossDisk {
  readonly stats: DiskStats = {
    powerLosses: 0,
    filesTorn: 0,
    filesPrefixKept: 0,
    filesDropped: 0,
    dirsReverted: 0,
  };
  #root: Dir = { durable: new Map(), current: new Map() };
  #boot = 0;
  #nowMs: () => number;
  /** Mutating calls made in this boot. */
  opCount = 0;
  /** The mutating call (1-based, this boot) at which power fails; undefined: never. */
  crashAtOp: number | undefined;
  #tearPrng: Prng;

  constructor(nowMs: () => number, prng: Prng) {
    this.#nowMs = nowMs;
    this.#tearPrng = prng;
  }

  get boot(): number {
    return this.#boot;
  }

  /** A FileIO for this boot. */
  mount(): FileIO {
    return new PowerLossFileIO(this, this.#boot);
  }

  checkBoot(boot: number): void {
    if (boot !== this.#boot) throw new PowerLoss('this boot lost power: the file layer is gone');
  }

  /** Counts a mutating call; throws PowerLoss when it is the one chosen to fail. */
  beforeMutation(): boolean {
    this.opCount++;
    return this.crashAtOp !== undefined && this.opCount >= this.crashAtOp;
  }

  /** Where a write cut short by the power failing ends (seeded). */
  get tearPrng(): Prng {
    return this.#tearPrng;
  }

  lookupDir(path: string, create: boolean): Dir | undefined {
    let dir = this.#root;
    for (const name of split(path)) {
      let entry = dir.current.get(name);
      if (entry === undefined) {
        if (!create) return undefined;
        entry = { kind: 'dir', dir: { durable: new Map(), current: new Map() } };
        dir.current.set(name, entry);
      }
      if (entry.kind !== 'dir') return undefined;
      dir = entry.dir;
    }
    return dir;
  }

  /** The directory holding `path` and the entry name. */
  parentOf(path: string): { dir: Dir | undefined; name: string } {
    const parts = split(path);
    const name = parts.pop();
    assert(name !== undefined, `disk: no file name in "${path}"`);
    return { dir: this.lookupDir(parts.join('/'), false), name };
  }

  /**
   * The power fails: every file keeps its synced state plus what the seeded choice keeps of its
   * unsynced writes, every directory its synced or current entries; then the next boot starts.
   */
  powerLoss(prng: Prng): void {
    this.stats.powerLosses++;
    this.#boot++;
    this.opCount = 0;
    this.crashAtOp = undefined;
    const inodes = new Set<Inode>();
    const settle = (dir: Dir) => {
      const changed = !sameEntries(dir.durable, dir.current);
      if (changed && prng.chance(0.7)) this.stats.dirsReverted++;
      else dir.durable = new Map(dir.current);
      dir.current = new Map(dir.durable);
      for (const entry of dir.durable.values()) {
        if (entry.kind === 'dir') settle(entry.dir);
        else inodes.add(entry.inode);
      }
    };
    settle(this.#root);
    for (const inode of inodes) this.#settleFile(inode, prng);
  }

  #settleFile(inode: Inode, prng: Prng): void {
    let data = inode.durable;
    const ops = inode.pending;
    if (ops.length > 0) {
      const mode = prng.int(0, 2);
      const keep = mode === 0 ? 0 : prng.int(0, ops.length);
      for (let i = 0; i < keep; i++) data = applyOp(data, ops[i] as Op);
      const next = ops[keep];
      if (mode === 2 && next?.kind === 'write' && next.bytes.byteLength > 1) {
        const cut = prng.int(1, next.bytes.byteLength - 1);
        data = applyOp(data, { ...next, bytes: next.bytes.subarray(0, cut) });
        this.stats.filesTorn++;
      } else if (keep > 0) this.stats.filesPrefixKept++;
      else this.stats.filesDropped++;
    }
    inode.durable = Buffer.from(data);
    inode.current = Buffer.from(data);
    inode.pending = [];
  }

  newInode(): Inode {
    return { durable: Buffer.alloc(0), current: Buffer.alloc(0), pending: [], modifiedMs: 0 };
  }

  nowMs(): number {
    return this.#nowMs();
  }
}

function sameEntries(a: Map<string, Entry>, b: Map<string, Entry>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, entry] of a) {
    const other = b.get(name);
    if (other === undefined || other.kind !== entry.kind) return false;
    if (other.kind === 'file' && entry.kind === 'file' && other.inode !== entry.inode) return false;
    if (other.kind === 'dir' && entry.kind === 'dir' && other.dir !== entry.dir) return false;
  }
  return true;
}

/** One boot's view of a PowerLossDisk. */
class PowerLossFileIO implements FileIO {
  #disk: PowerLossDisk;
  #boot: number;
  #fds = new Map<number, Inode>();
  #nextFd = 3;

  constructor(disk: PowerLossDisk, boot: number) {
    this.#disk = disk;
    this.#boot = boot;
  }

  /** Checks the boot is alive; for a mutation, counts it and fails the power when chosen. */
  #enter(mutation: boolean): void {
    this.#disk.checkBoot(this.#boot);
    if (mutation && this.#disk.beforeMutation()) {
      throw new PowerLoss(`power lost at mutating call ${this.#disk.opCount}`);
    }
  }

  #inode(fd: number): Inode {
    const inode = this.#fds.get(fd);
    assert(inode !== undefined, `disk: bad descriptor ${fd}`);
    return inode;
  }

  #record(inode: Inode, op: Op): void {
    inode.current = applyOp(inode.current, op);
    inode.pending.push(op);
    inode.modifiedMs = this.#disk.nowMs();
  }

  open(path: string, options: { create: boolean; readOnly?: boolean }): number {
    this.#enter(options.create);
    const { dir, name } = this.#disk.parentOf(path);
    if (dir === undefined) throw enoent(path);
    let entry = dir.current.get(name);
    if (entry === undefined) {
      if (!options.create) throw enoent(path);
      entry = { kind: 'file', inode: this.#disk.newInode() };
      entry.inode.modifiedMs = this.#disk.nowMs();
      dir.current.set(name, entry);
    }
    assert(entry.kind === 'file', `disk: "${path}" is a directory`);
    const fd = this.#nextFd++;
    this.#fds.set(fd, entry.inode);
    return fd;
  }

  close(fd: number): void {
    this.#enter(false);
    this.#fds.delete(fd);
  }

  read(fd: number, target: Uint8Array, offset: number, length: number, position: number): number {
    this.#enter(false);
    const data = this.#inode(fd).current;
    if (position >= data.byteLength) return 0;
    const n = Math.min(length, data.byteLength - position);
    target.set(data.subarray(position, position + n), offset);
    return n;
  }

  write(fd: number, source: Uint8Array, offset: number, length: number, position: number): void {
    const inode = this.#inode(fd);
    const bytes = Buffer.from(source.subarray(offset, offset + length));
    try {
      this.#enter(true);
    } catch (error) {
      // The write in progress when the power failed reached the page cache only in part.
      if (error instanceof PowerLoss && length > 1) {
        const cut = this.#disk.tearPrng.int(0, length - 1);
        if (cut > 0)
          this.#record(inode, { kind: 'write', position, bytes: bytes.subarray(0, cut) });
      }
      throw error;
    }
    this.#record(inode, { kind: 'write', position, bytes });
  }

  sync(fd: number): void {
    this.#enter(true);
    const inode = this.#inode(fd);
    inode.durable = Buffer.from(inode.current);
    inode.pending = [];
  }

  truncate(fd: number, lengthBytes: number): void {
    this.#enter(true);
    this.#record(this.#inode(fd), { kind: 'truncate', length: lengthBytes });
  }

  sizeOf(fd: number): number {
    this.#enter(false);
    return this.#inode(fd).current.byteLength;
  }

  exists(path: string): boolean {
    this.#enter(false);
    const { dir, name } = this.#disk.parentOf(path);
    return dir?.current.has(name) === true;
  }

  list(dir: string): string[] {
    this.#enter(false);
    return [...(this.#disk.lookupDir(dir, false)?.current.keys() ?? [])].sort();
  }

  mkdirp(dir: string): void {
    this.#enter(this.#disk.lookupDir(dir, false) === undefined);
    this.#disk.lookupDir(dir, true);
  }

  unlink(path: string): void {
    this.#enter(true);
    const { dir, name } = this.#disk.parentOf(path);
    const entry = dir?.current.get(name);
    assert(entry?.kind !== 'dir', `disk: unlink of directory "${path}"`);
    dir?.current.delete(name);
  }

  rename(from: string, to: string): void {
    this.#enter(true);
    const source = this.#disk.parentOf(from);
    const entry = source.dir?.current.get(source.name);
    if (source.dir === undefined || entry === undefined) throw enoent(from);
    const target = this.#disk.parentOf(to);
    if (target.dir === undefined) throw enoent(to);
    source.dir.current.delete(source.name);
    target.dir.current.set(target.name, entry);
  }

  syncDir(dir: string): void {
    this.#enter(true);
    const found = this.#disk.lookupDir(dir, false);
    if (found === undefined) throw enoent(dir);
    found.durable = new Map(found.current);
  }

  createExclusive(path: string): boolean {
    this.#enter(true);
    const { dir, name } = this.#disk.parentOf(path);
    if (dir === undefined) throw enoent(path);
    if (dir.current.has(name)) return false;
    const inode = this.#disk.newInode();
    inode.modifiedMs = this.#disk.nowMs();
    dir.current.set(name, { kind: 'file', inode });
    return true;
  }

  modifiedMs(path: string): number {
    this.#enter(false);
    const { dir, name } = this.#disk.parentOf(path);
    const entry = dir?.current.get(name);
    if (entry === undefined) throw enoent(path);
    return entry.kind === 'file' ? entry.inode.modifiedMs : 0;
  }

  diskUsage(_path: string): { usedBytes: number; totalBytes: number } {
    this.#enter(false);
    return { usedBytes: 0, totalBytes: 1 << 30 };
  }
}
