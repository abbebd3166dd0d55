// A NameServer and brokers as real child processes (dist/cli/mqnamesrv.js, dist/cli/mqbroker.js)
// on port 0 in a temporary directory, for integration tests and the cluster benchmark. Each
// process prints `listening host:port`; the harness reads it. stop() kills everything (and
// removes the directory) even when a test failed.

import { join } from 'node:path';
import { type Child, spawnNode } from './spawn-process.js';
import { makeTmpDir } from './tmp-dir.js';

export interface BrokerSpec {
  brokerName: string;
  /** 0 for a master. */
  brokerId?: number;
  /** Extra broker config keys (RocketMQ names), e.g. { flushDiskType: 'SYNC_FLUSH' }. */
  config?: Record<string, string>;
}

export interface RunningBroker {
  spec: BrokerSpec;
  address: string;
  child: Child;
}

export interface RealCluster {
  namesrvAddr: string;
  namesrv: Child;
  brokers: RunningBroker[];
  dir: string;
  /** Starts one more broker. */
  startBroker(spec: BrokerSpec): Promise<RunningBroker>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;

function distPath(...parts: string[]): string {
  return join(process.cwd(), 'dist', ...parts);
}

function addressFrom(line: string): string {
  const hostPort = line.replace(/^.*listening\s+/, '').trim();
  return hostPort.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '127.0.0.1:');
}

export async function startRealCluster(
  brokers: BrokerSpec[],
  namesrvConfig: Record<string, string> = {},
): Promise<RealCluster> {
  const tmp = makeTmpDir('petrel-cluster-');
  const children: Child[] = [];
  const overrides = (config: Record<string, string>) =>
    Object.entries(config).map(([k, v]) => `--${k}=${v}`);
  const stop = async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    tmp.remove();
  };
  try {
    const namesrv = spawnNode(distPath('cli', 'mqnamesrv.js'), [
      '--listenPort=0',
      '--bindAddress=127.0.0.1',
      `--kvConfigPath=${join(tmp.path, 'namesrv', 'kvConfig.json')}`,
      ...overrides(namesrvConfig),
    ]);
    children.push(namesrv);
    const namesrvAddr = addressFrom(await namesrv.waitForLine(/^listening /, START_TIMEOUT_MS));
    const running: RunningBroker[] = [];
    const startBroker = async (spec: BrokerSpec): Promise<RunningBroker> => {
      const brokerId = spec.brokerId ?? 0;
      const dir = join(tmp.path, `${spec.brokerName}-${brokerId}`);
      const child = spawnNode(distPath('cli', 'mqbroker.js'), [
        '-n',
        namesrvAddr,
        '--listenPort=0',
        '--haListenPort=0',
        '--bindAddress=127.0.0.1',
        '--brokerIP1=127.0.0.1',
        `--brokerName=${spec.brokerName}`,
        `--brokerId=${brokerId}`,
        ...(brokerId === 0 ? [] : ['--brokerRole=SLAVE']),
        `--storePathRootDir=${dir}`,
        ...overrides(spec.config ?? {}),
      ]);
      children.push(child);
      const address = addressFrom(await child.waitForLine(/^listening /, START_TIMEOUT_MS));
      const broker = { spec, address, child };
      running.push(broker);
      return broker;
    };
    for (const spec of brokers) await startBroker(spec);
    return {
      namesrvAddr,
      namesrv,
      brokers: running,
      dir: tmp.path,
      startBroker,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
