// A NameServer and broker groups (masters and slaves) as real processes for the client's
// integration tests, on top of petrel-processes.ts (port 0, temp dirs, small segments). stop()
// kills every process this file's harness started and removes their directories.

import { startBroker, startNamesrv, stopAll } from './petrel-processes.js';
import type { Child } from './spawn-process.js';

export interface BrokerSpec {
  brokerName: string;
  /** 0 (default) for a master; above 0 starts a SLAVE. */
  brokerId?: number;
  /** Extra broker config keys (RocketMQ names), e.g. { flushDiskType: 'SYNC_FLUSH' }. */
  config?: Record<string, string>;
}

export interface RunningBroker {
  spec: BrokerSpec;
  address: string;
  child: Child;
  /** Its store directory (a restart reuses it). */
  dir: string;
}

export interface RealCluster {
  namesrvAddr: string;
  brokers: RunningBroker[];
  /** Starts one more broker; with `dir`, on an existing store (a restart). */
  startBroker(spec: BrokerSpec, dir?: string): Promise<RunningBroker>;
  stop(): Promise<void>;
}

export async function startRealCluster(brokers: BrokerSpec[]): Promise<RealCluster> {
  try {
    const namesrv = await startNamesrv();
    const running: RunningBroker[] = [];
    const start = async (spec: BrokerSpec, dir?: string): Promise<RunningBroker> => {
      const brokerId = spec.brokerId ?? 0;
      const extra = [
        '--haListenPort=0',
        `--brokerId=${brokerId}`,
        ...(brokerId === 0 ? [] : ['--brokerRole=SLAVE']),
        ...Object.entries(spec.config ?? {}).map(([k, v]) => `--${k}=${v}`),
      ];
      const broker = await startBroker([namesrv.address], {
        name: spec.brokerName,
        extra,
        ...(dir === undefined ? {} : { dir }),
      });
      const entry = { spec, address: broker.address, child: broker.child, dir: broker.dir };
      running.push(entry);
      return entry;
    };
    for (const spec of brokers) await start(spec);
    return { namesrvAddr: namesrv.address, brokers: running, startBroker: start, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
