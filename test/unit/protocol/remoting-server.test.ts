// Goal: the remoting server survives bad peers without hurting good ones (bad-input suite B1-B5,
// B13-B15) and routes requests as RocketMQ's does. Method: a real RemotingServer on 127.0.0.1
// port 0 with small limits; raw sockets send the bad bytes while a RemotingClient on another
// connection checks that service goes on. Timeouts are shortened (frame read 300 ms instead of
// 120 s) so the suite stays fast.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, MqError } from '../../../common/errors.js';
import { RemotingClient } from '../../../protocol/remoting-client.js';
import {
  createExtFields,
  createRequest,
  createResponse,
  encodeCommand,
  type RemotingCommand,
} from '../../../protocol/remoting-command.js';
import { CloseReason, type RemotingConnection } from '../../../protocol/remoting-connection.js';
import { RemotingServer, type RemotingServerOptions } from '../../../protocol/remoting-server.js';
import { ResponseCode } from '../../../protocol/response-code.js';
import { waitFor } from '../../harness/wait-for.js';
import { capturingLogger, Gate, jsonFrame, rawPeer } from './remoting-test-kit.js';

const ECHO = 1000;
const HOLD = 1001;
const THROWS = 1002;

interface Fixture {
  server: RemotingServer;
  client: RemotingClient;
  gate: Gate;
  handled: RemotingCommand[];
  logger: ReturnType<typeof capturingLogger>;
}

