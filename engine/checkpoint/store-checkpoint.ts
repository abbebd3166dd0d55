// The store checkpoint (RocketMQ: store/.../StoreCheckpoint.java): one 4 KiB page. The first 24
// bytes keep RocketMQ's layout so its tools can read them; Petrel adds exact offsets after them, in
// two alternating slots guarded by a CRC, so a torn checkpoint write never loses the previous one.
//
// +-------------------------+-------------------------+-------------------------+
// | physicMsgTimestamp i64  | logicsMsgTimestamp i64  | indexMsgTimestamp i64   |   bytes 0..24
// +-------------------------+-------------------------+-------------------------+
// slot A at 64, slot B at 128, each 64 bytes:
// | magic i32 | version i32 | sequence i64 | flushedCommitLogOffset i64 |
// | consumeQueueDurableOffset i64 | indexDurableOffset i64 | reserved 16 | crc32 of the 60 bytes before i32 |
//
// Offsets: everything in the CommitLog below flushedCommitLogOffset has been fdatasync'ed; every
// ConsumeQueue unit (index entry) for records below consumeQueueDurableOffset (indexDurableOffset)
// has been fdatasync'ed, so recovery after a crash re-dispatches from there.

import { dirname } from 'node:path';
import { crc32, readInt64Buffer, writeInt64Buffer } from '../../common/bytes.js';
import type { FileIO } from '../io/file-io.js';

export const CHECKPOINT_BYTES = 4096;
const SLOT_OFFSETS = [64, 128] as const;
const SLOT_BYTES = 64;
const SLOT_MAGIC = 0x5054524c; // "PTRL"
const SLOT_VERSION = 1;

export interface CheckpointValues {
  physicMsgTimestamp: number;
  logicsMsgTimestamp: number;
  indexMsgTimestamp: number;
  flushedCommitLogOffset: number;
  consumeQueueDurableOffset: number;
  indexDurableOffset: number;
}

export function emptyCheckpoint(): CheckpointValues {
  return {
    physicMsgTimestamp: 0,
    logicsMsgTimestamp: 0,
    indexMsgTimestamp: 0,
    flushedCommitLogOffset: 0,
    consumeQueueDurableOffset: 0,
    indexDurableOffset: 0,
  };
}

export class StoreCheckpoint {
  readonly path: string;
  #io: FileIO;
  #fd: number;
  #page = Buffer.alloc(CHECKPOINT_BYTES);
  #sequence = 0;
  #values: CheckpointValues = emptyCheckpoint();
  /** True when a valid Petrel slot was found (false for a new store or RocketMQ's own file). */
  readonly hasOffsets: boolean;

  constructor(io: FileIO, path: string) {
    this.#io = io;
    this.path = path;
    const existed = io.exists(path);
    this.#fd = io.open(path, { create: true });
    if (!existed || io.sizeOf(this.#fd) < CHECKPOINT_BYTES) {
      io.truncate(this.#fd, CHECKPOINT_BYTES);
      io.sync(this.#fd);
      // A checkpoint whose entry is lost makes the next recovery scan everything.
      if (!existed) io.syncDir(dirname(path));
    }
    io.read(this.#fd, this.#page, 0, CHECKPOINT_BYTES, 0);
    this.hasOffsets = this.#load();
  }

  #load(): boolean {
    const page = this.#page;
    this.#values.physicMsgTimestamp = readInt64Buffer(page, 0);
    this.#values.logicsMsgTimestamp = readInt64Buffer(page, 8);
    this.#values.indexMsgTimestamp = readInt64Buffer(page, 16);
    let best = -1;
    for (const at of SLOT_OFFSETS) {
      if (page.readInt32BE(at) !== SLOT_MAGIC || page.readInt32BE(at + 4) !== SLOT_VERSION)
        continue;
      if (
        (crc32(page.subarray(at, at + SLOT_BYTES - 4)) | 0) !==
        page.readInt32BE(at + SLOT_BYTES - 4)
      )
        continue;
      const sequence = readInt64Buffer(page, at + 8);
      if (sequence <= this.#sequence && best !== -1) continue;
      best = at;
      this.#sequence = sequence;
    }
    if (best === -1) return false;
    this.#values.flushedCommitLogOffset = readInt64Buffer(page, best + 16);
    this.#values.consumeQueueDurableOffset = readInt64Buffer(page, best + 24);
    this.#values.indexDurableOffset = readInt64Buffer(page, best + 32);
    return true;
  }

  get values(): Readonly<CheckpointValues> {
    return this.#values;
  }

  /** RocketMQ's getMinTimestamp: the earliest time recovery must look back to. */
  minTimestamp(): number {
    const v = this.#values;
    return Math.max(0, Math.min(v.physicMsgTimestamp, v.logicsMsgTimestamp) - 3000);
  }

  /** Writes the values to the next slot and fdatasyncs the page (`sync` false: test canary only). */
  save(values: CheckpointValues, sync = true): void {
    this.#values = { ...values };
    const page = this.#page;
    writeInt64Buffer(page, 0, values.physicMsgTimestamp);
    writeInt64Buffer(page, 8, values.logicsMsgTimestamp);
    writeInt64Buffer(page, 16, values.indexMsgTimestamp);
    this.#sequence++;
    const at = SLOT_OFFSETS[this.#sequence % 2] ?? 64;
    page.fill(0, at, at + SLOT_BYTES);
    page.writeInt32BE(SLOT_MAGIC, at);
    page.writeInt32BE(SLOT_VERSION, at + 4);
    writeInt64Buffer(page, at + 8, this.#sequence);
    writeInt64Buffer(page, at + 16, values.flushedCommitLogOffset);
    writeInt64Buffer(page, at + 24, values.consumeQueueDurableOffset);
    writeInt64Buffer(page, at + 32, values.indexDurableOffset);
    page.writeInt32BE(crc32(page.subarray(at, at + SLOT_BYTES - 4)) | 0, at + SLOT_BYTES - 4);
    this.#io.write(this.#fd, page, 0, CHECKPOINT_BYTES, 0);
    if (sync) this.#io.sync(this.#fd);
  }

  close(): void {
    this.#io.close(this.#fd);
  }
}
