// The peers' workloads, driven by their own npm clients (pinned devDependencies): nats 2.29.3
// (JetStream publish with its PubAck; a pull consumer for the drain) and ioredis 5.9.3 (XADD,
// auto-pipelined: the commands issued in one turn leave in one write).

import { Redis } from 'ioredis';
import { AckPolicy, connect, RetentionPolicy, StorageType } from 'nats';
import { type ClosedLoopOptions, closedLoop } from '../lib/closed-loop.js';
import { percentileMsOrNull } from '../lib/latency.js';
import type { BenchRow } from './cluster-bench.js';

function loopRow(label: string, result: Awaited<ReturnType<typeof closedLoop>>): BenchRow {
  return {
    label,
    msgsPerS: Math.round(result.count / result.seconds),
    p50Ms: percentileMsOrNull(result.histogram, 50),
    p99Ms: percentileMsOrNull(result.histogram, 99),
    loopDelayP99Ms: null,
    vsEmbedded: null,
    note: result.refused > 0 ? `${result.refused} refused` : '',
  };
}

async function natsStream(port: number, name: string, subject: string) {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({
    name,
    subjects: [subject],
    storage: StorageType.File,
    num_replicas: 1,
    retention: RetentionPolicy.Limits,
  });
  return { nc, jsm, js: nc.jetstream() };
}

/** JetStream R1 file storage: `window` publishes in flight, each awaiting its PubAck. */
export async function natsProduce(
  port: number,
  load: ClosedLoopOptions,
  body: Buffer,
): Promise<BenchRow> {
  const { nc, js } = await natsStream(port, 'BENCH', 'bench.produce');
  try {
    const result = await closedLoop(
      load,
      async () => {
        await js.publish('bench.produce', body);
      },
      () => undefined,
    );
    return loopRow('NATS JetStream 2.9 R1 file (nats 2.29.3, publish)', result);
  } finally {
    await nc.close();
  }
}

/** Fills a stream with `backlog` messages, then times a pull consumer (ack none) reading them. */
export async function natsDrain(
  port: number,
  backlog: number,
  window: number,
  body: Buffer,
): Promise<{ msgsPerS: number }> {
  const { nc, jsm, js } = await natsStream(port, 'DRAIN', 'bench.drain');
  try {
    let sent = 0;
    const fill = async () => {
      while (sent < backlog) {
        sent++;
        await js.publish('bench.drain', body);
      }
    };
    await Promise.all(Array.from({ length: window }, fill));
    await jsm.consumers.add('DRAIN', { durable_name: 'drain', ack_policy: AckPolicy.None });
    const startMs = performance.now();
    const consumer = await js.consumers.get('DRAIN', 'drain');
    const messages = await consumer.consume({ max_messages: 1024 });
    let received = 0;
    const timer = setTimeout(() => messages.stop(), 120_000);
    for await (const _ of messages) {
      received++;
      if (received >= backlog) break;
    }
    clearTimeout(timer);
    const seconds = (performance.now() - startMs) / 1000;
    messages.stop();
    return { msgsPerS: Math.round(received / seconds) };
  } finally {
    await nc.close();
  }
}

/** Redis Streams XADD with appendfsync always: `window` commands in flight, auto-pipelined. */
export async function redisProduce(
  port: number,
  load: ClosedLoopOptions,
  body: Buffer,
): Promise<BenchRow> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    enableAutoPipelining: true,
    lazyConnect: true,
  });
  await redis.connect();
  try {
    const result = await closedLoop(
      load,
      async () => {
        await redis.xadd('bench', '*', 'b', body);
      },
      () => undefined,
    );
    return loopRow('Redis 7.0 XADD, appendfsync always (ioredis 5.9.3)', result);
  } finally {
    redis.disconnect();
  }
}
