// A response's onWritten hook (how a broker gives a pooled read buffer back) runs only once the
// socket is done with the response: not while the reply waits unsent behind a peer that does not
// read, and for every reply once the peer reads again or the connection closes.
// Method: a real RemotingServer on 127.0.0.1 port 0 answers each request with a 512 KiB body and
// counts the hooks called; raw sockets write requests and pause reading.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createRequest,
  createResponse,
  encodeCommand,
} from '../../../protocol/remoting-command.js';
import { RemotingServer } from '../../../protocol/remoting-server.js';
import { ResponseCode } from '../../../protocol/response-code.js';
import { waitFor } from '../../harness/wait-for.js';
import { type RawPeer, rawPeer } from './remoting-test-kit.js';

const BIG = 1000;
const REPLY_BYTES = 512 * 1024;
const REQUESTS = 40;

async function startServer() {
  const server = new RemotingServer({ maxFrameSizeBytes: 16 * 1024 * 1024 });
  const reply = Buffer.alloc(REPLY_BYTES, 0x62);
  const counts = { handled: 0, written: 0 };
  server.registerProcessor(BIG, (request) => {
    counts.handled++;
    const response = createResponse(request, ResponseCode.SUCCESS);
    response.body = reply;
    response.onWritten = () => counts.written++;
    return response;
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, counts };
}

/** A peer that writes REQUESTS requests and does not read until the server has paused it. */
async function pausedPeer(server: RemotingServer): Promise<RawPeer> {
  const peer = await rawPeer(server.port);
  peer.socket.pause();
  const frames = Array.from({ length: REQUESTS }, (_, i) =>
    encodeCommand({ ...createRequest(BIG), opaque: i }),
  );
  peer.socket.write(Buffer.concat(frames));
  await waitFor(() => server.connections().find((c) => c.inspect().isPaused), {
    timeoutMs: 20_000,
    what: 'the connection paused behind its unsent replies',
  });
  return peer;
}

describe('a response is written before its onWritten hook runs', () => {
  it('holds the hook of an unsent reply until the peer reads it', async () => {
    const { server, counts } = await startServer();
    const peer = await pausedPeer(server);
    try {
      assert.ok(server.stats().outputBufferedBytes > 0, 'replies wait unsent');
      assert.ok(
        counts.written < counts.handled,
        `${counts.written} hooks for ${counts.handled} replies, some unsent`,
      );
      peer.socket.resume();
      await waitFor(() => peer.received().length === REQUESTS, {
        timeoutMs: 60_000,
        what: 'every reply once the peer reads',
      });
      await waitFor(() => counts.written === REQUESTS, {
        timeoutMs: 10_000,
        what: 'a hook per reply',
      });
    } finally {
      peer.socket.destroy();
      await server.close();
    }
  });

  it('runs the hook of every unsent reply when the connection closes', async () => {
    const { server, counts } = await startServer();
    const peer = await pausedPeer(server);
    try {
      peer.socket.destroy();
      await waitFor(() => server.connections().length === 0, {
        timeoutMs: 10_000,
        what: 'the server saw the close',
      });
      await waitFor(() => counts.written === counts.handled, {
        timeoutMs: 10_000,
        what: 'a hook per reply made',
      });
    } finally {
      await server.close();
    }
  });
});
