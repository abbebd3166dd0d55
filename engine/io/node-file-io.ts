// FileIO over node:fs. Writes loop until every byte is written (pwrite may be partial).

import * as fs from 'node:fs';
import { dirname } from 'node:path';
import type { FileIO } from './file-io.js';

/** Buffers per pwritev call (IOV_MAX on Linux and macOS). */
const MAX_IOVECS = 1024;

export class NodeFileIO implements FileIO {
  open(path: string, options: { create: boolean; readOnly?: boolean }): number {
    if (options.readOnly === true) return fs.openSync(path, 'r');
    return fs.openSync(
      path,
      options.create ? fs.constants.O_RDWR | fs.constants.O_CREAT : 'r+',
      0o644,
    );
  }

  close(fd: number): void {
    fs.closeSync(fd);
  }

  read(fd: number, target: Uint8Array, offset: number, length: number, position: number): number {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, target, offset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  write(fd: number, source: Uint8Array, offset: number, length: number, position: number): void {
    let done = 0;
    while (done < length) {
      done += fs.writeSync(fd, source, offset + done, length - done, position + done);
    }
  }

  writev(fd: number, sources: readonly Uint8Array[], position: number): void {
    let at = position;
    for (let first = 0; first < sources.length; first += MAX_IOVECS) {
      const chunk = sources.slice(first, first + MAX_IOVECS);
      const written = fs.writevSync(fd, chunk, at);
      // A partial pwritev (rare on regular files): the rest goes through write(), which loops.
      let done = 0;
      for (const source of chunk) {
        const from = Math.min(source.byteLength, Math.max(0, written - done));
        if (from < source.byteLength)
          this.write(fd, source, from, source.byteLength - from, at + done + from);
        done += source.byteLength;
      }
      at += done;
    }
  }

  sync(fd: number): void {
    fs.fdatasyncSync(fd);
  }

  truncate(fd: number, lengthBytes: number): void {
    fs.ftruncateSync(fd, lengthBytes);
  }

  sizeOf(fd: number): number {
    return fs.fstatSync(fd).size;
  }

  allocation(fd: number): { allocatedBytes: number; blockBytes: number } {
    const stat = fs.fstatSync(fd);
    return { allocatedBytes: stat.blocks * 512, blockBytes: stat.blksize };
  }

  exists(path: string): boolean {
    return fs.existsSync(path);
  }

  list(dir: string): string[] {
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  }

  mkdirp(dir: string): void {
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (error) {
      // Node reports ENOENT when a missing directory cannot be created on a read-only or
      // unwritable parent: report the parent's own error (EROFS, EACCES) instead.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      let parent = dirname(dir);
      while (!fs.existsSync(parent) && parent !== dirname(parent)) parent = dirname(parent);
      fs.accessSync(parent, fs.constants.W_OK);
      throw error;
    }
  }

  unlink(path: string): void {
    fs.rmSync(path, { force: true });
  }

  rename(from: string, to: string): void {
    fs.renameSync(from, to);
  }

  syncDir(dir: string): void {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  createExclusive(path: string): boolean {
    try {
      fs.closeSync(fs.openSync(path, 'wx'));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  modifiedMs(path: string): number {
    return fs.statSync(path).mtimeMs;
  }

  diskUsage(path: string): { usedBytes: number; totalBytes: number } {
    const s = fs.statfsSync(path);
    const totalBytes = s.blocks * s.bsize;
    return { usedBytes: totalBytes - s.bfree * s.bsize, totalBytes };
  }
}
