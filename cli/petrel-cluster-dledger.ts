// petrel cluster --dledger: a NameServer and a three-member DLedger group broker-a (cluster
// RaftCluster) on one machine, each member a process started from a .properties file with the
// seed article's keys (enableDLegerCommitLog, dLegerGroup, dLegerPeers, dLegerSelfId). Member i
// listens on broker-port + 10*i and speaks Raft on dledger-port + i. Once the group has elected
// its leader, prints which process it is and how to kill it and watch the failover.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '../client/admin.js';
import { say } from './cli-kit.js';
import {
  type ClusterProcess,
  cliScript,
  consoleLine,
  startClusterNamesrv,
  startClusterProcess,
} from './cluster-processes.js';

export interface DledgerPlan {
  host: string;
  reachable: string;
  namesrvPort: number;
  consolePort: number;
  brokerPort: number;
  dledgerPort: number;
  dataDir: string;
  overrides: Record<string, string>;
}

const IDS = ['n0', 'n1', 'n2'] as const;
const LEADER_WAIT_MS = 15_000;

function writeMemberFile(plan: DledgerPlan, i: number, namesrvAddr: string, peers: string): string {
  const port = plan.brokerPort === 0 ? 0 : plan.brokerPort + 10 * i;
  const wildcard = plan.host !== plan.reachable;
  const lines = [
    `# broker-a DLedger member ${IDS[i]}, written by petrel cluster --dledger`,
    'brokerClusterName=RaftCluster',
    'brokerName=broker-a',
    'flushDiskType=ASYNC_FLUSH',
    `namesrvAddr=${namesrvAddr}`,
    ...(wildcard ? [] : [`brokerIP1=${plan.host}`]),
    `bindAddress=${plan.host}`,
    `listenPort=${port}`,
    `storePathRootDir=${join(plan.dataDir, `broker-a-${IDS[i]}`)}`,
    'slaveReadEnable=true',
    '# 启用Dledger功能',
    'enableDLegerCommitLog=true',
    'dLegerGroup=broker-a',
    `dLegerPeers=${peers}`,
    `dLegerSelfId=${IDS[i]}`,
    // Heartbeats every 200 ms, an election after 0.6-1.2 s of silence.
    'heartBeatTimeIntervalMs=200',
    'maxHeartBeatLeak=3',
  ];
  const confDir = join(plan.dataDir, 'conf');
  mkdirSync(confDir, { recursive: true });
  const file = join(confDir, `broker-a-${IDS[i]}.properties`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Starts the NameServer and the three members into `started`; returns the members' files. */
export async function startDledgerGroup(
  plan: DledgerPlan,
  started: ClusterProcess[],
): Promise<string[]> {
  const namesrv = await startClusterNamesrv(plan);
  started.push(namesrv);
  const namesrvAddr = `${plan.reachable}:${namesrv.address.split(':').pop()}`;
  const peers = IDS.map((id, i) => `${id}-${plan.reachable}:${plan.dledgerPort + i}`).join(';');
  const files = IDS.map((_, i) => writeMemberFile(plan, i, namesrvAddr, peers));
  const overrides = Object.entries(plan.overrides).map(([key, value]) => `--${key}=${value}`);
  const members = await Promise.all(
    IDS.map((id, i) =>
      startClusterProcess(`member ${id}`, cliScript('mqbroker'), ['-c', files[i]!, ...overrides]),
    ),
  );
  started.push(...members);
  return files;
}

/** The address the NameServer routes as broker-a's master, once the group has a leader. */
export async function routedLeader(namesrvAddr: string): Promise<string | undefined> {
  const admin = new Admin({ namesrvAddr, requestTimeoutMs: 2000 });
  await admin.start();
  try {
    const deadline = Date.now() + LEADER_WAIT_MS;
    while (Date.now() < deadline) {
      const info = await admin.clusterInfo().catch(() => undefined);
      const leader = info?.brokerAddrTable['broker-a']?.brokerAddrs['0'];
      if (leader !== undefined) return leader;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return undefined;
  } finally {
    await admin.shutdown();
  }
}

export async function printDledgerGuide(
  plan: DledgerPlan,
  started: readonly ClusterProcess[],
  files: readonly string[],
): Promise<void> {
  const [namesrv, ...members] = started;
  if (namesrv === undefined) return;
  const ns = `${plan.reachable}:${namesrv.address.split(':').pop()}`;
  for (const p of started) say(`${p.name} listening ${p.address} (pid ${p.child.pid})`);
  say(
    `Petrel is running: NameServer ${ns}; cluster RaftCluster, DLedger group broker-a of 3 members (Raft ports ${plan.dledgerPort}-${plan.dledgerPort + 2}); data and config files in ${plan.dataDir}`,
  );
  say(consoleLine(namesrv.consoleUrl, plan.dataDir));
  const leaderAddr = await routedLeader(ns);
  const port = leaderAddr?.split(':').pop();
  const leader = members.find((m) => m.address.split(':').pop() === port);
  if (leader === undefined) {
    say(`No leader was routed within ${LEADER_WAIT_MS} ms; see: npx mqadmin clusterList -n ${ns}`);
    return;
  }
  const index = members.indexOf(leader);
  say(`Leader (master, brokerId 0): ${leader.name} at ${leader.address} (pid ${leader.child.pid})`);
  say(
    `Try it: npx mqadmin sendMessage -n ${ns} -t TopicTest -p "hello" && npx mqadmin consumeMessage -n ${ns} -t TopicTest`,
  );
  say(
    `Fail over: kill -9 ${leader.child.pid} kills the leader; within about a second another member is elected and routed as brokerId 0 (watch: npx mqadmin clusterList -n ${ns}), and sends succeed again. Restart the old leader to rejoin as a follower: node ${cliScript('mqbroker')} -c ${files[index]}`,
  );
  say('Press Ctrl-C to stop.');
}
