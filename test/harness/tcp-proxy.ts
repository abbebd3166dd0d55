// A per-link TCP proxy for fault tests: listens on 127.0.0.1 port 0 and forwards to a target.
// Faults: blackhole (stop forwarding both ways, sockets stay open: a partition the peers cannot
// see), delay (hold each chunk for a time, order kept), cut (reset every connection) and heal.

import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = { kind: 'forward' } | { kind: 'blackhole' } | { kind: 'delay'; ms: number };

export class TcpProxy {
  #server: Server;
  #target: { host: string; port: number };
  #mode: ProxyMode = { kind: 'forward' };
  #pairs = new Set<[Socket, Socket]>();
  port = 0;

  constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve()));
    const address = this.#server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    return this.port;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  setTarget(target: { host: string; port: number }): void {
    this.#target = target;
  }

  #accept(client: Socket): void {
    const upstream = connect(this.#target);
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        const mode = this.#mode;
        if (mode.kind === 'blackhole') return;
        if (mode.kind === 'delay') setTimeout(() => to.destroyed || to.write(chunk), mode.ms);
        else to.write(chunk);
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  }

  blackhole(): void {
    this.#mode = { kind: 'blackhole' };
  }

  delay(ms: number): void {
    this.#mode = { kind: 'delay', ms };
  }

  heal(): void {
    this.#mode = { kind: 'forward' };
  }

  /** Resets every connection through the proxy. */
  cut(): void {
    for (const [a, b] of this.#pairs) {
      a.destroy();
      b.destroy();
    }
    this.#pairs.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
