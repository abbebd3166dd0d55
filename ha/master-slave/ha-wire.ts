// The Master/Slave HA wire (RocketMQ: store/.../ha/HAConnection.java, HAService.HAClient), plus two
// Petrel extensions. No handshake in RocketMQ: two streams share one TCP socket.
//
// Slave -> master, repeated: the slave's CommitLog max offset
// +----------------------------+
// | slaveMaxOffset : int64     |   8 bytes
// +----------------------------+
// Petrel hello, sent once first by a Petrel slave (40 bytes). Its first int32 is a magic that no
// real offset can have (offsets stay below 2^53, so their high int32 is below 2^21):
// +-------------+---------------+-------------------+-----------------------+
// | magic int32 | version int32 | slaveMaxOffset i64 | lastRecordOffset i64  |
// +-------------+---------------+-------------------+-----------------------+
// | lastRecordSize i32 | lastRecordBodyCrc i32 | lastRecordStoreTimestamp i64 |
// +--------------------+-----------------------+------------------------------+
// (lastRecordOffset = -1 when the slave holds no record.)
//
// Master -> slave: frames of raw CommitLog bytes, never crossing a segment, at most
// haTransferBatchSize (32 KiB) each; bodySize 0 is a heartbeat.
// +--------------------------+-------------------+----------------------------+
// | masterPhyOffset : int64  | bodySize : int32  | body : bodySize bytes      |
// +--------------------------+-------------------+----------------------------+
// Petrel TRUNCATE: bodySize = -1 tells the slave to cut its CommitLog at masterPhyOffset, because
// the bytes after it do not match the master's (see replica-check.ts).
//
// Controller mode (RocketMQ 5's AutoSwitch handshake, in Petrel's frames). The hello is version 2:
// the 40 bytes above, then the replica's controller brokerId (i64), a count n (i32, at most
// HA_MAX_HELLO_EPOCHS) and its newest n epoch entries, each epoch i32 + startOffset i64. Once the
// master accepts the replica it sends its own epoch entries in an EPOCHS frame: bodySize = -2,
// masterPhyOffset = the entry count, then the entries in the same 12-byte form; the replica copies
// them into its epoch file as the bytes they cover arrive.

import { readInt64Buffer, writeInt64Buffer } from '../../common/bytes.js';
import type { EpochEntry } from '../../engine/checkpoint/epoch-file.js';

export const HA_REPORT_BYTES = 8;
export const HA_FRAME_HEADER_BYTES = 12;
export const HA_HELLO_BYTES = 40;
export const HA_HELLO_MAGIC = 0x5054524c;
export const HA_HELLO_VERSION = 1;
export const HA_TRUNCATE_BODY_SIZE = -1;
export const HA_HELLO_VERSION_EPOCHS = 2;
export const HA_EPOCHS_BODY_SIZE = -2;
export const HA_EPOCH_ENTRY_BYTES = 12;
/** Bytes of a version-2 hello before its epoch entries. */
export const HA_HELLO_V2_FIXED_BYTES = HA_HELLO_BYTES + 12;
/** Epoch entries a hello or an EPOCHS frame carries at most (the newest ones). */
export const HA_MAX_HELLO_EPOCHS = 256;

export interface RecordFingerprint {
  offset: number;
  size: number;
  bodyCrc: number;
  storeTimestamp: number;
}

export interface HaHello {
  slaveMaxOffset: number;
  lastRecord: RecordFingerprint | undefined;
  /** Controller mode: the replica's brokerId and its newest epoch entries (hello version 2). */
  replica?: { brokerId: number; epochs: readonly EpochEntry[] } | undefined;
}

export function encodeReport(offset: number): Buffer {
  const buf = Buffer.allocUnsafe(HA_REPORT_BYTES);
  writeInt64Buffer(buf, 0, offset);
  return buf;
}

export function encodeHello(hello: HaHello): Buffer {
  const epochs = hello.replica?.epochs.slice(-HA_MAX_HELLO_EPOCHS);
  const buf = Buffer.alloc(
    epochs === undefined
      ? HA_HELLO_BYTES
      : HA_HELLO_V2_FIXED_BYTES + epochs.length * HA_EPOCH_ENTRY_BYTES,
  );
  buf.writeInt32BE(HA_HELLO_MAGIC, 0);
  buf.writeInt32BE(epochs === undefined ? HA_HELLO_VERSION : HA_HELLO_VERSION_EPOCHS, 4);
  writeInt64Buffer(buf, 8, hello.slaveMaxOffset);
  const r = hello.lastRecord;
  writeInt64Buffer(buf, 16, r?.offset ?? -1);
  buf.writeInt32BE(r?.size ?? 0, 24);
  buf.writeInt32BE(r?.bodyCrc ?? 0, 28);
  writeInt64Buffer(buf, 32, r?.storeTimestamp ?? 0);
  if (epochs !== undefined) {
    writeInt64Buffer(buf, HA_HELLO_BYTES, hello.replica?.brokerId ?? 0);
    buf.writeInt32BE(epochs.length, HA_HELLO_BYTES + 8);
    writeEpochEntries(buf, HA_HELLO_V2_FIXED_BYTES, epochs);
  }
  return buf;
}

