// Messaging features beside plain sends, in one run: a NameServer and a broker (ASYNC_MASTER,
// ASYNC_FLUSH) as child processes on loopback, the clients in this process.
//
//   plain send          closed loop of `send`, 1 KiB, N in flight
//   transactional send  closed loop of `sendMessageInTransaction` committing at once (half message,
//                       END_TRANSACTION, committed message: two stores and two round trips)
//   concurrent drain    4 PushConsumers of one group drain a backlog in an 8-queue topic
//   orderly drain       the same with consumeOrderly (queue locks, one batch per queue at a time)
//
// Usage: node dist/bench/e2e/messaging-bench.js [--seconds=10] [--concurrency=32]
//        [--backlog=40000] [--out=bench/results/messaging.md | none]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin } from '../../client/admin.js';
import { Producer } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { TransactionProducer } from '../../client/transaction-producer.js';
import { closedLoop } from '../lib/closed-loop.js';
import { percentileMs } from '../lib/latency.js';
import { machineInfo, machineLine } from '../lib/machine.js';
import { markdownTable, writeSection } from '../lib/markdown-report.js';
import { BenchProcesses, REPO_ROOT } from './bench-processes.js';

interface Row {
  run: string;
  msgsPerS: number;
  p50Ms: string;
  p99Ms: string;
  note: string;
}

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

const body = Buffer.alloc(1024, 0x61);

async function sendLoop(
  label: string,
  seconds: number,
  concurrency: number,
  once: () => Promise<unknown>,
): Promise<Row> {
  const r = await closedLoop(
    { warmupS: 2, durationS: seconds, concurrency },
    once,
    () => undefined,
  );
  return {
    run: label,
    msgsPerS: Math.round(r.count / r.seconds),
    p50Ms: percentileMs(r.histogram, 50).toFixed(2),
    p99Ms: percentileMs(r.histogram, 99).toFixed(2),
    note: r.refused > 0 ? `${r.refused} refused` : '',
  };
}

async function drain(
  namesrvAddr: string,
  topic: string,
  total: number,
  orderly: boolean,
): Promise<Row> {
  const group = `BENCH_${orderly ? 'ORDERLY' : 'CONCURRENT'}_${process.pid}`;
  let consumed = 0;
  const consumers = Array.from({ length: 4 }, () => {
    const c = new PushConsumer({
      namesrvAddr,
      groupName: group,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      consumeOrderly: orderly,
      consumeMessageBatchMaxSize: 1,
      rebalanceIntervalMs: 1000,
      brokerSuspendMaxTimeMs: 1000,
      consumerTimeoutMsWhenSuspend: 5000,
    });
    c.subscribe(topic, '*', () => {
      consumed++;
      return ConsumeStatus.CONSUME_SUCCESS;
    });
    return c;
  });
  const startMs = performance.now();
  await Promise.all(consumers.map((c) => c.start()));
  const deadlineMs = startMs + 120_000;
  while (consumed < total && performance.now() < deadlineMs) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - startMs) / 1000;
  await Promise.all(consumers.map((c) => c.shutdown()));
  return {
    run: `${orderly ? 'orderly' : 'concurrent'} drain, 8 queues, 4 consumers`,
    msgsPerS: Math.round(consumed / seconds),
    p50Ms: '-',
    p99Ms: '-',
    note:
      consumed < total
        ? `only ${consumed} of ${total} in 120 s`
        : `${total} in ${seconds.toFixed(1)} s`,
  };
}

async function main(): Promise<void> {
  const seconds = option('seconds', 10);
  const concurrency = option('concurrency', 32);
  const backlog = option('backlog', 40_000);
  const outArg = process.argv.find((a) => a.startsWith('--out='))?.slice(6);
  const out = outArg ?? join(REPO_ROOT, 'bench', 'results', 'messaging.md');
  const dir = mkdtempSync(join(tmpdir(), 'petrel-messaging-bench-'));
  const processes = new BenchProcesses();
  const closers: (() => Promise<void>)[] = [];
  try {
    const namesrvAddr = await processes.startNamesrv(dir);
    await processes.startBroker(namesrvAddr, join(dir, 'broker'), ['--brokerName=broker-a']);
    const admin = new Admin({ namesrvAddr });
    await admin.start();
    closers.push(() => admin.shutdown());
    for (const [topic, queues] of [
      ['BenchPlain', 4],
      ['BenchTx', 4],
      ['BenchDrain', 8],
    ] as const) {
      await admin.createTopic({ topic, readQueueNums: queues, writeQueueNums: queues });
    }
    const producer = new Producer({ namesrvAddr, groupName: 'BENCH_P' });
    await producer.start();
    closers.push(() => producer.shutdown());
    const tx = new TransactionProducer({
      namesrvAddr,
      groupName: 'BENCH_TXP',
      transactionListener: {
        executeLocalTransaction: () => 'COMMIT_MESSAGE',
        checkLocalTransaction: () => 'COMMIT_MESSAGE',
      },
    });
    await tx.start();
    closers.push(() => tx.shutdown());
    const rows: Row[] = [];
    rows.push(
      await sendLoop(`plain send, ${concurrency} in flight`, seconds, concurrency, () =>
        producer.send({ topic: 'BenchPlain', body }),
      ),
    );
    rows.push(
      await sendLoop(
        `transactional send (commit), ${concurrency} in flight`,
        seconds,
        concurrency,
        () => tx.sendMessageInTransaction({ topic: 'BenchTx', body }),
      ),
    );
    const fills = Array.from({ length: 64 }, async (_, lane) => {
      for (let i = lane; i < backlog; i += 64) await producer.send({ topic: 'BenchDrain', body });
    });
    await Promise.all(fills);
    rows.push(await drain(namesrvAddr, 'BenchDrain', backlog, false));
    rows.push(await drain(namesrvAddr, 'BenchDrain', backlog, true));
    const plain = rows[0]?.msgsPerS ?? 0;
    const table = markdownTable(
      ['run', 'msgs/s', 'p50 ms', 'p99 ms', 'vs plain send', 'note'],
      [false, true, true, true, true, false],
      rows.map((r, i) => [
        r.run,
        String(r.msgsPerS),
        r.p50Ms,
        r.p99Ms,
        i < 2 && plain > 0 ? `${(r.msgsPerS / plain).toFixed(2)}x` : '-',
        r.note,
      ]),
    );
    const section = [
      `### ${new Date().toISOString().slice(0, 10)}`,
      '',
      `Machine: ${machineLine(machineInfo(dir))}. 1 KiB bodies, broker ASYNC_MASTER + ASYNC_FLUSH, clients in the benchmark process; ${seconds} s measured after 2 s.`,
      '',
      `Command: \`node dist/bench/e2e/messaging-bench.js ${process.argv.slice(2).join(' ')}\``,
      '',
      ...table,
      '',
    ].join('\n');
    console.log(section);
    if (out !== 'none') {
      writeSection(
        out,
        '# Messaging features benchmark\n\nWritten by `bench/e2e/messaging-bench.ts`.\n\n',
        'messaging',
        section,
      );
    }
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await processes.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
