// Goal: the client keeps its promises: every invoke settles exactly once with a response or an
// error code that says whether the request may have been processed. Method: a real
// RemotingServer on 127.0.0.1 port 0 whose handlers can be held open, and a client with small
// bounds; the server drops connections and goes away under it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, MqError } from '../../../common/errors.js';
import { parseAddress, RemotingClient } from '../../../protocol/remoting-client.js';
import { createRequest, createResponse } from '../../../protocol/remoting-command.js';
import { RemotingServer } from '../../../protocol/remoting-server.js';
import { ResponseCode } from '../../../protocol/response-code.js';
import { waitFor } from '../../harness/wait-for.js';
import { Gate } from './remoting-test-kit.js';

const ECHO = 1000;
const HOLD = 1001;

function hasCode(code: string) {
  return (error: unknown) => error instanceof MqError && error.code === code;
}

describe('RemotingClient', () => {
  let server: RemotingServer;
  let address: string;
  let gate = new Gate();
  let held = 0;

  before(async () => {
    server = new RemotingServer();
    server.registerProcessor(ECHO, (request) =>
      createResponse(request, ResponseCode.SUCCESS, request.extFields['text'] ?? null),
    );
    server.registerProcessor(HOLD, async (request) => {
      held++;
      await gate.opened;
      return createResponse(request, ResponseCode.SUCCESS);
    });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    address = `127.0.0.1:${port}`;
  });

  after(async () => {
    gate.open();
    await server.close();
  });

  it('parses host:port addresses', () => {
    assert.deepEqual(parseAddress('10.0.0.1:10911'), { host: '10.0.0.1', port: 10911 });
    assert.deepEqual(parseAddress('[::1]:9876'), { host: '::1', port: 9876 });
    for (const bad of ['nohost', ':1', 'h:', 'h:99999', 'h:1x'])
      assert.throws(() => parseAddress(bad), RangeError);
  });

  it('connects lazily and matches responses by opaque, out of order', async () => {
    const client = new RemotingClient({ address });
    assert.equal(client.isConnected, false);
    gate = new Gate();
    const slow = client.invoke(createRequest(HOLD), 3000);
    const fast = await client.invoke(createRequest(ECHO, { text: 'fast' }), 3000);
    assert.equal(fast.remark, 'fast');
    assert.equal(client.isConnected, true);
    gate.open();
    assert.equal((await slow).code, ResponseCode.SUCCESS);
    await client.close();
  });

  it('times out with E_REQUEST_TIMEOUT and keeps the connection for other requests', async () => {
    const client = new RemotingClient({ address });
    gate = new Gate();
    const started = performance.now();
    await assert.rejects(
      client.invoke(createRequest(HOLD), 150),
      hasCode(ErrorCode.REQUEST_TIMEOUT),
    );
    assert.ok(performance.now() - started >= 140);
    assert.equal((await client.invoke(createRequest(ECHO), 2000)).code, ResponseCode.SUCCESS);
    gate.open();
    await waitFor(() => client.inspect()?.unmatchedResponses === 1, {
      timeoutMs: 2000,
      what: 'late response counted',
    });
    await client.close();
  });

  it('refuses requests beyond maxPendingRequests with E_TOO_MANY_PENDING_REQUESTS', async () => {
    const client = new RemotingClient({ address, maxPendingRequests: 3 });
    gate = new Gate();
    await client.invoke(createRequest(ECHO), 2000);
    const pending = [1, 2, 3].map(() => client.invoke(createRequest(HOLD), 5000));
    await assert.rejects(
      client.invoke(createRequest(ECHO), 2000),
      hasCode(ErrorCode.TOO_MANY_PENDING_REQUESTS),
    );
    gate.open();
    assert.equal((await Promise.all(pending)).length, 3);
    assert.equal((await client.invoke(createRequest(ECHO), 2000)).code, ResponseCode.SUCCESS);
    await client.close();
  });

  it('fails every pending request with E_CONNECTION_CLOSED when the connection drops, then reconnects', async () => {
    const client = new RemotingClient({ address });
    gate = new Gate();
    held = 0;
    const pending = [1, 2, 3].map(() => client.invoke(createRequest(HOLD), 5000));
    await waitFor(() => held === 3, { timeoutMs: 2000 });
    for (const connection of server.connections()) connection.close();
    for (const request of pending)
      await assert.rejects(request, hasCode(ErrorCode.CONNECTION_CLOSED));
    assert.equal(client.isConnected, false);
    assert.equal(
      (await client.invoke(createRequest(ECHO, { text: 'again' }), 2000)).remark,
      'again',
    );
    assert.equal(client.isConnected, true);
    gate.open();
    await client.close();
  });

  it('sends oneway requests without waiting for an answer', async () => {
    const client = new RemotingClient({ address });
    await client.invokeOneway(createRequest(ECHO, { text: 'fire' }));
    assert.equal((await client.invoke(createRequest(ECHO), 2000)).code, ResponseCode.SUCCESS);
    assert.equal(client.inspect()?.unmatchedResponses, 0);
    await client.close();
  });

  it('reports E_CONNECT_FAILED when nothing listens, and E_CONNECTION_CLOSED after close()', async () => {
    const probe = new RemotingServer();
    const { port } = await probe.listen({ host: '127.0.0.1', port: 0 });
    await probe.close();
    const client = new RemotingClient({ address: `127.0.0.1:${port}`, connectTimeoutMs: 1000 });
    await assert.rejects(
      client.invoke(createRequest(ECHO), 2000),
      hasCode(ErrorCode.CONNECT_FAILED),
    );
    await assert.rejects(
      client.invokeOneway(createRequest(ECHO)),
      hasCode(ErrorCode.CONNECT_FAILED),
    );
    await client.close();
    await assert.rejects(
      client.invoke(createRequest(ECHO), 2000),
      hasCode(ErrorCode.CONNECTION_CLOSED),
    );

    const open = new RemotingClient({ address });
    gate = new Gate();
    const pending = open.invoke(createRequest(HOLD), 5000);
    await waitFor(() => open.isConnected, { timeoutMs: 2000 });
    await open.close();
    await assert.rejects(pending, hasCode(ErrorCode.CONNECTION_CLOSED));
    gate.open();
  });
});
