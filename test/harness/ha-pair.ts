// A Master/Slave broker group for fault tests: a NameServer, a master and a slave as real
// processes, each broker started as `mqbroker -c <file>` from the seed article's .properties
// lines (comments included), so every scenario also proves that those lines load. The harness
// adds only ports, paths, the store sizes of test brokers and timings, as --key=value.
//
// The slave's haMasterAddress is a TcpProxy in front of the master's HA port: the HA link can be
// blackholed or stalled, and a restarted master (on a new port) is reached through the same
// address. Figures come from GET_BROKER_RUNTIME_INFO (commitLogMaxOffset, and on the master
// haConnectionCount / push2SlaveMaxOffset / slaveFallBehindMuch / haListenPort).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '../../client/admin.js';
import { startBroker, startNamesrv, stopAll, tmpDir } from './petrel-processes.js';
import type { Child } from './spawn-process.js';
import { TcpProxy } from './tcp-proxy.js';
import { waitFor } from './wait-for.js';

export type MasterRole = 'SYNC_MASTER' | 'ASYNC_MASTER';

const roleComment: Record<MasterRole, string> = {
  SYNC_MASTER: '同步复制,保证数据不丢失',
  ASYNC_MASTER: '异步复制,性能高,可能丢数据',
};

/** The seed article's master lines; its recommended role is SYNC_MASTER with ASYNC_FLUSH. */
export function seedMasterProperties(role: MasterRole): string {
  return [
    '# Master配置',
    'brokerClusterName=tom-cluster # 集群名称必须相同',
    'brokerName=broker-a',
    'brokerId=0 # 0代表Master',
    '# 高性能与高可靠性的平衡',
    `brokerRole=${role} # ${roleComment[role]}`,
    'flushDiskType=ASYNC_FLUSH # 异步刷盘,保证写入性能',
    '',
  ].join('\n');
}

/** The seed article's slave lines, plus the role a slave needs (RocketMQ's default is a master). */
export function seedSlaveProperties(): string {
  return [
    '# Slave配置',
    'brokerClusterName=tom-cluster # 集群名称必须相同',
    'brokerName=broker-a',
    'brokerId=1 # 1代表Slave',
    'brokerRole=SLAVE',
    'flushDiskType=ASYNC_FLUSH # 异步刷盘,保证写入性能',
    '',
  ].join('\n');
}

export type NodeName = 'master' | 'slave';

export interface HaNode {
  /** "127.0.0.1:<port>"; a restart gets a new one. */
  address: string;
  child: Child;
  dir: string;
  file: string;
}

export interface HaPairOptions {
  masterRole: MasterRole;
  /** Timings for both brokers, as config keys (e.g. { slaveTimeout: '1000' }). */
  timings?: Record<string, string>;
}

/** Test timings: fast metadata sync and HA heartbeats. */
export const fastHaTimings: Record<string, string> = {
  slaveSynchronizeInterval: '300',
  haSendHeartbeatInterval: '200',
};

export class HaPair {
  readonly namesrvAddr: string;
  readonly admin: Admin;
  /** The slave's haMasterAddress: forwards to the master's HA port. */
  readonly haLink: TcpProxy;
  readonly nodes: Record<NodeName, HaNode | undefined> = { master: undefined, slave: undefined };
  readonly #options: HaPairOptions;
  readonly #files: Record<NodeName, string>;
  readonly #dirs: Record<NodeName, string>;

