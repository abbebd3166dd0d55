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

import { readInt64Buffer, writeInt64Buffer } from '../../common/bytes.js';

export const HA_REPORT_BYTES = 8;
export const HA_FRAME_HEADER_BYTES = 12;
export const HA_HELLO_BYTES = 40;
export const HA_HELLO_MAGIC = 0x5054524c;
export const HA_HELLO_VERSION = 1;
export const HA_TRUNCATE_BODY_SIZE = -1;

export interface RecordFingerprint {
  offset: number;
  size: number;
  bodyCrc: number;
  storeTimestamp: number;
}

export interface HaHello {
  slaveMaxOffset: number;
  lastRecord: RecordFingerprint | undefined;
}

export function encodeReport(offset: number): Buffer {
  const buf = Buffer.allocUnsafe(HA_REPORT_BYTES);
  writeInt64Buffer(buf, 0, offset);
  return buf;
}

export function encodeHello(hello: HaHello): Buffer {
  const buf = Buffer.alloc(HA_HELLO_BYTES);
  buf.writeInt32BE(HA_HELLO_MAGIC, 0);
  buf.writeInt32BE(HA_HELLO_VERSION, 4);
  writeInt64Buffer(buf, 8, hello.slaveMaxOffset);
  const r = hello.lastRecord;
  writeInt64Buffer(buf, 16, r?.offset ?? -1);
  buf.writeInt32BE(r?.size ?? 0, 24);
  buf.writeInt32BE(r?.bodyCrc ?? 0, 28);
  writeInt64Buffer(buf, 32, r?.storeTimestamp ?? 0);
  return buf;
}

/** True when the 4 bytes at `pos` start a Petrel hello rather than an offset report. */
export function isHello(buf: Buffer, pos: number): boolean {
  return buf.readInt32BE(pos) === HA_HELLO_MAGIC;
}

export function decodeHello(buf: Buffer, pos: number): HaHello | string {
  if (buf.readInt32BE(pos + 4) !== HA_HELLO_VERSION)
    return `unsupported hello version ${buf.readInt32BE(pos + 4)}`;
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
  return { slaveMaxOffset, lastRecord };
}

export function encodeFrameHeader(target: Buffer, masterPhyOffset: number, bodySize: number): void {
  writeInt64Buffer(target, 0, masterPhyOffset);
  target.writeInt32BE(bodySize, 8);
}
