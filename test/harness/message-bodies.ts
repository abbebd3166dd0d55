// Deterministic message bodies for crash and load tests: the body of message `id` can be rebuilt
// by any process from the id alone, so a checker compares bytes without keeping copies.

import { createPrng } from '../../common/prng.js';

export function bodyFor(id: number, minBytes = 32, maxBytes = 16 * 1024): Buffer {
  const prng = createPrng(id * 2654435761);
  const size = prng.int(minBytes, maxBytes);
  const body = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 4)
    body.writeUInt32LE(prng.int(0, 0xffffffff) >>> 0, Math.min(i, size - 4));
  body.writeUInt32BE(id >>> 0, 0);
  return body;
}
