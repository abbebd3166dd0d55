// The limits engine figures are compared with, measured on the same disk in the same run:
// - disk: sequential pwrite of 1 MiB buffers and one final fdatasync (MB/s), and the latency of
//   pwrite + fdatasync of one batch (what a SYNC_FLUSH group commit pays);
// - CPU floor: one thread doing only the minimum per message: encode the stored record (with its
//   BODYCRC) into a 1 MiB buffer and writeSync each full buffer (msgs/s).

import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { crc32 } from '../../common/bytes.js';
import { encodeHostAddress } from '../../common/host-address.js';
import { encodeRecord, type RecordInput, recordLength } from '../../common/message-codec.js';
import { encodeProperties } from '../../common/message-properties.js';
import { newHistogram, percentileMs } from '../lib/latency.js';

export interface DiskLimit {
  mbPerSec: number;
  syncLatency: Array<{ batchBytes: number; p50Ms: number; p99Ms: number }>;
}

export function measureDisk(dir: string, totalMiB: number): DiskLimit {
  const path = `${dir}/disk-limit.dat`;
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1024 * 1024, 0x5a);
  const started = performance.now();
  for (let i = 0; i < totalMiB; i++)
    writeSync(fd, chunk, 0, chunk.byteLength, i * chunk.byteLength);
  fdatasyncSync(fd);
  const seconds = (performance.now() - started) / 1000;
  const syncLatency = [4096, 256 * 1024].map((batchBytes) => {
    const h = newHistogram();
    for (let i = 0; i < 200; i++) {
      const t = process.hrtime.bigint();
      writeSync(fd, chunk, 0, batchBytes, totalMiB * chunk.byteLength + i * batchBytes);
      fdatasyncSync(fd);
      h.record(Number(process.hrtime.bigint() - t));
    }
    return { batchBytes, p50Ms: percentileMs(h, 50), p99Ms: percentileMs(h, 99) };
  });
  closeSync(fd);
  rmSync(path, { force: true });
  return { mbPerSec: (totalMiB * 1.048576) / seconds, syncLatency };
}

export function floorRecord(bodyBytes: number): RecordInput {
  const host = encodeHostAddress('127.0.0.1:10911');
  const body = Buffer.alloc(bodyBytes, 0x61);
  return {
    bodyCrc: 0,
    queueId: 0,
    flag: 0,
    queueOffset: 0,
    commitLogOffset: 0,
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: host,
    storeTimestamp: Date.now(),
    storeHost: host,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body,
    topic: Buffer.from('BenchTopic'),
    properties: Buffer.from(encodeProperties({ UNIQ_KEY: '7F00000100002A9F0000000000000000' })),
  };
}

/** Messages per second one thread can encode and write with nothing else in the way. */
export function measureCpuFloor(
  dir: string,
  bodyBytes: number,
  seconds: number,
): { msgsPerSec: number; mbPerSec: number } {
  const path = `${dir}/cpu-floor.dat`;
  const fd = openSync(path, 'w');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  const record = floorRecord(bodyBytes);
  const length = recordLength(0, bodyBytes, record.topic.byteLength, record.properties.byteLength);
  let position = 0;
  let fileOffset = 0;
  let count = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < 256; i++) {
      if (position + length > buffer.byteLength) {
        writeSync(fd, buffer, 0, position, fileOffset);
        fileOffset += position;
        position = 0;
      }
      record.bodyCrc = crc32(record.body) | 0;
      record.queueOffset = count;
      record.commitLogOffset = fileOffset + position;
      position += encodeRecord(buffer, position, record);
      count++;
    }
  }
  const elapsed = (performance.now() - started) / 1000;
  closeSync(fd);
  rmSync(path, { force: true });
  return { msgsPerSec: count / elapsed, mbPerSec: (count * length) / elapsed / 1e6 };
}
