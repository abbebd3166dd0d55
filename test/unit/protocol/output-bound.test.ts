// Goal: a client that sends requests but never reads the replies cannot make the server hold
// replies without bound: its connection stops being read once its unsent replies reach the
// per-connection bound, the unsent replies of all connections stay under the total bound, other
// clients go on being served, and every reply still arrives once the client reads again.
// Method: a real RemotingServer on 127.0.0.1 port 0 whose handler answers each request with a
// 512 KiB body (one shared buffer, so the test itself stays small); raw sockets write requests
// and pause reading. What the server handled is counted in the handler; the kernel's socket
// buffers take a few MiB per connection (tcp_wmem max 4 MiB here), so the handled-bytes bounds
// leave room for them, and are far below the 64 MiB that one connection could pile up before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RemotingClient } from '../../../protocol/remoting-client.js';
import {
  createRequest,
  createResponse,
  encodeCommand,
  type RemotingCommand,
} from '../../../protocol/remoting-command.js';
import { RemotingServer, type RemotingServerOptions } from '../../../protocol/remoting-server.js';
import { ResponseCode } from '../../../protocol/response-code.js';
import { waitFor } from '../../harness/wait-for.js';
import { type RawPeer, rawPeer } from './remoting-test-kit.js';

const BIG = 1000;
const ECHO = 1001;
const REPLY_BYTES = 512 * 1024;
const MIB = 1024 * 1024;

async function startServer(options: RemotingServerOptions) {
  const server = new RemotingServer({ maxFrameSizeBytes: 16 * MIB, ...options });
  const reply = Buffer.alloc(REPLY_BYTES, 0x62);
  const handledBy = new Map<number, number>();
  server.registerProcessor(BIG, (request, connection) => {
    handledBy.set(connection.id, (handledBy.get(connection.id) ?? 0) + 1);
    const response = createResponse(request, ResponseCode.SUCCESS);
    response.body = reply;
    return response;
  });
  server.registerProcessor(ECHO, (request) => createResponse(request, ResponseCode.SUCCESS));
  await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, handledBy };
}

/** A peer that writes `count` BIG requests and does not read what comes back. */
async function silentPeer(port: number, count: number): Promise<RawPeer> {
  const peer = await rawPeer(port);
  peer.socket.pause();
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i++) frames.push(encodeCommand({ ...createRequest(BIG), opaque: i }));
  peer.socket.write(Buffer.concat(frames));
  return peer;
}

function repliesOf(peer: RawPeer): RemotingCommand[] {
  return peer.received().filter((c) => c.code === ResponseCode.SUCCESS);
}

describe('unsent replies are bounded', () => {
  it('stops reading a connection whose replies pile up, at the per-connection bound', async () => {
    const { server, handledBy } = await startServer({});
    const requests = 200; // 100 MiB of replies if all were made
    const peer = await silentPeer(server.port, requests);
    try {
      const connection = await waitFor(
        () => server.connections().find((c) => c.inspect().isPaused),
        { timeoutMs: 20_000, what: 'the silent connection paused' },
      );
      const snapshot = connection.inspect();
      assert.ok(snapshot.readPauses >= 1);
      assert.ok(
        snapshot.outputBufferedBytes <= 4 * MIB + REPLY_BYTES,
        `unsent replies ${snapshot.outputBufferedBytes} exceed 4 MiB + one reply`,
      );
      const handledBytes = (handledBy.get(connection.id) ?? 0) * REPLY_BYTES;
      assert.ok(handledBytes < 24 * MIB, `made ${handledBytes / MIB} MiB of replies unread`);
      peer.socket.resume();
      await waitFor(() => repliesOf(peer).length === requests, {
        timeoutMs: 60_000,
        what: 'every reply once the client reads',
      });
      assert.equal(server.stats().outputBufferedBytes, 0);
    } finally {
      peer.socket.destroy();
      await server.close();
    }
  });

  it('keeps the unsent replies of all connections under the total bound; others are served', async () => {
    const totalBytes = 6 * MIB;
    const { server, handledBy } = await startServer({ maxOutputBufferedBytesTotal: totalBytes });
    const requests = 60; // 30 MiB of replies per peer if all were made
    const peers: RawPeer[] = [];
    const client = new RemotingClient({ address: `127.0.0.1:${server.port}` });
    try {
      for (let i = 0; i < 5; i++) peers.push(await silentPeer(server.port, requests));
      await waitFor(() => server.connections().filter((c) => c.inspect().isPaused).length === 5, {
        timeoutMs: 20_000,
        what: 'all five silent connections paused',
      });
      const unsent = server.stats().outputBufferedBytes;
      assert.ok(unsent <= totalBytes + 5 * REPLY_BYTES, `unsent replies ${unsent} over the bound`);
      const handled = [...handledBy.values()].reduce((a, b) => a + b, 0);
      assert.ok(handled < 5 * requests, 'the server stopped making replies nobody reads');
      const echo = await client.invoke(createRequest(ECHO), 5000);
      assert.equal(echo.code, ResponseCode.SUCCESS, 'a reading client is still served');
      for (const peer of peers) peer.socket.resume();
      await waitFor(() => peers.every((p) => repliesOf(p).length === requests), {
        timeoutMs: 60_000,
        what: 'every reply to every peer once they read',
      });
    } finally {
      for (const peer of peers) peer.socket.destroy();
      await client.close();
      await server.close();
    }
  });
});
