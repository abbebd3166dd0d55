// Goal: a broker opens no listener wider than its remoting port, and the limits that protect a
// broker from a misbehaving client are read from its config and
// enforced by the running process, not only by the RemotingServer class (whose unit tests cover
// each limit in detail). Method: a real mqbroker on 127.0.0.1 with small values of
// maxFrameSizeBytes, maxConnectionsPerAddress and serverChannelMaxIdleTimeSeconds, and raw TCP
// peers that break each one. maxInFlightRequestsPerConnection pauses reading rather than
// closing, which only the server's counters show: remoting-server.test.ts B13 covers it.
// Bind addresses: a broker with bindAddress=127.0.0.2 and no haListenHost must accept HA
// connections on 127.0.0.2 only; a connection to 127.0.0.1 on the same port is refused (it was
// accepted when the HA server bound 0.0.0.0).

import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRequest, encodeCommand, RequestCode } from '../../protocol/index.js';
import { type PetrelProcess, startBroker, stopAll } from '../harness/petrel-processes.js';
import { waitFor } from '../harness/wait-for.js';

let broker: PetrelProcess;
const sockets: Socket[] = [];

function open(): Promise<{ socket: Socket; closed: () => boolean; data: () => number }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: broker.port });
    sockets.push(socket);
    let isClosed = false;
    let bytes = 0;
    socket.on('close', () => {
      isClosed = true;
    });
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, closed: () => isClosed, data: () => bytes }));
    socket.once('error', reject);
  });
}

before(async () => {
  broker = await startBroker([], {
    extra: [
      '--maxMessageSize=16384',
      '--maxFrameSizeBytes=65536',
      '--maxConnectionsPerAddress=3',
      '--serverChannelMaxIdleTimeSeconds=1',
    ],
  });
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await stopAll();
});

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('bind addresses of a running broker', { timeout: 60_000 }, () => {
  it('binds the HA port to bindAddress unless haListenHost is set', async () => {
    const haPort = await freePort('127.0.0.2');
    await startBroker([], {
      name: 'broker-bind',
      extra: ['--bindAddress=127.0.0.2', '--brokerIP1=127.0.0.2', `--haListenPort=${haPort}`],
    });
    assert.equal(await connects('127.0.0.2', haPort), true, 'HA port open on bindAddress');
    assert.equal(await connects('127.0.0.1', haPort), false, 'and on no other address');
  });
});

describe('client-protection limits of a running broker', { timeout: 60_000 }, () => {
  it('closes a connection that announces a frame above maxFrameSizeBytes', async () => {
    const peer = await open();
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32BE(70_000, 0);
    prefix.writeUInt32BE(20, 4);
    peer.socket.write(prefix);
    await waitFor(peer.closed, { timeoutMs: 5000, what: 'oversized frame closes the connection' });
    const ok = await open();
    ok.socket.write(encodeCommand(createRequest(RequestCode.GET_BROKER_RUNTIME_INFO)));
    await waitFor(() => ok.data() > 0, { timeoutMs: 5000, what: 'a normal request is answered' });
    ok.socket.destroy();
  });

  it('closes idle connections after serverChannelMaxIdleTimeSeconds', async () => {
    const idle = await open();
    await waitFor(idle.closed, { timeoutMs: 10_000, what: 'the idle connection is closed' });
  });

  it('refuses connections beyond maxConnectionsPerAddress', async () => {
    await waitFor(() => sockets.every((s) => s.destroyed || s.closed), { timeoutMs: 10_000 });
    const peers = [await open(), await open(), await open()];
    const fourth = await open();
    await waitFor(fourth.closed, { timeoutMs: 5000, what: 'the fourth connection is refused' });
    assert.ok(
      peers.every((p) => !p.closed()),
      'the first three stay open',
    );
  });
});
