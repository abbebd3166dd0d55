// A per-link TCP proxy for fault tests: listens on 127.0.0.1 port 0 and forwards to a target.
// Faults: blackhole (drop everything both ways, sockets stay open: a partition the peers cannot
// see, and bytes sent meanwhile are gone from the middle of the stream), stall (stop reading both
// ways and deliver everything after heal, as TCP does after a partition heals in time), delay
// (hold each chunk for a time, order kept), cut (reset every connection) and heal.

import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode =
  | { kind: 'forward' }
  | { kind: 'blackhole' }
  | { kind: 'stall' }
  | { kind: 'delay'; ms: number };

interface Pair {
  sockets: [Socket, Socket];
  /** Chunks read while stalled, written in order on heal. */
  held: Array<{ to: Socket; chunk: Buffer }>;
}

export class TcpProxy {
  #server: Server;
  #target: { host: string; port: number };
  #mode: ProxyMode = { kind: 'forward' };
  #pairs = new Set<Pair>();
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

  get mode(): ProxyMode {
    return this.#mode;
  }

  setTarget(target: { host: string; port: number }): void {
    this.#target = target;
  }

  #accept(client: Socket): void {
    const upstream = connect(this.#target);
    const pair: Pair = { sockets: [client, upstream], held: [] };
    this.#pairs.add(pair);
    if (this.#mode.kind === 'stall') for (const s of pair.sockets) s.pause();
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        const mode = this.#mode;
        if (mode.kind === 'blackhole') return;
        if (mode.kind === 'stall') {
          pair.held.push({ to, chunk });
          from.pause();
        } else if (mode.kind === 'delay')
          setTimeout(() => to.destroyed || to.write(chunk), mode.ms);
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

  /** Stops reading on both sides of every connection; nothing is lost, all of it waits for heal. */
  stall(): void {
    this.#mode = { kind: 'stall' };
    for (const pair of this.#pairs) for (const s of pair.sockets) s.pause();
  }

  delay(ms: number): void {
    this.#mode = { kind: 'delay', ms };
  }

  heal(): void {
    this.#mode = { kind: 'forward' };
    for (const pair of this.#pairs) {
      for (const { to, chunk } of pair.held.splice(0)) if (!to.destroyed) to.write(chunk);
      for (const s of pair.sockets) s.resume();
    }
  }

  /** Resets every connection through the proxy. */
  cut(): void {
    for (const { sockets } of this.#pairs) for (const s of sockets) s.destroy();
    this.#pairs.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
