// Every message of a topic on one broker, as deliveries for the lost-on-node check: read over the
// wire (pulls from offset 0, which a slave serves once its master is away), or from the files of a
// stopped broker; and a byte comparison of two stopped brokers' CommitLogs.

import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../../engine/index.js';
import { TestClient } from '../../harness/broker-client.js';
import { smallBrokerArgs } from '../../harness/petrel-processes.js';
import { idOf } from './ha-workload.js';
import type { Delivery } from './history.js';

/** Every message of `topic` on one broker, read over the wire (pulls from offset 0). */
export async function dumpOverWire(
  address: string,
  topic: string,
  queueCount: number,
  label: string,
): Promise<Delivery[]> {
  const client = new TestClient(address);
  const out: Delivery[] = [];
  try {
    for (let queueId = 0; queueId < queueCount; queueId++) {
      for (let offset = 0; ; ) {
        const pulled = await client.pull({
          group: 'FaultDump',
          topic,
          queueId,
          offset,
          maxMsgNums: 32,
        });
        if (pulled.code !== 0 && offset >= pulled.maxOffset) break;
        if (pulled.code !== 0 || pulled.messages.length === 0)
          throw new Error(
            `${label}: pull of queue ${queueId} at ${offset} answered ${pulled.code} ${pulled.remark}`,
          );
        for (const m of pulled.messages) out.push(stored(m, queueId, label));
        offset = pulled.nextBeginOffset;
      }
    }
  } finally {
    await client.close();
  }
  return out;
}

/** A stored message of broker-a's queue `queueId` as a history delivery, read from `label`. */
function stored(
  m: { properties: Record<string, string>; body: Buffer; queueOffset: number },
  queueId: number,
  label: string,
): Delivery {
  return {
    id: idOf(m.properties, m.body),
    atMs: 0,
    queue: `broker-a:${queueId}`,
    queueOffset: m.queueOffset,
    broker: label,
  };
}

/** The store options of test brokers (petrel-processes.ts smallBrokerArgs), for reading their files. */
function testStoreOptions(): Record<string, number> {
  return Object.fromEntries(
    smallBrokerArgs.map((arg) => {
      const [key = '', value = ''] = arg.slice(2).split('=');
      return [key, Number(value)];
    }),
  );
}

/** Every message of `topic` in a stopped broker's store, read from its files. */
export async function dumpStore(
  dir: string,
  topic: string,
  queueCount: number,
  label: string,
): Promise<{ deliveries: Delivery[]; commitLogMaxOffset: number }> {
  const store = await openStore({
    storePathRootDir: dir,
    threads: false,
    brokerRole: 'SLAVE',
    ...testStoreOptions(),
  });
  const out: Delivery[] = [];
  try {
    for (let queueId = 0; queueId < queueCount; queueId++) {
      const max = store.getMaxOffsetInQueue(topic, queueId);
      for (let offset = store.getMinOffsetInQueue(topic, queueId); offset < max; ) {
        const got = await store.getMessage({
          topic,
          queueId,
          queueOffset: offset,
          maxMsgNums: 256,
        });
        if (got.messages.length === 0)
          throw new Error(`${label}: queue ${queueId} offset ${offset}: ${got.status}`);
        for (const m of got.messages) {
          out.push(stored(m, queueId, label));
          offset = m.queueOffset + 1;
        }
      }
    }
    return { deliveries: out, commitLogMaxOffset: store.getMaxPhyOffset() };
  } finally {
    await store.close();
  }
}

/** The first `length` bytes of a file (fewer if it is shorter). */
function head(path: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    return out.subarray(0, readSync(fd, out, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Whether two stopped brokers' CommitLogs hold the same bytes below `endOffset`. */
export function sameCommitLog(dirA: string, dirB: string, endOffset: number): boolean {
  const segments = readdirSync(join(dirA, 'commitlog')).filter((n) => /^\d{20}$/.test(n));
  for (const name of segments) {
    const start = Number(name);
    if (start >= endOffset) continue;
    const length = endOffset - start;
    const a = head(join(dirA, 'commitlog', name), length);
    const b = head(join(dirB, 'commitlog', name), length);
    if (a.length === 0 || !a.equals(b)) return false;
  }
  return segments.length > 0;
}
