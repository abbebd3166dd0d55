// Byte helpers shared by the store and the wire codecs: CRC32 (java.util.zip.CRC32), Java's
// String.hashCode(), and 64-bit fields kept as safe JS numbers.

import { crc32 as zlibCrc32 } from 'node:zlib';
import { AssertionError } from './assert.js';

const TWO_POW_32 = 4294967296;

/** CRC32 (IEEE, as java.util.zip.CRC32), unsigned. */
export function crc32(data: Uint8Array): number {
  return zlibCrc32(data) >>> 0;
}

/** Java String.hashCode(): 31*h + UTF-16 code unit, 32-bit wrap-around, signed. */
export function javaHashCode(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

/** Read a big-endian int64 that must fit in a safe integer. */
export function readInt64(view: DataView, byteOffset: number): number {
  const high = view.getInt32(byteOffset);
  const low = view.getUint32(byteOffset + 4);
  const value = high * TWO_POW_32 + low;
  if (!Number.isSafeInteger(value)) throw new AssertionError(`int64 at ${byteOffset} out of range`);
  return value;
}

/** Write a safe integer as a big-endian int64. */
export function writeInt64(view: DataView, byteOffset: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new AssertionError(`int64 value out of range: ${value}`);
  const high = Math.floor(value / TWO_POW_32);
  view.setInt32(byteOffset, high);
  view.setUint32(byteOffset + 4, value - high * TWO_POW_32);
}

/** Buffer variants for hot paths that already hold a Buffer. */
export function readInt64Buffer(buf: Buffer, byteOffset: number): number {
  const o = byteOffset;
  // Indexed reads: one bounds check here instead of two validated readInt32BE calls per value
  // (records are decoded field by field, several of these per message); Node's reads throw.
  if (!(o >= 0 && o + 8 <= buf.length) || !Number.isInteger(o))
    return buf.readInt32BE(o) * TWO_POW_32 + buf.readUInt32BE(o + 4);
  const high =
    ((buf[o] as number) << 24) |
    ((buf[o + 1] as number) << 16) |
    ((buf[o + 2] as number) << 8) |
    (buf[o + 3] as number);
  const low =
    (((buf[o + 4] as number) << 24) |
      ((buf[o + 5] as number) << 16) |
      ((buf[o + 6] as number) << 8) |
      (buf[o + 7] as number)) >>>
    0;
  const value = high * TWO_POW_32 + low;
  if (!Number.isSafeInteger(value)) throw new AssertionError(`int64 at ${byteOffset} out of range`);
  return value;
}

export function writeInt64Buffer(buf: Buffer, byteOffset: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new AssertionError(`int64 value out of range: ${value}`);
  const high = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(high, byteOffset);
  buf.writeUInt32BE(value - high * TWO_POW_32, byteOffset + 4);
}

const HEX_BYTES = Array.from({ length: 256 }, (_, b) =>
  b.toString(16).toUpperCase().padStart(2, '0'),
);

/** Upper-case hex of `bytes`, without allocating a Buffer (message ids are made per message). */
export function toHexUpper(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += HEX_BYTES[b];
  return text;
}

/** Upper-case hex of the low `digits` / 2 bytes of an unsigned 32-bit value. */
export function uint32Hex(value: number, digits: 4 | 8): string {
  const low = `${HEX_BYTES[(value >>> 8) & 0xff]}${HEX_BYTES[value & 0xff]}`;
  return digits === 4
    ? low
    : `${HEX_BYTES[(value >>> 24) & 0xff]}${HEX_BYTES[(value >>> 16) & 0xff]}${low}`;
}

/** Upper-case hex of a safe integer as a big-endian int64 (16 digits). */
export function int64Hex(value: number): string {
  if (!Number.isSafeInteger(value)) throw new AssertionError(`int64 value out of range: ${value}`);
  const high = Math.floor(value / TWO_POW_32);
  return uint32Hex(high, 8) + uint32Hex(value - high * TWO_POW_32, 8);
}

/** 20-digit zero-padded decimal, as RocketMQ names segment files by their start offset. */
export function offsetToFileName(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new AssertionError(`file offset out of range: ${offset}`);
  }
  return String(offset).padStart(20, '0');
}
