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

import { assert } from './assert.js';
import { readInt64Buffer, uint32Hex } from './bytes.js';
import type { Clock } from './clock.js';
import { ipToBytes } from './host-address.js';
import { createOffsetMessageId } from './message-codec.js';

export { ipToBytes } from './host-address.js';

export interface StoreAddress {
  /** Dotted IPv4, or IPv6 text. */
  host: string;
  port: number;
}

function bytesToIp(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/**
 * Both id forms are 16 bytes long with an IPv4 address and 28 with an IPv6 one (32 or 56 hex
 * characters): the bytes, the IP at their start and the IP's length.
 */
function splitId(id: string, what: string): { bytes: Buffer; ip: string; ipLength: number } {
  if (!/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{56})$/.test(id)) {
    throw new RangeError(`"${id}" is not ${what}`);
  }
  const bytes = Buffer.from(id, 'hex');
  const ipLength = bytes.length === 16 ? 4 : 16;
  return { bytes, ip: bytesToIp(bytes.subarray(0, ipLength)), ipLength };
}

/** The offset message id of the message at `commitLogOffset` on the broker at `store`. */
export function createOffsetMsgId(store: StoreAddress, commitLogOffset: number): string {
  assert(Number.isSafeInteger(commitLogOffset) && commitLogOffset >= 0, 'commitLogOffset valid');
  const ip = ipToBytes(store.host);
  const host = Buffer.allocUnsafe(ip.length + 4);
  ip.copy(host, 0);
  host.writeInt32BE(store.port, ip.length);
  return createOffsetMessageId(host, commitLogOffset);
}

/** Store address and commit log offset of an offset message id (32 or 56 hex characters). */
export function decodeOffsetMsgId(msgId: string): StoreAddress & { commitLogOffset: number } {
  const { bytes, ip, ipLength } = splitId(msgId, 'an offset message id');
  return {
    host: ip,
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
    const id = this.#fixed + uint32Hex(diff, 8) + uint32Hex(this.#counter, 4);
    this.#counter = (this.#counter + 1) & 0xffff;
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
  const { bytes, ip, ipLength } = splitId(id, 'a unique message id');
  return {
    ip,
    pid: bytes.readUInt16BE(ipLength),
    instanceHash: bytes.readInt32BE(ipLength + 2),
    msSinceMonthStart: bytes.readInt32BE(ipLength + 6),
    counter: bytes.readUInt16BE(ipLength + 10),
  };
}
