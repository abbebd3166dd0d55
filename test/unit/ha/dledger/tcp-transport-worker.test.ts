// The TCP transport runs on a worker thread as well as on the main thread: a transport in a worker
// and one on the main thread dial each other over 127.0.0.1 and exchange Raft messages both ways.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { TcpTransport } from '../../../../ha/dledger/tcp-transport.js';
import { EntryType, type Message, MessageType, message } from '../../../../ha/raft/messages.js';
import { waitFor } from '../../../harness/wait-for.js';

describe('TcpTransport on a worker thread', () => {
  const fromWorker: Message[] = [];
  const inWorker: Message[] = [];
  let workerPort = 0;
  const worker = new Worker(new URL('./transport-worker.js', import.meta.url));
  worker.on('message', (event: { kind: string; port?: number; message?: Message }) => {
    if (event.kind === 'listening') workerPort = event.port ?? 0;
    if (event.kind === 'received' && event.message !== undefined) inWorker.push(event.message);
  });
  const main = new TcpTransport({
    group: 'broker-a',
    selfId: 'n0',
    peerIds: ['n0', 'n1'],
    listenHost: '127.0.0.1',
    listenPort: 0,
    onMessage: (m) => fromWorker.push(m),
  });
  after(async () => {
    await main.close();
    await worker.terminate();
  });

  it('exchanges messages with a transport hosted in a worker', async () => {
    const { port } = await main.listen();
    await waitFor(() => workerPort > 0, { timeoutMs: 10_000, what: 'the worker listening' });
    const peers = [
      { id: 'n0', host: '127.0.0.1', port, address: `127.0.0.1:${port}` },
      { id: 'n1', host: '127.0.0.1', port: workerPort, address: `127.0.0.1:${workerPort}` },
    ];
    main.connect(peers);
    worker.postMessage({ kind: 'connect', peers });
    const append = message({
      type: MessageType.APP,
      from: 'n0',
      to: 'n1',
      term: 3,
      index: 9,
      logTerm: 2,
      commit: 8,
      entries: [{ index: 10, term: 3, type: EntryType.NORMAL, data: new Uint8Array([42]) }],
    });
    await waitFor(() => main.connectedPeers().includes('n1'), { timeoutMs: 10_000 });
    main.send(append);
    await waitFor(() => inWorker.length === 1, { timeoutMs: 10_000, what: 'append in the worker' });
    assert.deepEqual(inWorker[0], append);
    const reply = message({ type: MessageType.APP_RESP, from: 'n1', to: 'n0', term: 3, index: 10 });
    worker.postMessage({ kind: 'send', message: reply });
    await waitFor(() => fromWorker.length === 1, { timeoutMs: 10_000, what: 'reply on main' });
    assert.deepEqual(fromWorker[0], reply);
  });
});
