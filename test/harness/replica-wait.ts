// Waits on a broker group's slave for integration tests: until it has copied its master's
// topics (its metadata sync) and until its CommitLog has caught up with the master's.

import { decodeKvTable } from '../../protocol/bodies/simple-bodies.js';
import { createRequest, RemotingClient, RequestCode } from '../../protocol/index.js';
import { waitFor } from './wait-for.js';

async function ask(address: string, code: number): Promise<Buffer> {
  const client = new RemotingClient({ address });
  try {
    const response = await client.invoke(createRequest(code), 5000);
    if (response.code !== 0) throw new Error(`${address} answered ${code} with ${response.code}`);
    return Buffer.from(response.body ?? new Uint8Array(0));
  } finally {
    await client.close();
  }
}

/** Until the broker at `slave` has every one of `topics` in its topic config. */
export async function waitForSlaveTopics(slave: string, topics: readonly string[]): Promise<void> {
  await waitFor(
    async () => {
      const body = await ask(slave, RequestCode.GET_ALL_TOPIC_CONFIG);
      const table = (JSON.parse(body.toString('utf8')) as { topicConfigTable?: object })
        .topicConfigTable;
      return table !== undefined && topics.every((t) => t in table);
    },
    { timeoutMs: 10_000, what: `the slave ${slave} copied ${topics.join(', ')}` },
  );
}

function commitLogEnd(runtimeInfo: Buffer): string | undefined {
  return decodeKvTable(runtimeInfo).table['commitLogMaxOffset'];
}

/** Until the slave's CommitLog ends where its master's does. */
export async function waitForSlaveCaughtUp(master: string, slave: string): Promise<void> {
  await waitFor(
    async () => {
      const [m, s] = await Promise.all(
        [master, slave].map((a) => ask(a, RequestCode.GET_BROKER_RUNTIME_INFO)),
      );
      return m !== undefined && s !== undefined && commitLogEnd(m) === commitLogEnd(s);
    },
    { timeoutMs: 10_000, what: `the slave ${slave} caught up with ${master}` },
  );
}
