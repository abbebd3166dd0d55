// The fault proxy must do what the scenarios rely on: a stall holds every byte and delivers it in
// order after the heal (a partition TCP survives); a blackhole drops bytes while the sockets stay
// open (the peers see a broken stream after the heal).

import assert from 'node:assert/strict';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TcpProxy } from '../../harness/tcp-proxy.js';
import { waitFor } from '../../harness/wait-for.js';

describe('TcpProxy faults', () => {
  const echoed: Socket[] = [];
  const echo = createServer((socket) => {
    echoed.push(socket);
    socket.on('data', (chunk) => socket.write(chunk));
  });
  let proxy: TcpProxy;

  before(async () => {
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
    proxy = new TcpProxy({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port });
    await proxy.start();
  });

  after(async () => {
    await proxy.close();
    for (const socket of echoed) socket.destroy();
    await new Promise((resolve) => echo.close(resolve));
  });

  async function client(): Promise<{ socket: Socket; received: () => string }> {
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    await new Promise((resolve) => socket.once('connect', resolve));
    return { socket, received: () => text };
  }

  it('holds bytes while stalled and delivers them in order after the heal', async () => {
    const c = await client();
    c.socket.write('a');
    await waitFor(() => c.received() === 'a', { timeoutMs: 2000 });
    proxy.stall();
    c.socket.write('b');
    c.socket.write('c');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(c.received(), 'a', 'nothing passes a stall');
    proxy.heal();
    await waitFor(() => c.received() === 'abc', { timeoutMs: 2000, what: 'the held bytes' });
    c.socket.destroy();
  });

  it('drops bytes while blackholed, keeping the connection open', async () => {
    const c = await client();
    proxy.blackhole();
    c.socket.write('lost');
    await new Promise((resolve) => setTimeout(resolve, 200));
    proxy.heal();
    c.socket.write('kept');
    await waitFor(() => c.received() === 'kept', { timeoutMs: 2000, what: 'bytes after the heal' });
    assert.equal(c.socket.destroyed, false);
    c.socket.destroy();
  });
});
