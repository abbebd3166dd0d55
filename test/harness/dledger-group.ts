// A DLedger group in real processes: one NameServer and three brokers on 127.0.0.1, each started
// as `mqbroker -c <file>` from a file with the seed article's DLedger keys (enableDLegerCommitLog,
// dLegerGroup, dLegerPeers, dLegerSelfId). DLedger ports must be fixed in dLegerPeers, so free
// ports are picked first (below the ephemeral range, see freePort). Each node keeps its store directory across
// restarts. The leader is read from the NameServer route (brokerId 0).

import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Admin } from '../../client/admin.js';
import {
  type PetrelProcess,
  startBroker,
  startNamesrv,
  stopAll,
  tmpDir,
} from './petrel-processes.js';
import {
  routedMasterIndex,
  routeOf,
  waitRoutedMaster,
  waitSameCommitLogEnd,
} from './replica-group.js';
import { waitForSlaveTopics } from './replica-wait.js';
import type { Child } from './spawn-process.js';
import { TcpProxy } from './tcp-proxy.js';

export const DLEDGER_IDS = ['n0', 'n1', 'n2'] as const;

export interface DledgerNode {
  address: string;
  child: Child;
}

/** A port free on 127.0.0.1 right now (bind to 0, close): for ports that must be fixed in a file. */
/** How many random ports freePort() tries before it gives up. */
const FREE_PORT_ATTEMPTS = 100;
/** Width of the port range below the ephemeral range that freePort() picks from. */
const FREE_PORT_SPAN = 12_000;
/** Ports this process handed out (not bound yet, perhaps): never handed out twice. Bounded. */
const handedOut = new Set<number>();

