// Topic creation at scale: creates N topics one after the other through UPDATE_AND_CREATE_TOPIC (as
// mqadmin updateTopic does, each awaited) on a real broker + NameServer, then restarts the broker
// and times until it listens and has registered every topic again.
// Target (docs/broker.md): 10,000 topics created in under 30 s, a restart under 2 s.
// Usage: node dist/bench/e2e/topic-scale-bench.js [topics=10000] [--prof=DIR]
// (--prof: the restarted broker runs with --cpu-prof, its profile written to DIR at the end)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRequest,
  decodeTopicRouteData,
  RemotingClient,
  RequestCode,
  ResponseCode,
} from '../../protocol/index.js';
import { machineInfo, machineLine } from '../lib/machine.js';
import { BenchProcesses } from './bench-processes.js';

const TARGET_CREATE_MS = 30_000;
const TARGET_RESTART_MS = 2_000;
const topics = Number(process.argv.find((a, i) => i >= 2 && !a.startsWith('--')) ?? 10_000);
const profDir = process.argv.find((a) => a.startsWith('--prof='))?.slice('--prof='.length);
const profArgs = profDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
const dir = mkdtempSync(join(tmpdir(), 'petrel-topic-bench-'));
const processes = new BenchProcesses();
const brokerConfig = ['--brokerName=broker-a', '--registerNameServerPeriod=30000'];

async function routeHas(ns: RemotingClient, topic: string): Promise<boolean> {
  const r = await ns.invoke(createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }), 5_000);
  return r.code === ResponseCode.SUCCESS && decodeTopicRouteData(r.body).queueDatas.length > 0;
}

try {
  const nsAddress = await processes.startNamesrv(dir);
  const store = join(dir, 'store');
  const broker = await processes.startBroker(nsAddress, store, brokerConfig);
  const client = new RemotingClient({ address: broker.address });
  const ns = new RemotingClient({ address: nsAddress });
  const started = performance.now();
  for (let i = 0; i < topics; i++) {
    const response = await client.invoke(
      createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
        topic: `Scale${i}`,
        defaultTopic: 'TBW102',
        readQueueNums: 4,
        writeQueueNums: 4,
        perm: 6,
        topicFilterType: 'SINGLE_TAG',
        order: false,
      }),
      30_000,
    );
    if (response.code !== ResponseCode.SUCCESS) throw new Error(`topic ${i}: ${response.remark}`);
  }
  const createMs = performance.now() - started;
  if (!(await routeHas(ns, `Scale${topics - 1}`))) throw new Error('the last topic has no route');
  await client.close();
  broker.child.kill('SIGTERM');
  await new Promise((resolve) => broker.child.once('exit', resolve));
  const restartedAt = performance.now();
  const again = await processes.startBroker(nsAddress, store, brokerConfig, profArgs);
  const listenMs = performance.now() - restartedAt;
  const check = new RemotingClient({ address: again.address });
  const info = await check.invoke(createRequest(RequestCode.GET_ALL_TOPIC_CONFIG, {}), 30_000);
  const restartMs = performance.now() - restartedAt;
  const kept = new Set(info.body?.toString('utf8').match(/"Scale\d+"/g) ?? []).size;
  await check.close();
  await ns.close();
  const m = machineInfo(dir);
  process.stdout.write(
    [
      `# topic scale, ${new Date().toISOString()}, ${machineLine(m)}`,
      `created ${topics} topics in ${(createMs / 1000).toFixed(1)} s (${(createMs / topics).toFixed(2)} ms each); target < ${TARGET_CREATE_MS / 1000} s: ratio ${(createMs / TARGET_CREATE_MS).toFixed(2)}`,
      `restart: listening after ${listenMs.toFixed(0)} ms, topics served after ${restartMs.toFixed(0)} ms (${kept} kept); target < ${TARGET_RESTART_MS} ms: ratio ${(restartMs / TARGET_RESTART_MS).toFixed(2)}`,
      '',
    ].join('\n'),
  );
  if (kept !== topics) throw new Error(`${kept} of ${topics} topics kept across the restart`);
} finally {
  await processes.stop();
  rmSync(dir, { recursive: true, force: true });
}
