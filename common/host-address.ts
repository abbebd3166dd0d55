// Socket addresses as RocketMQ stores them in BORNHOST / STOREHOST: IPv4 4 bytes + port (int32),
// or IPv6 16 bytes + port, big-endian.

import { AssertionError } from './assert.js';

function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : -1));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : null;
}

function parseIpv6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const v = Number.parseInt(g, 16);
    bytes.push(v >> 8, v & 0xff);
  }
  return bytes;
}

/** 4 bytes for an IPv4 dotted quad ("::ffff:" prefix allowed), 16 for IPv6 text; RangeError otherwise. */
export function ipToBytes(host: string): Buffer {
  const v4 = host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
  const bytes = parseIpv4(v4) ?? parseIpv6(host);
  if (bytes === null) throw new RangeError(`"${host}" is not an IP address`);
  return Buffer.from(bytes);
}

/** Encodes "ip:port" or "[ipv6]:port" into 8 or 20 bytes; throws on anything else. */
export function encodeHostAddress(address: string): Uint8Array {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address);
  if (match === null) throw new AssertionError(`not an "ip:port" address: "${address}"`);
  const ip = match[1] ?? '';
  const port = Number(match[2]);
  const bytes = parseIpv4(ip) ?? parseIpv6(ip);
  if (bytes === null || port > 65535)
    throw new AssertionError(`not an "ip:port" address: "${address}"`);
  const out = new Uint8Array(bytes.length + 4);
  out.set(bytes, 0);
  new DataView(out.buffer).setInt32(bytes.length, port);
  return out;
}

/** Decodes 8 (IPv4) or 20 (IPv6) bytes into "ip:port". */
export function decodeHostAddress(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength === 8) {
    return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}:${view.getInt32(4)}`;
  }
  if (bytes.byteLength !== 20)
    throw new AssertionError(`host address of ${bytes.byteLength} bytes`);
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(view.getUint16(i).toString(16));
  return `[${groups.join(':')}]:${view.getInt32(16)}`;
}