async function startServer(options: RemotingServerOptions = {}): Promise<Fixture> {
  const logger = capturingLogger();
  const server = new RemotingServer({ maxFrameSizeBytes: 1 << 20, logger, ...options });
  const gate = new Gate();
  const handled: RemotingCommand[] = [];
  server.registerProcessor(ECHO, (request) => {
    handled.push(request);
    const response = createResponse(request, ResponseCode.SUCCESS);
    response.extFields = createExtFields(request.extFields);
    response.body = request.body;
    return response;
  });
  server.registerProcessor(HOLD, async (request) => {
    await gate.opened;
    return createResponse(request, ResponseCode.SUCCESS);
  });
  server.registerProcessor(THROWS, () => {
    throw new Error('boom');
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  assert.equal(server.port, port);
  const client = new RemotingClient({ address: `127.0.0.1:${port}` });
  return { server, client, gate, handled, logger };
}

async function stop(fixture: Fixture): Promise<void> {
  fixture.gate.open();
  await fixture.client.close();
  await fixture.server.close();
}

async function echo(client: RemotingClient, text = 'ping'): Promise<RemotingCommand> {
  const response = await client.invoke(createRequest(ECHO, { text }, Buffer.from(text)), 2000);
  assert.equal(response.code, ResponseCode.SUCCESS);
  assert.equal(response.extFields['text'], text);
  return response;
}

describe('RemotingServer routing', () => {
  let f: Fixture;
  before(async () => {
    f = await startServer();
  });
  after(() => stop(f));

  it('answers a registered code and echoes opaque, flag and serialize type', async () => {
    const response = await echo(f.client);
    assert.deepEqual(response.body, Buffer.from('ping'));
    const binary = createRequest(ECHO, { text: 'bin' });
    binary.serializeTypeCurrentRPC = 'ROCKETMQ';
    const binaryResponse = await f.client.invoke(binary, 2000);
    assert.equal(binaryResponse.serializeTypeCurrentRPC, 'ROCKETMQ');
    assert.equal(binaryResponse.extFields['text'], 'bin');
  });

  it('B5: answers an unknown code with REQUEST_CODE_NOT_SUPPORTED and stays open', async () => {
    const response = await f.client.invoke(createRequest(999), 2000);
    assert.equal(response.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    assert.equal(response.remark, ' request type 999 not supported');
    await echo(f.client);
    assert.equal(f.server.stats().connectionsAccepted, 1);
  });

  it('answers SYSTEM_ERROR with the message when a handler throws, and stays open', async () => {
    const response = await f.client.invoke(createRequest(THROWS), 2000);
    assert.equal(response.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(response.remark, 'boom');
    await echo(f.client);
    assert.equal(f.server.stats().connectionsAccepted, 1);
  });

  it('never answers a oneway request', async () => {
    const peer = await rawPeer(f.server.port);
    const oneway = { ...createRequest(ECHO, { text: 'quiet' }), opaque: 5, flag: 2 };
    const normal = { ...createRequest(ECHO, { text: 'loud' }), opaque: 6 };
    peer.socket.write(Buffer.concat([encodeCommand(oneway), encodeCommand(normal)]));
    await waitFor(() => peer.received().length === 1, { timeoutMs: 2000 });
    assert.equal(peer.received()[0]?.opaque, 6);
    assert.ok(f.handled.some((r) => r.extFields['text'] === 'quiet'));
    await f.client.invokeOneway(createRequest(ECHO, { text: 'client-oneway' }));
    await waitFor(() => f.handled.some((r) => r.extFields['text'] === 'client-oneway'), {
      timeoutMs: 2000,
    });
    assert.equal(f.client.inspect()?.unmatchedResponses, 0);
    peer.socket.destroy();
  });

  it('sends requests to a client over its connection', async () => {
    const seen: RemotingCommand[] = [];
    const answering = new RemotingClient({
      address: `127.0.0.1:${f.server.port}`,
      onRequest: (request) => {
        seen.push(request);
        const response = createResponse(request, ResponseCode.SUCCESS, 'running');
        response.body = Buffer.from('{"jstack":""}');
        return response;
      },
    });
    const connected = new Promise<RemotingConnection>((resolve) => {
      const off = f.server.onConnection((connection) => {
        off();
        resolve(connection);
      });
    });
    await echo(answering);
    const connection = await connected;
    const response = await connection.invoke(
      createRequest(307, { consumerGroup: 'CG', clientId: 'c' }),
      2000,
    );
    assert.equal(response.remark, 'running');
    assert.equal(seen[0]?.extFields['consumerGroup'], 'CG');
    const silent = await connection.invoke(createRequest(40, { consumerGroup: 'CG' }), 2000);
    assert.equal(silent.code, ResponseCode.SUCCESS);
    await answering.close();
    const unanswered = new RemotingClient({ address: `127.0.0.1:${f.server.port}` });
    const second = new Promise<RemotingConnection>((resolve) => {
      const off = f.server.onConnection((c) => {
        off();
        resolve(c);
      });
    });
    await echo(unanswered);
    const notSupported = await (await second).invoke(createRequest(307), 2000);
    assert.equal(notSupported.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    await unanswered.close();
  });

  it('reports connection close with its reason', async () => {
    const closes: string[] = [];
    const off = f.server.onConnectionClose((_connection, reason) => closes.push(reason));
    const client = new RemotingClient({ address: `127.0.0.1:${f.server.port}` });
    await echo(client);
    await client.close();
    await waitFor(() => closes.length === 1, { timeoutMs: 2000 });
    assert.deepEqual(closes, [CloseReason.REMOTE_CLOSE]);
    off();
  });
});

describe('RemotingServer bad input', () => {
  let f: Fixture;
  before(async () => {
    f = await startServer({ frameReadTimeoutMs: 300, maxInFlightRequestsPerConnection: 4 });
    await echo(f.client);
  });
  after(() => stop(f));

  async function expectClosedWithout(bytes: Buffer): Promise<void> {
    const peer = await rawPeer(f.server.port);
    peer.socket.write(bytes);
    await peer.closed;
    assert.equal(peer.bytesReceived(), 0, 'no response');
    await echo(f.client, 'still-served');
  }

  it('B1: closes on a length below 4 or a header longer than the frame', async () => {
    await expectClosedWithout(Buffer.from('00000002', 'hex'));
    await expectClosedWithout(Buffer.from('0000000a000000ff0102030405', 'hex'));
    const stats = f.server.stats();
    assert.equal(stats.protocolErrors.TOO_SHORT, 1);
    assert.equal(stats.protocolErrors.HEADER_LENGTH_INVALID, 1);
    assert.ok(
      f.logger.records.some((r) => r.level === 'warn' && r.fields?.['reason'] === 'TOO_SHORT'),
    );
  });

  it('B2: closes on an oversized length after reading only the prefix', async () => {
    const peer = await rawPeer(f.server.port);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(0x7fff0000, 0);
    peer.socket.write(prefix);
    await peer.closed;
    assert.equal(f.server.stats().protocolErrors.FRAME_TOO_LARGE, 1);
    const writer = await rawPeer(f.server.port);
    writer.socket.write(prefix);
    for (let i = 0; i < 64 && !writer.isClosed(); i++) writer.socket.write(Buffer.alloc(64 * 1024));
    await writer.closed;
    assert.equal(f.server.stats().protocolErrors.FRAME_TOO_LARGE, 2);
    await echo(f.client);
  });

  it('B3: closes on an unknown serialize type', async () => {
    await expectClosedWithout(Buffer.from('0000000c0500000400000000000000', 'hex'));
    assert.equal(f.server.stats().protocolErrors.SERIALIZE_TYPE_UNKNOWN, 1);
  });

  it('B4: closes on a header that is not JSON, answering SYSTEM_ERROR when the id is readable', async () => {
    await expectClosedWithout(jsonFrame('{not json'));
    const peer = await rawPeer(f.server.port);
    const fields = Array.from({ length: 300 }, (_, i) => `"k${i}":"v"`).join(',');
    peer.socket.write(jsonFrame(`{"code":310,"opaque":77,"flag":0,"extFields":{${fields}}}`));
    await peer.closed;
    const [answer] = peer.received();
    assert.equal(answer?.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(answer?.opaque, 77);
    assert.equal(f.server.stats().protocolErrors.HEADER_MALFORMED, 2);
    await echo(f.client);
  });

  it('B13: pauses reading a flooding connection while others are served', async () => {
    const flooder = new RemotingClient({ address: `127.0.0.1:${f.server.port}` });
    await echo(flooder);
    const held = Array.from({ length: 40 }, () => flooder.invoke(createRequest(HOLD), 5000));
    await waitFor(
      () =>
        f.server
          .connections()
          .some((c) => c.inspect().isPaused && c.inspect().inFlightRequests === 4),
      { timeoutMs: 2000, what: 'flooding connection paused at 4 in flight' },
    );
    // Answered while the flooder's requests are still held behind the gate: the pause of one
    // connection does not stall the others (how fast is for the benchmarks).
    await echo(f.client, 'meanwhile');
    f.gate.open();
    const responses = await Promise.all(held);
    assert.equal(responses.length, 40);
    assert.ok(responses.every((r) => r.code === ResponseCode.SUCCESS));
    await flooder.close();
  });

  it('B14: closes a slow-loris connection at the frame read timeout', async () => {
    const peer = await rawPeer(f.server.port);
    const frame = encodeCommand({ ...createRequest(ECHO, { text: 'slow' }), opaque: 1 });
    const started = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      if (!peer.isClosed() && sent < frame.length) peer.socket.write(frame.subarray(sent, ++sent));
    }, 40);
    await peer.closed;
    clearInterval(timer);
    const elapsedMs = performance.now() - started;
    assert.ok(elapsedMs >= 250, `closed after ${elapsedMs} ms, not before the read timeout`);
    assert.equal(f.server.stats().closes.FRAME_READ_TIMEOUT, 1);
    await echo(f.client);
  });
});

describe('RemotingServer connection limits and timeouts', () => {
  it('B15: closes connections over maxConnections at accept; existing ones go on', async () => {
    const f = await startServer({ maxConnections: 2 });
    const second = new RemotingClient({ address: `127.0.0.1:${f.server.port}` });
    await echo(f.client);
    await echo(second);
    const third = await rawPeer(f.server.port);
    await third.closed;
    const fourth = new RemotingClient({ address: `127.0.0.1:${f.server.port}` });
    await assert.rejects(
      fourth.invoke(createRequest(ECHO), 1000),
      (error: unknown) => error instanceof MqError && error.code === ErrorCode.CONNECTION_CLOSED,
    );
    await echo(f.client);
    await echo(second);
    assert.equal(f.server.stats().connectionsRejected, 2);
    assert.equal(f.server.stats().connectionsOpen, 2);
    await fourth.close();
    await second.close();
    await stop(f);
  });

  it('closes connections over maxConnectionsPerAddress from one IP; other IPs still connect', async () => {
    const f = await startServer({ maxConnectionsPerAddress: 2 });
    await echo(f.client);
    const second = await rawPeer(f.server.port);
    const third = await rawPeer(f.server.port);
    await third.closed;
    assert.equal(second.isClosed(), false);
    const other = connect({ host: '127.0.0.1', port: f.server.port, localAddress: '127.0.0.2' });
    other.on('error', () => undefined);
    await waitFor(() => f.server.stats().connectionsAccepted === 3, {
      timeoutMs: 2000,
      what: 'a connection from 127.0.0.2 is accepted',
    });
    assert.equal(f.server.stats().connectionsRejected, 1);
    second.socket.destroy();
    await waitFor(() => f.server.stats().connectionsOpen === 2, { timeoutMs: 2000 });
    const again = await rawPeer(f.server.port);
    await waitFor(() => f.server.stats().connectionsAccepted === 4, {
      timeoutMs: 2000,
      what: 'a slot freed by a close is reused',
    });
    again.socket.destroy();
    other.destroy();
    await stop(f);
  });

  it('closes an idle connection but not one with work in flight', async () => {
    const f = await startServer({ idleTimeoutMs: 200 });
    const idle = await rawPeer(f.server.port);
    const busy = new RemotingClient({ address: `127.0.0.1:${f.server.port}` });
    const held = busy.invoke(createRequest(HOLD), 5000);
    await idle.closed;
    assert.equal(f.server.stats().closes.IDLE_TIMEOUT, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    f.gate.open();
    assert.equal((await held).code, ResponseCode.SUCCESS);
    await busy.close();
    await stop(f);
  });

  it('close() stops the listener and fails what clients still wait for', async () => {
    const f = await startServer();
    const pending = f.client.invoke(createRequest(HOLD), 5000);
    await waitFor(() => f.server.connections().length === 1, { timeoutMs: 2000 });
    await f.server.close();
    await assert.rejects(
      pending,
      (error: unknown) => error instanceof MqError && error.code === ErrorCode.CONNECTION_CLOSED,
    );
    await assert.rejects(
      f.client.invoke(createRequest(ECHO), 500),
      (error: unknown) => error instanceof MqError && error.code === ErrorCode.CONNECT_FAILED,
    );
    await f.client.close();
  });
});
