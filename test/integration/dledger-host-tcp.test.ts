// Three shipped RaftHosts on 127.0.0.1 with file storage and the TCP transport: they elect a
// leader, commit proposals (answered COMMITTED only once applied), lose the leader (closed: its
// sockets and timers stop), elect a new leader that commits again, and every survivor's applied
// sequence holds each committed entry once, in the same order. Then the old leader restarts from
// its files and catches up.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseDLedgerPeers } from '../../common/dledger-peers.js';
import { createPrng } from '../../common/prng.js';
import { NodeFileIO } from '../../engine/io/node-file-io.js';
import { FileLogStore } from '../../ha/dledger/file-log-store.js';
import { timerScheduler } from '../../ha/dledger/host-types.js';
import { RaftHost } from '../../ha/dledger/raft-host.js';
import { TcpTransport, transportForPeers } from '../../ha/dledger/tcp-transport.js';
import { EntryType, Role } from '../../ha/raft/messages.js';
import { makeTmpDir } from '../harness/tmp-dir.js';
import { waitFor } from '../harness/wait-for.js';

const ids = ['n0', 'n1', 'n2'];
const tmp = makeTmpDir('petrel-dledger-host-');

interface Node {
  id: string;
  host: RaftHost;
  transport: TcpTransport;
  store: FileLogStore;
  applied: string[];
}

async function startNode(id: string, index: number, ports: Map<string, number>): Promise<Node> {
  const store = FileLogStore.open({ io: new NodeFileIO(), dir: join(tmp.path, id) });
  const applied: string[] = [];
  let host: RaftHost | null = null;
  const transport = new TcpTransport({
    group: 'broker-a',
    selfId: id,
    peerIds: ids,
    listenHost: '127.0.0.1',
    listenPort: ports.get(id) ?? 0,
    onMessage: (m) => host?.deliver(m),
  });
  const { port } = await transport.listen();
  ports.set(id, port);
  host = new RaftHost({
    id,
    peers: ids,
    storage: store,
    transport,
    scheduler: timerScheduler,
    prng: createPrng(1000 + index),
    tickMs: 20,
    apply: (entries) => {
      for (const e of entries) {
        if (e.type === EntryType.NORMAL) applied.push(new TextDecoder().decode(e.data));
      }
    },
  });
  return { id, host, transport, store, applied };
}

/** A node built as the broker will: transport from the dLegerPeers text, storage from files. */
async function restartFromConfig(id: string, ports: Map<string, number>): Promise<Node> {
  const store = FileLogStore.open({ io: new NodeFileIO(), dir: join(tmp.path, id) });
  const applied: string[] = [];
  let host: RaftHost | null = null;
  const { transport, peers } = transportForPeers(
    {
      dLegerGroup: 'broker-a',
      dLegerPeers: ids.map((peer) => `${peer}-127.0.0.1:${ports.get(peer)}`).join(';'),
      dLegerSelfId: id,
    },
    { onMessage: (m) => host?.deliver(m) },
  );
  await transport.listen();
  host = new RaftHost({
    id,
    peers: peers.map((p) => p.id),
    storage: store,
    transport,
    scheduler: timerScheduler,
    prng: createPrng(2000),
    tickMs: 20,
    raft: { appliedIndex: 0 },
    apply: (entries) => {
      for (const e of entries) {
        if (e.type === EntryType.NORMAL) applied.push(new TextDecoder().decode(e.data));
      }
    },
  });
  transport.connect(peers);
  host.start();
  return { id, host, transport, store, applied };
}

function connectAll(nodes: Node[], ports: Map<string, number>): void {
  const text = ids.map((id) => `${id}-127.0.0.1:${ports.get(id)}`).join(';');
  for (const node of nodes) {
    node.transport.connect(parseDLedgerPeers(text, node.id).peers);
    node.host.start();
  }
}

async function stopNode(node: Node): Promise<void> {
  node.host.close();
  await node.transport.close();
  node.store.close();
}

function leaderOf(nodes: Node[]): Node | undefined {
  return nodes.find((n) => n.host.role === Role.LEADER && !n.host.status().isClosed);
}

async function proposeAll(leader: Node, prefix: string, count: number): Promise<void> {
  const outcomes = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      leader.host.propose(new TextEncoder().encode(`${prefix}-${i}`)),
    ),
  );
  for (const outcome of outcomes) assert.equal(outcome.status, 'COMMITTED');
  const indexes = outcomes.map((o) => o.index);
  assert.deepEqual(
    indexes,
    [...indexes].sort((a, b) => a - b),
    'one leader numbers its proposals in order',
  );
}

describe('RaftHost over TCP with file storage', () => {
  const ports = new Map<string, number>();
  let nodes: Node[] = [];
  after(async () => {
    for (const node of nodes) await stopNode(node);
    tmp.remove();
  });

  it('elects, commits, survives the loss of its leader, and a restarted node catches up', async () => {
    nodes = await Promise.all(ids.map((id, i) => startNode(id, i, ports)));
    connectAll(nodes, ports);
    const first = await waitFor(() => leaderOf(nodes), { timeoutMs: 10_000, what: 'a leader' });
    await proposeAll(first, 'a', 50);
    await waitFor(() => nodes.every((n) => n.applied.length === 50), {
      timeoutMs: 10_000,
      what: 'every node applied the first 50',
    });

    await stopNode(first);
    const survivors = nodes.filter((n) => n !== first);
    const second = await waitFor(() => leaderOf(survivors), {
      timeoutMs: 10_000,
      what: 'a new leader among the survivors',
    });
    assert.ok(second.host.term > 0);
    assert.notEqual(second.id, first.id);
    const follower = survivors.find((n) => n !== second) as Node;
    await waitFor(() => follower.host.leaderId === second.id, {
      timeoutMs: 10_000,
      what: 'the follower knows the new leader',
    });
    const notLeader = await follower.host.propose(new Uint8Array([1]));
    assert.equal(notLeader?.status, 'NOT_LEADER');
    assert.equal(notLeader?.leaderId, second.id);
    await proposeAll(second, 'b', 50);
    await waitFor(() => survivors.every((n) => n.applied.length === 100), {
      timeoutMs: 10_000,
      what: 'both survivors applied 100',
    });
    assert.deepEqual(survivors[0]?.applied, survivors[1]?.applied);
    const expected = [
      ...Array.from({ length: 50 }, (_, i) => `a-${i}`),
      ...Array.from({ length: 50 }, (_, i) => `b-${i}`),
    ];
    assert.deepEqual([...(survivors[0]?.applied ?? [])].sort(), [...expected].sort());

    // The old leader restarts on its own port (configured as dLegerPeers) from its files.
    const restarted = await restartFromConfig(first.id, ports);
    nodes = [...survivors, restarted];
    assert.ok(restarted.store.recovery.hardState.term >= 1, 'term recovered from the file');
    await waitFor(() => restarted.applied.length === 100, {
      timeoutMs: 10_000,
      what: 'the restarted node applied everything',
    });
    assert.deepEqual(restarted.applied, survivors[0]?.applied);
  });
});
