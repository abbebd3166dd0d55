// xxhash64 of message bodies for the end-to-end BODY_XXH64 check: producers add the property,
// the broker stores it (or fills it in), and consumers verify it before a message reaches the
// listener. The value is 16 lowercase hex digits of xxhash64 (seed 0) over the body as stored,
// that is after compression when the body is compressed. Loaded from xxhash-wasm directly: the
// client does not depend on the engine.

import xxhash from 'xxhash-wasm';

export interface BodyChecksum {
  /** 16 lowercase hex digits. */
  hex(body: Uint8Array): string;
  /**
   * True when `expected` is the body's xxhash64 as 16 hex digits (either case). Compared as
   * numbers: no string is made per message.
   */
  matches(body: Uint8Array, expected: string): boolean;
}

const LOW_32_BITS = 0xffffffffn;

/** The value of 8 hex digits of `text` from `start`, or -1 when one is not a hex digit. */
function hexWord(text: string, start: number): number {
  let value = 0;
  for (let i = start; i < start + 8; i++) {
    const c = text.charCodeAt(i);
    const digit =
      c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

let loading: Promise<BodyChecksum> | undefined;

/** The shared hasher (WebAssembly is compiled once per process). */
export function loadBodyChecksum(): Promise<BodyChecksum> {
  loading ??= xxhash().then((api) => ({
    hex: (body: Uint8Array) => api.h64Raw(body).toString(16).padStart(16, '0'),
    matches: (body: Uint8Array, expected: string) => {
      if (expected.length !== 16) return false;
      const hash = api.h64Raw(body);
      return (
        hexWord(expected, 0) === Number(hash >> 32n) &&
        hexWord(expected, 8) === Number(hash & LOW_32_BITS)
      );
    },
  }));
  return loading;
}