  private constructor(namesrvAddr: string, haLink: TcpProxy, options: HaPairOptions) {
    this.namesrvAddr = namesrvAddr;
    this.haLink = haLink;
    this.#options = options;
    this.admin = new Admin({ namesrvAddr, requestTimeoutMs: 2000 });
    const conf = tmpDir('petrel-ha-conf-');
    this.#files = {
      master: join(conf, 'broker-a.properties'),
      slave: join(conf, 'broker-a-s.properties'),
    };
    writeFileSync(this.#files.master, seedMasterProperties(options.masterRole));
    writeFileSync(this.#files.slave, seedSlaveProperties());
    this.#dirs = { master: tmpDir('petrel-ha-master-'), slave: tmpDir('petrel-ha-slave-') };
  }

  /** NameServer, master, slave; resolves once the slave replicates. */
  static async start(options: HaPairOptions): Promise<HaPair> {
    try {
      const namesrv = await startNamesrv();
      const haLink = new TcpProxy({ host: '127.0.0.1', port: 1 });
      await haLink.start();
      const pair = new HaPair(namesrv.address, haLink, options);
      await pair.admin.start();
      await pair.startNode('master');
      await pair.startNode('slave');
      await pair.waitSlaveConnected(15_000);
      return pair;
    } catch (error) {
      await stopAll();
      throw error;
    }
  }

  node(name: NodeName): HaNode {
    const node = this.nodes[name];
    if (node === undefined) throw new Error(`the ${name} is not running`);
    return node;
  }

  /** Starts (or restarts, on its existing store) one broker. */
  async startNode(name: NodeName): Promise<HaNode> {
    const timings = { ...fastHaTimings, ...this.#options.timings };
    const extra = [
      '--haListenPort=0',
      ...(name === 'slave' ? [`--haMasterAddress=${this.haLink.address}`] : []),
      ...Object.entries(timings).map(([k, v]) => `--${k}=${v}`),
    ];
    const started = await startBroker([this.namesrvAddr], {
      configFile: this.#files[name],
      dir: this.#dirs[name],
      extra,
    });
    const node = {
      address: started.address,
      child: started.child,
      dir: started.dir,
      file: this.#files[name],
    };
    this.nodes[name] = node;
    if (name === 'master') {
      const haPort = Number((await this.runtime('master'))['haListenPort']);
      this.haLink.setTarget({ host: '127.0.0.1', port: haPort });
    }
    return node;
  }

  /** SIGKILL, and waits until the process is gone. */
  async kill(name: NodeName): Promise<void> {
    const node = this.node(name);
    node.child.kill('SIGKILL');
    await node.child.exited;
    this.nodes[name] = undefined;
  }

  /** SIGTERM (a clean stop: puts in flight finish, the store is closed). */
  async stopNode(name: NodeName): Promise<void> {
    const node = this.node(name);
    node.child.kill('SIGTERM');
    await node.child.exited;
    this.nodes[name] = undefined;
  }

  dir(name: NodeName): string {
    return this.#dirs[name];
  }

  runtime(name: NodeName): Promise<Record<string, string>> {
    return this.admin.brokerStatus(this.node(name).address);
  }

  async waitSlaveConnected(timeoutMs: number): Promise<void> {
    await waitFor(async () => (await this.runtime('master'))['haConnectionCount'] === '1', {
      timeoutMs,
      what: 'the slave to replicate from the master',
    });
  }

  /** Waits until the slave's CommitLog ends where the master's does; returns that offset. */
  async waitCaughtUp(timeoutMs: number): Promise<number> {
    const caughtUp = await waitFor(
      async () => {
        const master = Number((await this.runtime('master'))['commitLogMaxOffset']);
        const slave = Number((await this.runtime('slave'))['commitLogMaxOffset']);
        return master === slave ? { offset: master } : undefined;
      },
      { timeoutMs, intervalMs: 50, what: 'the slave to catch up with the master' },
    );
    return caughtUp.offset;
  }

  /** Creates `topic` on the master and waits until both brokers are routed for it. */
  async createTopic(topic: string, queues: number): Promise<void> {
    await this.admin.createTopic({
      topic,
      readQueueNums: queues,
      writeQueueNums: queues,
      brokerAddr: this.node('master').address,
    });
    await this.waitRoute(topic, ['0', '1'], 15_000);
  }

  /** Waits until the NameServers route `topic` to the given broker ids of broker-a. */
  async waitRoute(topic: string, brokerIds: string[], timeoutMs: number): Promise<void> {
    await waitFor(
      async () => {
        const route = await this.admin.topicRoute(topic);
        const ids = Object.keys(route.brokerDatas[0]?.brokerAddrs ?? {}).sort();
        return ids.join(',') === [...brokerIds].sort().join(',');
      },
      { timeoutMs, intervalMs: 50, what: `the route of ${topic} to list brokers ${brokerIds}` },
    );
  }

  async stop(): Promise<void> {
    await this.admin.shutdown();
    await this.haLink.close();
    await stopAll();
  }
}
