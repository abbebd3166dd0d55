// ali-ons 3.12.0 as the cluster and peers benchmarks drive it: its module, its options with a
// logger that counts warnings and errors (reported beside each figure), a consumer in the shape
// the consume runs use, and the close of the process-wide producer ali-ons never closes itself.

import { createRequire } from 'node:module';

/** A consumer under test: started with a callback per message body, then stopped. */
export interface ConsumerUnderTest {
  start(onMessage: (body: Buffer) => void): Promise<void>;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

export interface AliOns {
  Producer: new (
    options: Record<string, unknown>,
  ) => {
    ready(): Promise<void>;
    send(message: unknown): Promise<{ sendStatus: string }>;
    close(): Promise<void>;
    on(event: string, listener: (error: Error) => void): void;
  };
  Consumer: new (
    options: Record<string, unknown>,
  ) => {
    subscribe(
      topic: string,
      expression: string,
      handler: (message: { body: Buffer }) => Promise<void>,
    ): void;
    ready(): Promise<void>;
    close(): Promise<void>;
    on(event: string, listener: (error: Error) => void): void;
  };
  Message: new (topic: string, tags: string, body: Buffer) => unknown;
}

/** ali-ons logs through this: info and debug are dropped, warnings and errors are counted. */
const aliOnsProblems: string[] = [];
export const keepAliOnsProblem = (...args: unknown[]) => {
  aliOnsProblems.push(args.map(String).join(' ').slice(0, 200));
};
const drop = (): undefined => undefined;

export function problemNote(since: number): string {
  const problems = aliOnsProblems.slice(since);
  if (problems.length === 0) return '';
  console.log(`ali-ons reported ${problems.length} warnings/errors, first: ${problems[0]}`);
  return `${problems.length} ali-ons warnings/errors`;
}
const quietLogger = { info: drop, debug: drop, warn: keepAliOnsProblem, error: keepAliOnsProblem };

export function aliOnsOptions(namesrvAddr: string): Record<string, unknown> {
  return {
    nameSrv: [namesrvAddr],
    httpclient: {},
    logger: quietLogger,
    instanceName: `bench${process.pid}`,
  };
}

type AliOnsProducer = InstanceType<AliOns['Producer']>;

/**
 * ali-ons starts a process-wide inner producer with the first one and never closes it; once the
 * broker is gone it keeps reconnecting and emits errors nobody listens to. A benchmark that goes
 * on after stopping its cluster closes it.
 */
export async function closeAliOnsInnerProducer(ons: AliOns): Promise<void> {
  const statics = ons.Producer as unknown as { defaultProducer?: AliOnsProducer | null };
  const inner = statics.defaultProducer;
  if (inner === undefined || inner === null) return;
  inner.on('error', (error) => keepAliOnsProblem(error.message));
  statics.defaultProducer = null;
  await inner.close().catch((error: unknown) => keepAliOnsProblem(String(error)));
}

export function loadAliOns(): AliOns {
  return require('ali-ons') as AliOns;
}

export function aliOnsProblemCount(): number {
  return aliOnsProblems.length;
}

export function aliOnsConsumer(
  namesrvAddr: string,
  topic: string,
  group: string,
): ConsumerUnderTest {
  const ons = loadAliOns();
  const consumer = new ons.Consumer({
    ...aliOnsOptions(namesrvAddr),
    consumerGroup: group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    parallelConsumeLimit: 32,
  });
  consumer.on('error', (error) => keepAliOnsProblem(error.message));
  return {
    start: async (onMessage) => {
      consumer.subscribe(topic, '*', async (message) => onMessage(message.body));
      await consumer.ready();
    },
    stop: () => consumer.close(),
  };
}
