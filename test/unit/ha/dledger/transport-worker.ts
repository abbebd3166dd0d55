// Worker entry for tcp-transport-worker.test.ts: a TcpTransport for node n1 on a worker thread.
// It reports its port, dials the peers it is sent, and posts every Raft message it receives.

import { parentPort } from 'node:worker_threads';
import type { DLedgerPeer } from '../../../../common/dledger-peers.js';
import { TcpTransport } from '../../../../ha/dledger/tcp-transport.js';
import type { Message } from '../../../../ha/raft/messages.js';

const port = parentPort;
if (port === null) throw new Error('transport-worker runs on a worker thread');
const transport = new TcpTransport({
  group: 'broker-a',
  selfId: 'n1',
  peerIds: ['n0', 'n1'],
  listenHost: '127.0.0.1',
  listenPort: 0,
  onMessage: (message) => port.postMessage({ kind: 'received', message }),
});
const { port: listenPort } = await transport.listen();
port.postMessage({ kind: 'listening', port: listenPort });
port.on('message', (command: { kind: string; peers?: DLedgerPeer[]; message?: Message }) => {
  if (command.kind === 'connect' && command.peers !== undefined) transport.connect(command.peers);
  if (command.kind === 'send' && command.message !== undefined) transport.send(command.message);
  if (command.kind === 'close') void transport.close().then(() => port.close());
});
