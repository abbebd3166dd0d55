// xxhash64 of message bodies for the end-to-end BODY_XXH64 check: producers add the property,
// the broker stores it (or fills it in), and consumers verify it before a message reaches the
// listener. The value is 16 lowercase hex digits of xxhash64 (seed 0) over the body as stored,
// that is after compression when the body is compressed. Loaded from xxhash-wasm directly: the
// client does not depend on the engine.

import xxhash from 'xxhash-wasm';

export interface BodyChecksum {
  /** 16 lowercase hex digits. */
  hex(body: Uint8Array): string;
}

let loading: Promise<BodyChecksum> | undefined;

/** The shared hasher (WebAssembly is compiled once per process). */
export function loadBodyChecksum(): Promise<BodyChecksum> {
  loading ??= xxhash().then((api) => ({
    hex: (body: Uint8Array) => api.h64Raw(body).toString(16).padStart(16, '0'),
  }));
  return loading;
}
