// Stored-record codec: encode (with BODYCRC) and decode of 128 B, 1 KiB and 4 KiB bodies.
// Run: npx tsc -p . && node --enable-source-maps dist/bench/micro/message-codec.bench.js

import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { crc32 } from '../../common/bytes.js';
import { decodeRecord, encodeRecord, recordLength } from '../../common/message-codec.js';
import { floorRecord } from '../e2e/physical-limits.js';

export const messageCodecBench = new Bench({
  name: 'stored record codec',
  time: 1000,
  warmupTime: 200,
});

for (const size of [128, 1024, 4096]) {
  const record = floorRecord(size);
  const buf = Buffer.alloc(
    recordLength(0, size, record.topic.byteLength, record.properties.byteLength),
  );
  messageCodecBench.add(`encode + CRC, ${size} B body`, () => {
    record.bodyCrc = crc32(record.body) | 0;
    encodeRecord(buf, 0, record);
  });
  encodeRecord(buf, 0, record);
  messageCodecBench.add(`decode, ${size} B body`, () => {
    decodeRecord(buf, 0);
  });
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  await messageCodecBench.run();
  console.table(messageCodecBench.table());
}
