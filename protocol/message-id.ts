// Message ids: the offset message id a broker returns for a send (and clients show for pulled
// messages), and the client unique id that Java producers put in the UNIQ_KEY property.
//
// RocketMQ: common/.../message/MessageDecoder.java (createMessageId, decodeMessageId) and
// common/.../message/MessageClientIDSetter.java (createUniqID) (tag rocketmq-all-4.9.7);
// ali-ons: lib/message/message_decoder.js (decodeMessageId).
//
// Offset message id, upper-case hex of (IPv4: 16 bytes -> 32 chars; IPv6: 28 bytes -> 56):
// +------------------------+----------------------+------------------------------+
// | store host IP (4 / 16) | store port (int32)   | commit log offset (int64)    |
// +------------------------+----------------------+------------------------------+
//
// Unique id (UNIQ_KEY), upper-case hex of (IPv4: 16 bytes -> 32 chars):
// +---------------+-------------+-------------------------+-----------------+-------------+
// | client IP (4) | pid (int16) | instance hash (int32)   | ms since start  | counter     |
// |               |             | (Java: classloader hash)| of month (int32)| (int16)     |
// +---------------+-------------+-------------------------+-----------------+-------------+
// The month starts at local midnight of day 1, as Java's Calendar does in the default zone.

import { assert } from '../common/assert.js';
import { readInt64Buffer, writeInt64Buffer } from '../common/bytes.js';
import type { Clock } from '../common/clock.js';

export interface StoreAddress {
  /** Dotted IPv4, or IPv6 text. */
  host: string;
  port: number;
}

/** 4 bytes for an IPv4 dotted quad ("::ffff:" prefix allowed), 16 for IPv6 text. */
export function ipToBytes(host: string): Buffer {
  const v4 = host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
  const parts = v4.split('.');
  if (parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    return Buffer.from(parts.map(Number));
  }
  return ipv6ToBytes(host);
}

function ipv6ToBytes(host: string): Buffer {
  const halves = host.split('::');
  if (halves.length > 2) throw new RangeError(`"${host}" is not an IP address`);
  const head = halves[0] === '' || halves[0] === undefined ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? (halves[1] ?? '').split(':') : [];
  const missing = 8 - head.length - tail.length;
  const groups = halves.length === 2 ? [...head, ...Array(missing).fill('0'), ...tail] : head;
  if (groups.length !== 8 || missing < 0 || !groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) {
    throw new RangeError(`"${host}" is not an IP address`);
  }
  const out = Buffer.alloc(16);
  for (const [i, group] of groups.entries()) out.writeUInt16BE(Number.parseInt(group, 16), i * 2);
  return out;
}

function bytesToIp(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** The offset message id of the message at `commitLogOffset` on the broker at `store`. */
export function createOffsetMsgId(store: StoreAddress, commitLogOffset: number): string {
  assert(Number.isSafeInteger(commitLogOffset) && commitLogOffset >= 0, 'commitLogOffset valid');
  const ip = ipToBytes(store.host);
  const out = Buffer.allocUnsafe(ip.length + 12);
  ip.copy(out, 0);
  out.writeInt32BE(store.port, ip.length);
  writeInt64Buffer(out, ip.length + 4, commitLogOffset);
  return out.toString('hex').toUpperCase();
}

/** Store address and commit log offset of an offset message id (32 or 56 hex characters). */
export function decodeOffsetMsgId(msgId: string): StoreAddress & { commitLogOffset: number } {
  if (!/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{56})$/.test(msgId)) {
    throw new RangeError(`"${msgId}" is not an offset message id`);
  }
  const bytes = Buffer.from(msgId, 'hex');
  const ipLength = bytes.length === 16 ? 4 : 16;
  return {
    host: bytesToIp(bytes.subarray(0, ipLength)),
    port: bytes.readInt32BE(ipLength),
    commitLogOffset: readInt64Buffer(bytes, ipLength + 4),
  };
}

export interface UniqIdOptions {
  /** The client's IP (4 or 16 bytes, or its text). */
  ip: Uint8Array | string;
  /** Process id; its low 16 bits are used. */
  pid: number;
  /** Java uses the classloader's hash; any int32 that differs between instances will do. */
  instanceHash: number;
  clock: Pick<Clock, 'nowMs'>;
}

/** The start of the local month containing `nowMs`, and of the next one. */
function monthBounds(nowMs: number): { startMs: number; nextStartMs: number } {
  const date = new Date(nowMs);
  const start = new Date(date.getFullYear(), date.getMonth(), 1, 0, 0, 0, 0);
  const next = new Date(date.getFullYear(), date.getMonth() + 1, 1, 0, 0, 0, 0);
  return { startMs: start.getTime(), nextStartMs: next.getTime() };
}

/** Generates UNIQ_KEY ids in the format of Java's MessageClientIDSetter. */
export class UniqIdGenerator {
  readonly #fixed: string;
  readonly #clock: Pick<Clock, 'nowMs'>;
  #startMs: number;
  #nextStartMs: number;
  #counter = 0;

  constructor(options: UniqIdOptions) {
    const ip = typeof options.ip === 'string' ? ipToBytes(options.ip) : Buffer.from(options.ip);
    assert(ip.length === 4 || ip.length === 16, 'client IP has 4 or 16 bytes');
    const fixed = Buffer.allocUnsafe(ip.length + 6);
    ip.copy(fixed, 0);
    fixed.writeUInt16BE(options.pid & 0xffff, ip.length);
    fixed.writeInt32BE(options.instanceHash | 0, ip.length + 2);
    this.#fixed = fixed.toString('hex').toUpperCase();
    this.#clock = options.clock;
    const bounds = monthBounds(options.clock.nowMs());
    this.#startMs = bounds.startMs;
    this.#nextStartMs = bounds.nextStartMs;
  }

  next(): string {
    const nowMs = this.#clock.nowMs();
    if (nowMs >= this.#nextStartMs) {
      const bounds = monthBounds(nowMs);
      this.#startMs = bounds.startMs;
      this.#nextStartMs = bounds.nextStartMs;
    }
    let diff = (nowMs - this.#startMs) | 0;
    if (diff < 0 && diff > -1_000_000) diff = 0;
    const tail = Buffer.allocUnsafe(6);
    tail.writeInt32BE(diff, 0);
    tail.writeUInt16BE(this.#counter & 0xffff, 4);
    this.#counter = (this.#counter + 1) & 0xffff;
    const id = this.#fixed + tail.toString('hex').toUpperCase();
    assert(id.length === this.#fixed.length + 12, 'unique id length');
    return id;
  }
}

/** The fields of a unique id (IPv4: 32 hex characters; IPv6: 56). */
export function decodeUniqId(id: string): {
  ip: string;
  pid: number;
  instanceHash: number;
  msSinceMonthStart: number;
  counter: number;
} {
  if (!/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{56})$/.test(id)) {
    throw new RangeError(`"${id}" is not a unique message id`);
  }
  const bytes = Buffer.from(id, 'hex');
  const ipLength = bytes.length === 16 ? 4 : 16;
  return {
    ip: bytesToIp(bytes.subarray(0, ipLength)),
    pid: bytes.readUInt16BE(ipLength),
    instanceHash: bytes.readInt32BE(ipLength + 2),
    msSinceMonthStart: bytes.readInt32BE(ipLength + 6),
    counter: bytes.readUInt16BE(ipLength + 10),
  };
}
