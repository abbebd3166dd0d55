// Goal: the TLS modes of RemotingServer behave as RocketMQ's tls.server.* keys describe.
// Method: real RemotingServers on 127.0.0.1 with certificates from a throwaway openssl CA, and
// RemotingClients with and without TLS and client certificates. Checked: permissive serves TLS
// and plain TCP on one port; enforcing refuses plain TCP; need.client.auth=optional accepts a
// client without a certificate and one with a valid certificate, and refuses a certificate that
// another CA signed; a connection that sends nothing, or stops inside its handshake, is closed
// after the frame read timeout; each refusal is counted in tlsRefused.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, MqError } from '../../../common/errors.js';
import { RemotingClient } from '../../../protocol/remoting-client.js';
import { createRequest, createResponse } from '../../../protocol/remoting-command.js';
import { RemotingServer } from '../../../protocol/remoting-server.js';
import { ResponseCode } from '../../../protocol/response-code.js';
import type { ClientAuth, TlsClientOptions } from '../../../protocol/tls-options.js';
import { issueLeaf, makeCa, type TestLeaf } from '../../harness/tls-certs.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';
import { rawPeer } from './remoting-test-kit.js';

const PING = 1000;
const dir = makeTmpDir('petrel-tls-unit-');
let caPem: Buffer;
let server: TestLeaf;
let client: TestLeaf;
let foreign: TestLeaf;

before(() => {
  const ca = makeCa(dir.path, 'ca');
  server = issueLeaf(ca, 'server');
  client = issueLeaf(ca, 'client');
  foreign = issueLeaf(makeCa(dir.path, 'other'), 'foreign');
  caPem = readFileSync(ca.certPath);
});

after(() => dir.remove());

async function start(
  mode: 'permissive' | 'enforcing',
  clientAuth: ClientAuth,
  frameReadTimeoutMs?: number,
) {
  const remoting = new RemotingServer({
    tls: { mode, cert: server.cert, key: server.key, ca: caPem, clientAuth },
    ...(frameReadTimeoutMs === undefined ? {} : { frameReadTimeoutMs }),
  });
  remoting.registerProcessor(PING, (request) => createResponse(request, ResponseCode.SUCCESS));
  const { port } = await remoting.listen({ host: '127.0.0.1', port: 0 });
  return { remoting, address: `127.0.0.1:${port}` };
}

async function ping(address: string, tls: TlsClientOptions | undefined): Promise<number> {
  const remoting = new RemotingClient({ address, tls, connectTimeoutMs: 3000 });
  try {
    return (await remoting.invoke(createRequest(PING), 3000)).code;
  } finally {
    await remoting.close();
  }
}

function refused(error: unknown): boolean {
  return (
    error instanceof MqError &&
    (error.code === ErrorCode.CONNECTION_CLOSED || error.code === ErrorCode.CONNECT_FAILED)
  );
}

describe('RemotingServer TLS modes', () => {
  it('permissive serves TLS and plain TCP on one port', async () => {
    const s = await start('permissive', 'none');
    assert.equal(await ping(s.address, undefined), ResponseCode.SUCCESS);
    assert.equal(await ping(s.address, { ca: caPem }), ResponseCode.SUCCESS);
    assert.equal(s.remoting.stats().tlsRefused, 0);
    await s.remoting.close();
  });

  it('enforcing refuses plain TCP', async () => {
    const s = await start('enforcing', 'none');
    await assert.rejects(ping(s.address, undefined), refused);
    assert.equal(await ping(s.address, { ca: caPem }), ResponseCode.SUCCESS);
    assert.equal(s.remoting.stats().tlsRefused, 1);
    await s.remoting.close();
  });

  it('closes a connection that stalls before or inside its handshake', async () => {
    const s = await start('permissive', 'none', 200);
    const silent = await rawPeer(s.remoting.port);
    await silent.closed;
    const stalled = await rawPeer(s.remoting.port);
    stalled.socket.write(Buffer.from([0x16, 0x03, 0x01]));
    await stalled.closed;
    assert.equal(s.remoting.stats().tlsRefused, 2);
    assert.equal(s.remoting.stats().connectionsOpen, 0);
    await s.remoting.close();
  });

  it('optional client auth: no certificate or a valid one pass, a foreign one is refused', async () => {
    const s = await start('enforcing', 'optional');
    assert.equal(await ping(s.address, { ca: caPem }), ResponseCode.SUCCESS);
    const own = { ca: caPem, cert: client.cert, key: client.key };
    assert.equal(await ping(s.address, own), ResponseCode.SUCCESS);
    const other = { ca: caPem, cert: foreign.cert, key: foreign.key };
    await assert.rejects(ping(s.address, other), refused);
    assert.equal(s.remoting.stats().tlsRefused, 1);
    await s.remoting.close();
  });
});
