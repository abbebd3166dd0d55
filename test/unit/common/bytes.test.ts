import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  crc32,
  int64Hex,
  javaHashCode,
  offsetToFileName,
  readInt64,
  readInt64Buffer,
  toHexUpper,
  uint32Hex,
  writeInt64,
  writeInt64Buffer,
} from '../../../common/bytes.js';
import { createPrng } from '../../../common/prng.js';

describe('common/bytes', () => {
  it('computes CRC32 as java.util.zip.CRC32 does', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  it('reproduces Java String.hashCode with 32-bit wrap-around', () => {
    assert.equal(javaHashCode(''), 0);
    assert.equal(javaHashCode('TagA'), 2598919);
    assert.equal(javaHashCode('hello world'), 1794106052);
    assert.equal(javaHashCode('polygenelubricants'), -2147483648);
  });

  it('round-trips int64 values up to 2^53 and rejects unsafe ones', () => {
    const view = new DataView(new ArrayBuffer(8));
    for (const v of [
      0,
      1,
      2 ** 32,
      2 ** 32 - 1,
      1073741824 * 7 + 13,
      Number.MAX_SAFE_INTEGER,
      -1,
      -(2 ** 40),
    ]) {
      writeInt64(view, 0, v);
      assert.equal(readInt64(view, 0), v);
    }
    assert.throws(() => writeInt64(view, 0, 2 ** 60));
  });

  it('reads int64 values from a Buffer at any offset and refuses reads past its end', () => {
    const buf = Buffer.alloc(20);
    for (const v of [0, 1, 2 ** 32, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER, -1, -(2 ** 40), -5]) {
      for (const at of [0, 3, 12]) {
        buf.writeBigInt64BE(BigInt(v), at);
        assert.equal(readInt64Buffer(buf, at), v);
      }
    }
    assert.throws(() => readInt64Buffer(buf, 13), RangeError);
    buf.writeBigInt64BE(2n ** 60n, 0);
    assert.throws(() => readInt64Buffer(buf, 0));
  });

  it('names segment files with 20 digits', () => {
    assert.equal(offsetToFileName(0), '00000000000000000000');
    assert.equal(offsetToFileName(1073741824), '00000000001073741824');
  });
});

describe('common/prng', () => {
  it('gives the same sequence for the same seed and different ones otherwise', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const c = createPrng(43);
    const seqA = Array.from({ length: 5 }, () => a.int(0, 1000));
    assert.deepEqual(
      seqA,
      Array.from({ length: 5 }, () => b.int(0, 1000)),
    );
    assert.notDeepEqual(
      seqA,
      Array.from({ length: 5 }, () => c.int(0, 1000)),
    );
  });
});

describe('hex helpers', () => {
  it('match Buffer hex for random bytes, int32 and int64 values', () => {
    const random = createPrng(7);
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(
        Array.from({ length: random.int(0, 20) }, () => random.int(0, 255)),
      );
      assert.equal(toHexUpper(bytes), bytes.toString('hex').toUpperCase());
      const int32 = random.int(-0x80000000, 0x7fffffff);
      const four = Buffer.alloc(4);
      four.writeInt32BE(int32);
      assert.equal(uint32Hex(int32, 8), four.toString('hex').toUpperCase());
      assert.equal(uint32Hex(int32, 4), four.subarray(2).toString('hex').toUpperCase());
      const int64 = random.int(0, 2 ** 20) * 2 ** 32 + random.int(0, 0xffffffff);
      const eight = Buffer.alloc(8);
      writeInt64Buffer(eight, 0, int64);
      assert.equal(int64Hex(int64), eight.toString('hex').toUpperCase());
    }
  });
});
