// xxhash64 of message bodies (xxhash-wasm), carried in the BODY_XXH64 property and checked on read.
// The property value is 16 lowercase hex digits.

import xxhash from 'xxhash-wasm';

export interface BodyHasher {
  hash(body: Uint8Array): bigint;
  hex(body: Uint8Array): string;
}

let loaded: Promise<BodyHasher> | undefined;

export function loadBodyHasher(): Promise<BodyHasher> {
  loaded ??= xxhash().then((api) => ({
    hash: (body: Uint8Array) => api.h64Raw(body),
    hex: (body: Uint8Array) => api.h64Raw(body).toString(16).padStart(16, '0'),
  }));
  return loaded;
}
