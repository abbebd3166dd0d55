// A group of replicas (two unless asked) in RocketMQ 5 controller mode, in real processes on
// 127.0.0.1: one NameServer hosting the controller (enableControllerInNamesrv) and brokers started with
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
import { routedMasterIndex, waitRoutedMaster, waitSameCommitLogEnd } from './replica-group.js';
import type { Child } from './spawn-process.js';

export interface ControllerNode {
  address: string;
  child: Child;
}

/** Controller-side timing for tests: a broker is given up 1 s after its last heartbeat. */
export const CONTROLLER_HEARTBEAT_TIMEOUT_MS = 1000;

export class ControllerGroup {
  readonly namesrv: PetrelProcess;
  readonly admin: Admin;
  readonly nodes: Array<ControllerNode | undefined>;
  readonly dirs: string[];
  readonly #extra: string[];
  /** Where the brokers reach the controller (a TCP proxy in partition tests). */
  controllerAddrs: string[];

  private constructor(namesrv: PetrelProcess, extra: string[], replicas: number) {
    this.namesrv = namesrv;
    this.admin = new Admin({ namesrvAddr: namesrv.address, requestTimeoutMs: 2000 });
    this.nodes = Array.from({ length: replicas }, () => undefined);
    this.dirs = Array.from({ length: replicas }, (_, i) => tmpDir(`petrel-ctl-b${i + 1}-`));
    this.#extra = extra;
    this.controllerAddrs = Array.from({ length: replicas }, () => namesrv.address);
  }

  /** The NameServer with its controller; brokers are started by startNode. */
  static async start(extra: string[] = [], replicas = 2): Promise<ControllerGroup> {
    try {
      const raftPort = await freePort();
      const namesrv = await startNamesrv([
        '--enableControllerInNamesrv=true',
        `--controllerStorePath=${tmpDir('petrel-ctl-store-')}`,
        '--controllerDLegerGroup=petrel-controllers',
        `--controllerDLegerPeers=n0-127.0.0.1:${raftPort}`,
        '--controllerDLegerSelfId=n0',
      ]);
      const group = new ControllerGroup(namesrv, extra, replicas);
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

  /** Index of the running replica the NameServer routes as master, if any. */
  masterIndex(): Promise<number | undefined> {
    return routedMasterIndex(this.admin, this.nodes);
  }

  /** Waits until a running replica other than `not` is routed as master. */
  waitMaster(timeoutMs: number, not?: number): Promise<number> {
    return waitRoutedMaster(this.admin, this.nodes, {
      timeoutMs,
      not,
      what: 'a controller-mode master in the route',
    });
  }

  runtime(i: number): Promise<Record<string, string>> {
    return this.admin.brokerStatus(this.node(i).address);
  }

  /**
   * Waits until both running replicas' CommitLogs end at the same offset (with `acknowledged`, once
   * the master has also heard the slave acknowledge it, so consumers may read all of it); returns it.
   */
  waitSameEnd(timeoutMs: number, acknowledged = false): Promise<number> {
    return waitSameCommitLogEnd(this.admin, this.nodes, {
      timeoutMs,
      acknowledged,
      what: 'both replicas at the same, acknowledged CommitLog end',
    });
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
