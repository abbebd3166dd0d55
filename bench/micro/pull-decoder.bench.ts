// Client pull decoding: one pull response of 32 stored 1 KiB records (as a PushConsumer receives
// them with RocketMQ's default pullBatchSize) decoded into MessageExt objects, with and without the
// BODY_XXH64 check.
// Run: npx tsc -p . && node --enable-source-maps dist/bench/micro/pull-decoder.bench.js

import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { loadBodyChecksum } from '../../client/body-checksum.js';
import { BODY_XXH64_PROPERTY } from '../../client/message.js';
import { decodeMessages } from '../../client/pull-decoder.js';
import { encodeRecord, recordLength } from '../../common/message-codec.js';
import { encodeProperties } from '../../protocol/message-properties.js';
import { floorRecord } from '../e2e/physical-limits.js';

const MESSAGES_PER_PULL = 32;
const checksum = await loadBodyChecksum();

function pullBody(bodyBytes: number): Buffer {
  const record = floorRecord(bodyBytes);
  record.properties = Buffer.from(
    encodeProperties({
      UNIQ_KEY: '7F00000100002A9F0000000000000000',
      TAGS: 'TagA',
      KEYS: 'order-1',
      [BODY_XXH64_PROPERTY]: checksum.hex(record.body),
    }),
  );
  const length = recordLength(0, bodyBytes, record.topic.byteLength, record.properties.byteLength);
  const body = Buffer.alloc(length * MESSAGES_PER_PULL);
  for (let i = 0; i < MESSAGES_PER_PULL; i++) {
    record.queueOffset = i;
    record.commitLogOffset = i * length;
    encodeRecord(body, i * length, record);
  }
  return body;
}

export const pullDecoderBench = new Bench({ name: 'pull decoding', time: 1000, warmupTime: 200 });

const body = pullBody(1024);
const base = { brokerName: 'broker-a', maxRecordBytes: 4 * 1024 * 1024 };
pullDecoderBench.add(`decode a pull of ${MESSAGES_PER_PULL} x 1 KiB`, () => {
  decodeMessages(body, { ...base, checksum: null });
});
pullDecoderBench.add(`decode a pull of ${MESSAGES_PER_PULL} x 1 KiB, BODY_XXH64 checked`, () => {
  decodeMessages(body, { ...base, checksum });
});

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  await pullDecoderBench.run();
  console.table(pullDecoderBench.table());
}
