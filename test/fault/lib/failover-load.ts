// The load both failover scenarios run (DLedger leader kill, controller-mode master kill): Petrel's
// client (4 logical producers, no client retries: one send, one outcome) and the real ali-ons
// client (a child process, retrying as RocketMQ clients do) send while a PushConsumer consumes,
// and a kill cycle runs 2 times (20 with PETREL_LONG=1), each with its own seed.

import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isLongRun, testSeeds } from '../../harness/seed.js';
import { type Child, spawnNode } from '../../harness/spawn-process.js';
import { waitFor } from '../../harness/wait-for.js';
import { recordAliOns } from './ha-figures.js';
import { type ConsumerLoad, startConsumerLoad, startSendLoad } from './ha-workload.js';
import { History } from './history.js';

/** ali-ons's message ids start here; Petrel's producers' are below. */
export const ALI_FIRST_ID = 8_000_000;
const fixture = fileURLToPath(new URL('../../fixtures/ali-ons/ali-ons-client.js', import.meta.url));

export interface FailoverLoadOptions<C> {
  namesrvAddr: string;
  topic: string;
  consumerGroup: string;
  /** First seed of the cycles (SEED=<n> replays from n). */
  seedBase: number;
  /** Child processes the test kills when it ends. */
  children: Child[];
  cycle: (history: History, seed: number) => Promise<C>;
  describe: (cycle: C) => string;
}

/** Runs the cycles under load; returns the history, the consumer (still running) and the cycles. */
export async function runFailoverCycles<C>(
  t: TestContext,
  o: FailoverLoadOptions<C>,
): Promise<{ history: History; consumer: ConsumerLoad; cycles: C[] }> {
  const history = new History();
  const load = await startSendLoad(history, o.namesrvAddr, o.topic, { sendMsgTimeoutMs: 3000 });
  const consumer = await startConsumerLoad(history, o.namesrvAddr, o.topic, o.consumerGroup);
  const ali = spawnNode(fixture, [
    'produce-loop',
    o.namesrvAddr,
    o.topic,
    String(ALI_FIRST_ID),
    '20',
  ]);
  o.children.push(ali);
  const cycles: C[] = [];
  const [seed] = testSeeds(1, o.seedBase);
  try {
    await ali.waitForLine(/"event":"ready"/, 20_000);
    load.start();
    await waitFor(() => history.acked().length >= 100, { timeoutMs: 30_000, what: 'first acks' });
    const count = isLongRun() ? 20 : 2;
    for (let i = 0; i < count; i++) {
      const c = await o.cycle(history, (seed ?? 0) + i);
      cycles.push(c);
      t.diagnostic(`cycle ${i}: ${o.describe(c)}`);
    }
    await load.stop();
    ali.kill('SIGTERM');
    await ali.exited;
    recordAliOns(ali, history);
  } finally {
    await load.close();
  }
  return { history, consumer, cycles };
}

/** Ms from `killedAt` to the end of the first acknowledged send that began after it. */
export async function firstAckAfter(history: History, killedAt: number): Promise<number> {
  const firstAck = await waitFor(
    () => {
      const acks = [...history.sends.values()].filter(
        (s) => s.atMs >= killedAt && s.outcome === 'ACKED' && s.doneMs !== undefined,
      );
      return acks.length > 0 ? Math.min(...acks.map((s) => s.doneMs ?? 0)) : undefined;
    },
    { timeoutMs: 15_000, what: 'an acknowledged send after the kill' },
  );
  return firstAck - killedAt;
}
