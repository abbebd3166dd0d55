// petrel cluster --controller: a NameServer hosting the RocketMQ 5 controller
// (enableControllerInNamesrv, one Raft member on controller-port) and a two-replica group broker-a
// (cluster tom-cluster) in controller mode, each replica a process started from a .properties file
// with RocketMQ 5's keys (enableControllerMode, controllerAddr, allAckInSyncStateSet). Replica i
// listens on broker-port + 10*i. Once the controller has elected a master, prints which process it
// is and how to kill it and watch the slave take over.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { say } from './cli-kit.js';
import { type ClusterProcess, cliScript, startClusterProcess } from './cluster-processes.js';
import { routedLeader } from './petrel-cluster-dledger.js';

export interface ControllerPlan {
  host: string;
  reachable: string;
  namesrvPort: number;
  brokerPort: number;
  controllerPort: number;
  dataDir: string;
  overrides: Record<string, string>;
}

const REPLICAS = 2;

function writeReplicaFile(plan: ControllerPlan, i: number, namesrvAddr: string): string {
  const port = plan.brokerPort === 0 ? 0 : plan.brokerPort + 10 * i;
  const wildcard = plan.host !== plan.reachable;
  const lines = [
    `# broker-a replica ${i + 1} in controller mode, written by petrel cluster --controller`,
    'brokerClusterName=tom-cluster',
    'brokerName=broker-a',
    'flushDiskType=ASYNC_FLUSH',
    `namesrvAddr=${namesrvAddr}`,
    ...(wildcard ? [] : [`brokerIP1=${plan.host}`]),
    `bindAddress=${plan.host}`,
    `listenPort=${port}`,
    ...(port === 0 ? ['haListenPort=0'] : []),
    `storePathRootDir=${join(plan.dataDir, `broker-a-${i + 1}`)}`,
    'slaveReadEnable=true',
    '# RocketMQ 5 controller mode: the controller in the NameServer elects the master',
    'enableControllerMode=true',
    `controllerAddr=${namesrvAddr}`,
    'allAckInSyncStateSet=true',
  ];
  const confDir = join(plan.dataDir, 'conf');
  mkdirSync(confDir, { recursive: true });
  const file = join(confDir, `broker-a-${i + 1}.properties`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Starts the NameServer (with the controller) and both replicas into `started`; returns their files. */
export async function startControllerGroup(
  plan: ControllerPlan,
  started: ClusterProcess[],
): Promise<string[]> {
  const namesrv = await startClusterProcess('namesrv+controller', cliScript('mqnamesrv'), [
    `--bindAddress=${plan.host}`,
    `--listenPort=${plan.namesrvPort}`,
    `--kvConfigPath=${join(plan.dataDir, 'namesrv', 'kvConfig.json')}`,
    '--enableControllerInNamesrv=true',
    `--controllerStorePath=${join(plan.dataDir, 'controller')}`,
    '--controllerDLegerGroup=petrel-controller',
    `--controllerDLegerPeers=n0-${plan.reachable}:${plan.controllerPort}`,
    '--controllerDLegerSelfId=n0',
  ]);
  started.push(namesrv);
  const namesrvAddr = `${plan.reachable}:${namesrv.address.split(':').pop()}`;
  const files = Array.from({ length: REPLICAS }, (_, i) => writeReplicaFile(plan, i, namesrvAddr));
  const overrides = Object.entries(plan.overrides).map(([key, value]) => `--${key}=${value}`);
  const replicas = await Promise.all(
    files.map((file, i) =>
      startClusterProcess(`replica ${i + 1}`, cliScript('mqbroker'), ['-c', file, ...overrides]),
    ),
  );
  started.push(...replicas);
  return files;
}

export async function printControllerGuide(
  plan: ControllerPlan,
  started: readonly ClusterProcess[],
  files: readonly string[],
): Promise<void> {
  const [namesrv, ...replicas] = started;
  if (namesrv === undefined) return;
  const ns = `${plan.reachable}:${namesrv.address.split(':').pop()}`;
  for (const p of started) say(`${p.name} listening ${p.address} (pid ${p.child.pid})`);
  say(
    `Petrel is running: NameServer ${ns} with the controller (Raft port ${plan.controllerPort}); cluster tom-cluster, broker-a of 2 replicas in controller mode; data and config files in ${plan.dataDir}`,
  );
  const masterAddr = await routedLeader(ns);
  const port = masterAddr?.split(':').pop();
  const master = replicas.find((r) => r.address.split(':').pop() === port);
  if (master === undefined) {
    say(`No master was routed in time; see: npx mqadmin getSyncStateSet -a ${ns} -b broker-a`);
    return;
  }
  const index = replicas.indexOf(master);
  say(`Master (brokerId 0): ${master.name} at ${master.address} (pid ${master.child.pid})`);
  say(
    `Try it: npx mqadmin sendMessage -n ${ns} -t TopicTest -p "hello" && npx mqadmin getSyncStateSet -a ${ns} -b broker-a`,
  );
  say(
    `Fail over: once getSyncStateSet shows both replicas in sync (a second or two after a write), kill -9 ${master.child.pid} kills the master; within a few seconds the controller elects the slave, which registers as brokerId 0 (watch: npx mqadmin clusterList -n ${ns}), and sends succeed again. Restart the old master to rejoin as a slave (cut to the last common epoch, then caught up): node ${cliScript('mqbroker')} -c ${files[index]}; epochs: npx mqadmin getBrokerEpoch -n ${ns} -b broker-a`,
  );
  say('Press Ctrl-C to stop.');
}