/** The first port the kernel hands to outgoing connections (ip_local_port_range). */
function ephemeralLow(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    return Number.isInteger(low) && low > 1024 + FREE_PORT_SPAN ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port that is free now, for a listener whose port must be written down before it starts (a
 * dLegerPeers entry). It lies below the ephemeral range: a port the kernel picked (bind to port 0)
 * could be handed to another test's outgoing connection before the broker binds it.
 */
export async function freePort(random: () => number = Math.random): Promise<number> {
  const high = ephemeralLow() - 1;
  for (let attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
    const port = high - Math.floor(random() * FREE_PORT_SPAN);
    if (handedOut.has(port) || !(await canListen(port))) continue;
    if (handedOut.size >= FREE_PORT_SPAN / 2) handedOut.clear();
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port below ${high + 1} after ${FREE_PORT_ATTEMPTS} tries`);
}

/** The seed article's DLedger broker file, on 127.0.0.1. */
export function dledgerProperties(selfId: string, peers: string, extra: string[] = []): string {
  return [
    'brokerClusterName=RaftCluster',
    'brokerName=broker-a',
    '# 启用Dledger功能',
    'enableDLegerCommitLog=true',
    'dLegerGroup=broker-a',
    `dLegerPeers=${peers}`,
    `dLegerSelfId=${selfId}`,
    ...extra,
    '',
  ].join('\n');
}

export class DledgerGroup {
  readonly namesrv: PetrelProcess;
  readonly namesrvAddr: string;
  readonly admin: Admin;
  readonly nodes: Array<DledgerNode | undefined> = [undefined, undefined, undefined];
  readonly dirs: string[];
  readonly #files: string[];
  /** With `proxied`: links[i][j] carries member i's Raft messages to member j. */
  readonly links: Array<Array<TcpProxy | undefined>> = [];

  private constructor(namesrv: PetrelProcess, peers: readonly string[], extra: string[]) {
    this.namesrv = namesrv;
    this.namesrvAddr = namesrv.address;
    this.admin = new Admin({ namesrvAddr: namesrv.address, requestTimeoutMs: 2000 });
    const conf = tmpDir('petrel-dledger-conf-');
    this.dirs = DLEDGER_IDS.map((id) => tmpDir(`petrel-dledger-${id}-`));
    this.#files = DLEDGER_IDS.map((id, i) => {
      const file = join(conf, `broker-a-${id}.properties`);
      writeFileSync(file, dledgerProperties(id, peers[i]!, extra));
      return file;
    });
  }

  /**
   * NameServer and three members; resolves once a leader is in the route. `extra` are broker
   * file lines, `namesrvArgs` more `--key=value` arguments of the NameServer. With `proxied`,
   * every member reaches every other through its own TCP proxy (its dLegerPeers name the proxies'
   * ports for the others, its own port for itself), so isolate() can partition one member away.
   */
  static async start(
    extra: string[] = [],
    options: { proxied?: boolean; namesrvArgs?: string[] } = {},
  ): Promise<DledgerGroup> {
    const links: TcpProxy[][] = [];
    try {
      const namesrv = await startNamesrv(options.namesrvArgs ?? []);
      const ports = [await freePort(), await freePort(), await freePort()];
      const portFor = (from: number, to: number) =>
        from === to || options.proxied !== true ? ports[to]! : links[from]![to]!.port;
      if (options.proxied === true) {
        for (let from = 0; from < 3; from++) {
          links[from] = [];
          for (let to = 0; to < 3; to++) {
            if (from === to) continue;
            const proxy = new TcpProxy({ host: '127.0.0.1', port: ports[to]! });
            await proxy.start();
            links[from]![to] = proxy;
          }
        }
      }
      const peers = DLEDGER_IDS.map((_, from) =>
        DLEDGER_IDS.map((id, to) => `${id}-127.0.0.1:${portFor(from, to)}`).join(';'),
      );
      const group = new DledgerGroup(namesrv, peers, extra);
      group.links.push(...links);
      await group.admin.start();
      await Promise.all(DLEDGER_IDS.map((_, i) => group.startNode(i)));
      await group.waitLeader(20_000);
      return group;
    } catch (error) {
      for (const proxy of links.flat()) await proxy?.close();
      await stopAll();
      throw error;
    }
  }

  /** Partitions member `i` away: its Raft links both ways drop everything, connections reset. */
  isolate(i: number): void {
    for (let j = 0; j < 3; j++) {
      for (const proxy of [this.links[i]?.[j], this.links[j]?.[i]]) {
        proxy?.blackhole();
        proxy?.cut();
      }
    }
  }

  /** Ends every partition: links forward again, from fresh connections. */
  healLinks(): void {
    for (const proxy of this.links.flat()) {
      proxy?.heal();
      proxy?.cut();
    }
  }

  /** Starts (or restarts, on its store) member `i`. */
  async startNode(i: number): Promise<DledgerNode> {
    const started = await startBroker([this.namesrvAddr], {
      configFile: this.#files[i]!,
      dir: this.dirs[i]!,
      extra: ['--heartBeatTimeIntervalMs=200', '--maxHeartBeatLeak=3'],
    });
    const node = { address: started.address, child: started.child };
    this.nodes[i] = node;
    return node;
  }

  node(i: number): DledgerNode {
    const node = this.nodes[i];
    if (node === undefined) throw new Error(`member ${DLEDGER_IDS[i]} is not running`);
    return node;
  }

  /** The broker-a addresses by brokerId, as the NameServer routes them. */
  route(): Promise<Record<string, string>> {
    return routeOf(this.admin);
  }

  /** Index of the running member the NameServer routes as master, if any. */
  leaderIndex(): Promise<number | undefined> {
    return routedMasterIndex(this.admin, this.nodes);
  }

  /** Waits until a running member other than `not` is routed as master. */
  waitLeader(timeoutMs: number, not?: number): Promise<number> {
    return waitRoutedMaster(this.admin, this.nodes, {
      timeoutMs,
      not,
      what: 'a DLedger leader in the route',
    });
  }

  /**
   * Creates `topic` on the leader and waits until every running follower has copied it (their
   * metadata sync), so any member may take over with it.
   */
  async createTopic(topic: string, queues: number, leader: number): Promise<void> {
    await this.admin.createTopic({
      topic,
      readQueueNums: queues,
      writeQueueNums: queues,
      brokerAddr: this.node(leader).address,
    });
    for (let i = 0; i < this.nodes.length; i++) {
      const node = this.nodes[i];
      if (i !== leader && node !== undefined) await waitForSlaveTopics(node.address, [topic]);
    }
  }

  runtime(i: number): Promise<Record<string, string>> {
    return this.admin.brokerStatus(this.node(i).address);
  }

  /** Waits until every running member's CommitLog ends at the same offset; returns it. */
  waitSameEnd(timeoutMs: number): Promise<number> {
    return waitSameCommitLogEnd(this.admin, this.nodes, {
      timeoutMs,
      what: 'every member at the same CommitLog end',
    });
  }

  async kill(i: number, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const node = this.node(i);
    node.child.kill(signal);
    await node.child.exited;
    this.nodes[i] = undefined;
  }

  async stop(): Promise<void> {
    await this.admin.shutdown();
    await stopAll();
    for (const proxy of this.links.flat()) await proxy?.close();
  }
}
