// Small non-cryptographic hashes for the simulator: FNV-1a over bytes, and a mixer for chaining
// numbers into a running 32-bit hash (event-hash sequences, log hash chains).

export function fnv1a(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ (data[i] as number), 0x01000193);
  return h >>> 0;
}

export function mix(h: number, value: number): number {
  let x = (h ^ (value | 0) ^ Math.floor(value / 4294967296)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export function mixString(h: number, text: string): number {
  let x = h;
  for (let i = 0; i < text.length; i++) x = mix(x, text.charCodeAt(i));
  return x;
}
