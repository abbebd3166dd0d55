// The CONTROLLER setup of `petrel bench ha`: a NameServer hosting the RocketMQ 5 controller and a
// two-replica group in controller mode with allAckInSyncStateSet=true (SEND_OK once every
// SyncStateSet member holds the message). Resolves once the controller has elected a master and
// the SyncStateSet holds both replicas, so every measured put waits for the slave, as SYNC_MASTER's.

import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Admin } from '../../client/admin.js';
import type { BenchProcesses } from './bench-processes.js';

export interface ControllerMembers {
  namesrvAddr: string;
  master: { child: ChildProcess; address: string };
  slave: { child: ChildProcess; address: string };
}

export async function startControllerMembers(
  processes: BenchProcesses,
  dir: string,
  o: {
    brokerName: string;
    flush: string;
    raftPort: number;
    nodeArgs: (who: string) => string[];
    pollUntil: (what: string, check: () => Promise<boolean>) => Promise<void>;
  },
): Promise<ControllerMembers> {
  const namesrvAddr = await processes.startNamesrv(join(dir, 'controller'), [
    '--enableControllerInNamesrv=true',
    `--controllerStorePath=${join(dir, 'controller', 'raft')}`,
    '--controllerDLegerGroup=bench-controller',
    `--controllerDLegerPeers=n0-127.0.0.1:${o.raftPort}`,
    '--controllerDLegerSelfId=n0',
  ]);
  const members = await Promise.all(
    [1, 2].map((i) =>
      processes.startBroker(
        namesrvAddr,
        join(dir, 'controller', `replica-${i}`),
        [
          `--brokerName=${o.brokerName}`,
          `--flushDiskType=${o.flush}`,
          '--enableControllerMode=true',
          `--controllerAddr=${namesrvAddr}`,
          '--allAckInSyncStateSet=true',
        ],
        o.nodeArgs(`replica-${i}`),
      ),
    ),
  );
  const admin = new Admin({ namesrvAddr });
  await admin.start();
  try {
    let master: (typeof members)[number] | undefined;
    await o.pollUntil('a master elected by the controller', async () => {
      const info = await admin.clusterInfo().catch(() => null);
      const addr = info?.brokerAddrTable[o.brokerName]?.brokerAddrs['0'];
      master = members.find((m) => m.address === addr);
      return master !== undefined;
    });
    const elected = master as (typeof members)[number];
    await o.pollUntil('both replicas in the SyncStateSet', async () => {
      const status = await admin.brokerStatus(elected.address).catch(() => null);
      return status?.['controllerSyncStateSet']?.includes(',') === true;
    });
    const slave = members.find((m) => m !== elected) as (typeof members)[number];
    return { namesrvAddr, master: elected, slave };
  } finally {
    await admin.shutdown();
  }
}
