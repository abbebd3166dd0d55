// Small JSON state files of the broker and the NameServer (topics.json, consumerOffset.json,
// subscriptionGroup.json, delayOffset.json, kvConfig.json), replaced atomically so that a crash at
// any moment leaves either the old file or the new one, never a half-written one.
//
// RocketMQ: common/.../ConfigManager.java and MixAll.string2File, which write <file>.tmp, copy
// the old file to <file>.bak and rename. We do without the .bak copy and make the order durable:
//
//   write <file>.tmp -> fsync(<file>.tmp) -> rename(<file>.tmp, <file>) -> fsync(directory)
//
// The fsync before the rename makes sure the new name never points at data that is not on disk;
// the directory fsync makes the rename itself survive a power loss. A leftover <file>.tmp (a crash
// before the rename) is ignored by readers and overwritten by the next write.

import { dirname } from 'node:path';
import { assert } from '../common/assert.js';
import { ErrorCode, MqError } from '../common/errors.js';
import type { FileIO } from '../engine/io/file-io.js';
import { NodeFileIO } from '../engine/io/node-file-io.js';

/** The real file system, shared by the broker's and the NameServer's config files. */
export const nodeFileIo: FileIO = new NodeFileIO();

/** Replaces `path` with `data` atomically (see the header comment for the order of steps). */
export function writeFileAtomic(io: FileIO, path: string, data: Uint8Array): void {
  assert(path.length > 0, 'config file path is not empty');
  const dir = dirname(path);
  io.mkdirp(dir);
  const tmp = `${path}.tmp`;
  const fd = io.open(tmp, { create: true });
  try {
    io.truncate(fd, 0);
    io.write(fd, data, 0, data.byteLength, 0);
    io.sync(fd);
    assert(io.sizeOf(fd) === data.byteLength, 'config file: temporary file has the written size');
  } finally {
    io.close(fd);
  }
  io.rename(tmp, path);
  io.syncDir(dir);
}

/** The whole content of `path`, or undefined when there is no such file. */
export function readFileIfExists(io: FileIO, path: string): Buffer | undefined {
  if (!io.exists(path)) return undefined;
  const fd = io.open(path, { create: false, readOnly: true });
  try {
    const size = io.sizeOf(fd);
    const out = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = io.read(fd, out, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    if (done !== size) {
      throw new MqError(ErrorCode.IO_ERROR, `Cannot read "${path}": got ${done} of ${size} bytes`);
    }
    return out;
  } finally {
    io.close(fd);
  }
}

/**
 * A JSON state file: `load()` parses it with `parse` (absent file: undefined), `save(value)`
 * replaces it atomically. Parse failures are MqError E_CONFIG_INVALID naming the file, so a
 * damaged file stops the process at start instead of being silently reset.
 */
export class JsonStateFile<T> {
  readonly path: string;
  readonly #io: FileIO;
  readonly #parse: (text: string) => T;
  readonly #render: (value: T) => string;

  constructor(options: {
    io: FileIO;
    path: string;
    parse: (text: string) => T;
    render: (value: T) => string;
  }) {
    this.#io = options.io;
    this.path = options.path;
    this.#parse = options.parse;
    this.#render = options.render;
  }

  load(): T | undefined {
    const bytes = readFileIfExists(this.#io, this.path);
    if (bytes === undefined || bytes.length === 0) return undefined;
    try {
      return this.#parse(bytes.toString('utf8'));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MqError(
        ErrorCode.CONFIG_INVALID,
        `Cannot read "${this.path}": ${reason}`,
        { path: this.path },
        { cause: error },
      );
    }
  }

  save(value: T): void {
    writeFileAtomic(this.#io, this.path, Buffer.from(this.#render(value), 'utf8'));
  }
}