/**
 * Bytes the hello at `pos` takes: 40 for version 1; for version 2 the fixed part until its count
 * has arrived, then the whole hello.
 */
export function helloBytes(buf: Buffer, pos: number): number {
  if (buf.byteLength - pos < 8 || buf.readInt32BE(pos + 4) !== HA_HELLO_VERSION_EPOCHS)
    return HA_HELLO_BYTES;
  if (buf.byteLength - pos < HA_HELLO_V2_FIXED_BYTES) return HA_HELLO_V2_FIXED_BYTES;
  const count = buf.readInt32BE(pos + HA_HELLO_BYTES + 8);
  if (count < 0 || count > HA_MAX_HELLO_EPOCHS) return HA_HELLO_V2_FIXED_BYTES;
  return HA_HELLO_V2_FIXED_BYTES + count * HA_EPOCH_ENTRY_BYTES;
}

function writeEpochEntries(buf: Buffer, at: number, entries: readonly EpochEntry[]): void {
  for (const [i, e] of entries.entries()) {
    buf.writeInt32BE(e.epoch, at + i * HA_EPOCH_ENTRY_BYTES);
    writeInt64Buffer(buf, at + i * HA_EPOCH_ENTRY_BYTES + 4, e.startOffset);
  }
}

/** Reads `count` epoch entries at `at`; a string says why they are not valid. */
export function readEpochEntries(buf: Buffer, at: number, count: number): EpochEntry[] | string {
  if (count < 0 || count > HA_MAX_HELLO_EPOCHS) return `epoch entry count ${count}`;
  const out: EpochEntry[] = [];
  for (let i = 0; i < count; i++) {
    const epoch = buf.readInt32BE(at + i * HA_EPOCH_ENTRY_BYTES);
    const startOffset = readInt64Buffer(buf, at + i * HA_EPOCH_ENTRY_BYTES + 4);
    const last = out.at(-1);
    if (epoch < 0 || startOffset < 0) return `negative epoch entry ${epoch}-${startOffset}`;
    if (last !== undefined && (epoch <= last.epoch || startOffset < last.startOffset))
      return `epoch entry ${epoch}-${startOffset} does not follow ${last.epoch}-${last.startOffset}`;
    out.push({ epoch, startOffset });
  }
  return out;
}

/** The EPOCHS frame: a master's epoch entries (its newest HA_MAX_HELLO_EPOCHS). */
export function encodeEpochsFrame(entries: readonly EpochEntry[]): Buffer {
  const kept = entries.slice(-HA_MAX_HELLO_EPOCHS);
  const buf = Buffer.alloc(HA_FRAME_HEADER_BYTES + kept.length * HA_EPOCH_ENTRY_BYTES);
  encodeFrameHeader(buf, kept.length, HA_EPOCHS_BODY_SIZE);
  writeEpochEntries(buf, HA_FRAME_HEADER_BYTES, kept);
  return buf;
}

/** True when the 4 bytes at `pos` start a Petrel hello rather than an offset report. */
export function isHello(buf: Buffer, pos: number): boolean {
  return buf.readInt32BE(pos) === HA_HELLO_MAGIC;
}

export function decodeHello(buf: Buffer, pos: number): HaHello | string {
  const version = buf.readInt32BE(pos + 4);
  if (version !== HA_HELLO_VERSION && version !== HA_HELLO_VERSION_EPOCHS)
    return `unsupported hello version ${version}`;
  const slaveMaxOffset = readInt64Buffer(buf, pos + 8);
  const offset = readInt64Buffer(buf, pos + 16);
  if (slaveMaxOffset < 0) return `negative slave offset ${slaveMaxOffset}`;
  const lastRecord =
    offset < 0
      ? undefined
      : {
          offset,
          size: buf.readInt32BE(pos + 24),
          bodyCrc: buf.readInt32BE(pos + 28),
          storeTimestamp: readInt64Buffer(buf, pos + 32),
        };
  if (version === HA_HELLO_VERSION) return { slaveMaxOffset, lastRecord };
  const brokerId = readInt64Buffer(buf, pos + HA_HELLO_BYTES);
  const count = buf.readInt32BE(pos + HA_HELLO_BYTES + 8);
  const epochs = readEpochEntries(buf, pos + HA_HELLO_V2_FIXED_BYTES, count);
  if (typeof epochs === 'string') return epochs;
  return { slaveMaxOffset, lastRecord, replica: { brokerId, epochs } };
}

export function encodeFrameHeader(target: Buffer, masterPhyOffset: number, bodySize: number): void {
  writeInt64Buffer(target, 0, masterPhyOffset);
  target.writeInt32BE(bodySize, 8);
}
