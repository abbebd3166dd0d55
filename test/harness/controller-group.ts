// A two-replica group in RocketMQ 5 controller mode, in real processes on 127.0.0.1: one
// NameServer hosting the controller (enableControllerInNamesrv) and two brokers started with
// enableControllerMode + controllerAddr. Each broker keeps its store directory across restarts
// (its controller id lives there). The master is read from the NameServer route (brokerId 0).

import { Admin } from '../../client/admin.js';
import { freePort } from './dledger-group.js';
import {
  type PetrelProcess,
  startBroker,
  startNamesrv,
  stopAll,
  tmpDir,
} from './petrel-processes.js';
import type { Child } from './spawn-process.js';
import { waitFor } from './wait-for.js';

export interface ControllerNode {
  address: string;
  child: Child;
}

/** Controller-side timing for tests: a broker is given up 1 s after its last heartbeat. */
export const CONTROLLER_HEARTBEAT_TIMEOUT_MS = 1000;

export class ControllerGroup {
  readonly namesrv: PetrelProcess;
  readonly admin: Admin;
  readonly nodes: Array<ControllerNode | undefined> = [undefined, undefined];
  readonly dirs: string[];
  readonly #extra: string[];
  /** Where the brokers reach the controller (a TCP proxy in partition tests). */
  controllerAddrs: string[];

  private constructor(namesrv: PetrelProcess, extra: string[]) {
    this.namesrv = namesrv;
    this.admin = new Admin({ namesrvAddr: namesrv.address, requestTimeoutMs: 2000 });
    this.dirs = [tmpDir('petrel-ctl-b1-'), tmpDir('petrel-ctl-b2-')];
    this.#extra = extra;
    this.controllerAddrs = [namesrv.address, namesrv.address];
  }

  /** The NameServer with its controller; brokers are started by startNode. */
  static async start(extra: string[] = []): Promise<ControllerGroup> {
    try {
      const raftPort = await freePort();
      const namesrv = await startNamesrv([
        '--enableControllerInNamesrv=true',
        `--controllerStorePath=${tmpDir('petrel-ctl-store-')}`,
        '--controllerDLegerGroup=petrel-controllers',
        `--controllerDLegerPeers=n0-127.0.0.1:${raftPort}`,
        '--controllerDLegerSelfId=n0',
      ]);
      const group = new ControllerGroup(namesrv, extra);
      await group.admin.start();
      return group;
    } catch (error) {
      await stopAll();
      throw error;
    }
  }

  get namesrvAddr(): string {
    return this.namesrv.address;
  }

  /** Starts (or restarts, on its store) replica `i`. */
  async startNode(i: number, extra: string[] = []): Promise<ControllerNode> {
    const started = await startBroker([this.namesrvAddr], {
      name: 'broker-a',
      dir: this.dirs[i]!,
      extra: [
        '--enableControllerMode=true',
        `--controllerAddr=${this.controllerAddrs[i]}`,
        `--controllerHeartBeatTimeoutMills=${CONTROLLER_HEARTBEAT_TIMEOUT_MS}`,
        '--brokerHeartbeatInterval=200',
        '--haListenPort=0',
        ...this.#extra,
        ...extra,
      ],
    });
    const node = { address: started.address, child: started.child };
    this.nodes[i] = node;
    return node;
  }

  node(i: number): ControllerNode {
    const node = this.nodes[i];
    if (node === undefined) throw new Error(`replica ${i} is not running`);
    return node;
  }

  async route(): Promise<Record<string, string>> {
    const info = await this.admin.clusterInfo();
    return info.brokerAddrTable['broker-a']?.brokerAddrs ?? {};
  }

  /** Index of the running replica the NameServer routes as master, if any. */
  async masterIndex(): Promise<number | undefined> {
    const master = (await this.route())['0'];
    const i = this.nodes.findIndex((n) => n !== undefined && n.address === master);
    return i === -1 ? undefined : i;
  }

  /** Waits until a running replica other than `not` is routed as master. */
  async waitMaster(timeoutMs: number, not?: number): Promise<number> {
    const found = await waitFor(
      async () => {
        const i = await this.masterIndex();
        return i !== undefined && i !== not ? { i } : undefined;
      },
      { timeoutMs, intervalMs: 20, what: 'a controller-mode master in the route' },
    );
    return found.i;
  }

  runtime(i: number): Promise<Record<string, string>> {
    return this.admin.brokerStatus(this.node(i).address);
  }

  /**
   * Waits until both running replicas' CommitLogs end at the same offset (with `acknowledged`, once
   * the master has also heard the slave acknowledge it, so consumers may read all of it); returns it.
   */
  async waitSameEnd(timeoutMs: number, acknowledged = false): Promise<number> {
    const found = await waitFor(
      async () => {
        const ends = new Set<string>();
        let acked = !acknowledged;
        for (let i = 0; i < this.nodes.length; i++) {
          if (this.nodes[i] === undefined) continue;
          const runtime = await this.runtime(i);
          ends.add(runtime['commitLogMaxOffset']!);
          acked ||= runtime['push2SlaveMaxOffset'] === runtime['commitLogMaxOffset'];
        }
        return ends.size === 1 && acked ? { end: Number([...ends][0]) } : undefined;
      },
      { timeoutMs, intervalMs: 50, what: 'both replicas at the same, acknowledged CommitLog end' },
    );
    return found.end;
  }

  async kill(i: number): Promise<void> {
    const node = this.node(i);
    node.child.kill('SIGKILL');
    await node.child.exited;
    this.nodes[i] = undefined;
  }

  async stop(): Promise<void> {
    await this.admin.shutdown();
    await stopAll();
  }
}
