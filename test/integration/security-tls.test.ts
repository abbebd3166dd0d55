// Goal: TLS on the remoting ports with RocketMQ's tls.* keys. Method: a throwaway CA made by the
// test with openssl signs the server and client certificates; a second CA signs an impostor
// client certificate. A real mqnamesrv runs tls.server.mode=permissive (TLS and plain TCP on one
// port); a real mqbroker runs enforcing with tls.server.need.client.auth=require and reaches the
// NameServer with useTLS=true. Checked: Petrel's client with TLS options sends and consumes
// through both; at the broker, plain TCP, a client without a certificate, a client whose
// certificate another CA signed, and a client that does not trust the server are all refused;
// the permissive NameServer still answers plain TCP.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type MessageExt, Producer, PushConsumer } from '../../client/index.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import { createRequest, RemotingClient, RequestCode, ResponseCode } from '../../protocol/index.js';
import type { TlsClientOptions } from '../../protocol/tls-options.js';
import {
  type PetrelProcess,
  startBroker,
  startNamesrv,
  stopAll,
  tmpDir,
} from '../harness/petrel-processes.js';
import { issueLeaf, makeCa, type TestLeaf } from '../harness/tls-certs.js';
import { waitFor } from '../harness/wait-for.js';

let ns: PetrelProcess;
let broker: PetrelProcess;
let caPem: Buffer;
let client: TestLeaf;
let impostor: TestLeaf;
const closers: Array<() => Promise<unknown>> = [];

before(async () => {
  const dir = tmpDir('petrel-tls-');
  const ca = makeCa(dir, 'test-ca');
  const other = makeCa(dir, 'other-ca');
  const server = issueLeaf(ca, 'server');
  client = issueLeaf(ca, 'client');
  impostor = issueLeaf(other, 'impostor');
  caPem = readFileSync(ca.certPath);
  const serverKeys = [
    `--tls.server.certPath=${server.certPath}`,
    `--tls.server.keyPath=${server.keyPath}`,
    `--tls.server.trustCertPath=${ca.certPath}`,
  ];
  ns = await startNamesrv(['--tls.server.mode=permissive', ...serverKeys]);
  broker = await startBroker([ns.address], {
    extra: [
      '--tls.server.mode=enforcing',
      '--tls.server.need.client.auth=require',
      ...serverKeys,
      '--useTLS=true',
      `--tls.client.trustCertPath=${ca.certPath}`,
      `--tls.client.certPath=${client.certPath}`,
      `--tls.client.keyPath=${client.keyPath}`,
    ],
  });
});

after(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  await stopAll();
});

function tlsOptions(leaf: TestLeaf | null, trust = true): TlsClientOptions {
  return {
    ...(trust ? { ca: caPem } : {}),
    ...(leaf === null ? {} : { cert: leaf.cert, key: leaf.key }),
  };
}

async function brokerAnswer(tls: TlsClientOptions | undefined): Promise<number> {
  const remoting = new RemotingClient({ address: broker.address, tls, connectTimeoutMs: 5000 });
  closers.push(() => remoting.close());
  const response = await remoting.invoke(createRequest(RequestCode.GET_BROKER_RUNTIME_INFO), 5000);
  return response.code;
}

function isRefusal(error: unknown): boolean {
  return (
    error instanceof MqError &&
    (error.code === ErrorCode.CONNECTION_CLOSED || error.code === ErrorCode.CONNECT_FAILED)
  );
}

describe('TLS on a real NameServer and broker', { timeout: 120_000 }, () => {
  it("Petrel's client sends and consumes over TLS with a client certificate", async () => {
    const tls = tlsOptions(client);
    await waitFor(
      async () => {
        const probe = new RemotingClient({ address: ns.address, tls });
        try {
          const route = await probe.invoke(
            createRequest(RequestCode.GET_BROKER_CLUSTER_INFO),
            5000,
          );
          return route.code === ResponseCode.SUCCESS && route.body !== null;
        } finally {
          await probe.close();
        }
      },
      { timeoutMs: 15_000, what: 'the broker registered with the NameServer over TLS' },
    );
    const producer = new Producer({ namesrvAddr: ns.address, groupName: 'TlsPG', tls });
    await producer.start();
    closers.push(() => producer.shutdown());
    const sent = await producer.send({ topic: 'TlsTopic', body: 'over-tls' });
    assert.equal(sent.sendStatus, 'SEND_OK');
    const got: MessageExt[] = [];
    const consumer = new PushConsumer({
      namesrvAddr: ns.address,
      groupName: 'TlsCG',
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      rebalanceIntervalMs: 500,
      tls,
    });
    consumer.subscribe('TlsTopic', '*', (messages) => {
      got.push(...messages);
    });
    await consumer.start();
    closers.push(() => consumer.shutdown());
    await waitFor(() => got.some((m) => m.body.toString() === 'over-tls'), {
      timeoutMs: 20_000,
      what: 'the TLS consumer receives the message',
    });
  });

  it('an enforcing broker refuses plain TCP, no certificate, a foreign certificate, and is not trusted blindly', async () => {
    assert.equal(await brokerAnswer(tlsOptions(client)), ResponseCode.SUCCESS);
    await assert.rejects(brokerAnswer(undefined), isRefusal, 'plain TCP');
    await assert.rejects(brokerAnswer(tlsOptions(null)), isRefusal, 'no client certificate');
    await assert.rejects(
      brokerAnswer(tlsOptions(impostor)),
      isRefusal,
      'certificate of another CA',
    );
    await assert.rejects(
      brokerAnswer(tlsOptions(client, false)),
      (error: unknown) => error instanceof MqError && error.code === ErrorCode.CONNECT_FAILED,
      'a client that does not trust the test CA refuses the server',
    );
  });

  it('a permissive NameServer answers both plain TCP and TLS on one port', async () => {
    for (const tls of [undefined, tlsOptions(null)]) {
      const remoting = new RemotingClient({ address: ns.address, tls });
      closers.push(() => remoting.close());
      const response = await remoting.invoke(
        createRequest(RequestCode.GET_BROKER_CLUSTER_INFO),
        5000,
      );
      assert.equal(response.code, ResponseCode.SUCCESS);
    }
  });
});
