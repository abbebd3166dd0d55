// TcpTransport: Raft messages between DLedger peers over TCP (framing in raft-wire.ts). Each node
// listens on its own address from dLegerPeers and dials every other peer; a dialed connection
// carries only the dialer's messages (HELLO first), so each direction has one ordered stream.
//
// Bounds: per peer, bytes waiting to be written (queued while connecting, or in the socket's
// buffer) never exceed maxQueuedBytes; a message past it is dropped and counted (Raft re-sends:
// heartbeats, probes and elections repeat). Frames above maxFrameBytes are refused. A broken link
// is redialled with exponential backoff (reconnectMinMs doubling to reconnectMaxMs).
//
// Uses node:net and timers only, no process-wide state, so it runs on a worker thread as well as on
// the main thread. Inbound frames that are malformed end that connection and are reported through
// onError with the MqError's stable code; nothing throws out of a socket callback.

import { connect, createServer, type Server, type Socket } from 'node:net';
import { type DLedgerPeer, parseDLedgerPeers } from '../../common/dledger-peers.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import type { Message } from '../raft/messages.js';
import type { RaftTransport } from './host-types.js';
import {
  decodeFrameBody,
  encodeHello,
  encodeMessageParts,
  FrameSplitter,
  RAFT_WIRE_VERSION,
} from './raft-wire.js';

export interface TcpTransportOptions {
  readonly group: string;
  readonly selfId: string;
  /** Every peer id of the group (self included): HELLOs from other ids are refused. */
  readonly peerIds: readonly string[];
  readonly listenHost: string;
  /** 0 picks a free port (tests). */
  readonly listenPort: number;
  readonly onMessage: (message: Message) => void;
  /** A connection was refused or dropped for a reason worth logging (stable code in `error`). */
  readonly onError?: (error: MqError, peerId: string | null) => void;
  readonly maxQueuedBytes?: number;
  readonly maxFrameBytes?: number;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** A connection that has not said HELLO within this time is closed, ms. */
  readonly helloTimeoutMs?: number;
  /** Inbound connections open at once; more are closed at once (peers redial). */
  readonly maxInboundConnections?: number;
}

export const TCP_TRANSPORT_DEFAULTS = {
  maxQueuedBytes: 64 * 1024 * 1024,
  maxFrameBytes: 64 * 1024 * 1024,
  reconnectMinMs: 50,
  reconnectMaxMs: 2000,
  helloTimeoutMs: 5000,
  maxInboundConnections: 64,
} as const;

export interface TransportStats {
  sentFrames: number;
  droppedFrames: number;
  receivedFrames: number;
  rejectedConnections: number;
}

class PeerLink {
  readonly peer: DLedgerPeer;
  socket: Socket | null = null;
  isConnected = false;
  /** Frames waiting for the connection (as their parts); with their count and byte total. */
  waiting: Uint8Array[] = [];
  waitingFrames = 0;
  waitingBytes = 0;
  failures = 0;
  timer: NodeJS.Timeout | null = null;

  constructor(peer: DLedgerPeer) {
    this.peer = peer;
  }
}

export class TcpTransport implements RaftTransport {
  readonly #options: TcpTransportOptions;
  readonly #maxQueuedBytes: number;
  readonly #maxFrameBytes: number;
  readonly #links = new Map<string, PeerLink>();
  readonly #inbound = new Set<Socket>();
  #server: Server | null = null;
  #isClosed = false;
  readonly stats: TransportStats = {
    sentFrames: 0,
    droppedFrames: 0,
    receivedFrames: 0,
    rejectedConnections: 0,
  };

  constructor(options: TcpTransportOptions) {
    this.#options = options;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? TCP_TRANSPORT_DEFAULTS.maxQueuedBytes;
    this.#maxFrameBytes = options.maxFrameBytes ?? TCP_TRANSPORT_DEFAULTS.maxFrameBytes;
  }

  /** Listen for peers. @throws MqError LISTEN_FAILED */
  async listen(): Promise<{ host: string; port: number }> {
    const server = createServer((socket) => this.#accept(socket));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          new MqError(
            ErrorCode.LISTEN_FAILED,
            `Raft transport cannot listen on ${this.#options.listenHost}:${this.#options.listenPort}: ${error.message}`,
            { host: this.#options.listenHost, port: this.#options.listenPort },
            { cause: error },
          ),
        ),
      );
      server.listen(this.#options.listenPort, this.#options.listenHost, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return { host: this.#options.listenHost, port };
  }

  /** Dial every peer but self (and keep redialling). */
  connect(peers: readonly DLedgerPeer[]): void {
    for (const peer of peers) {
      if (peer.id === this.#options.selfId || this.#links.has(peer.id)) continue;
      const link = new PeerLink(peer);
      this.#links.set(peer.id, link);
      this.#dial(link);
    }
  }

  send(message: Message): void {
    const link = this.#links.get(message.to);
    if (link === undefined || this.#isClosed) {
      this.stats.droppedFrames++;
      return;
    }
    const parts = encodeMessageParts(message);
    const frameBytes = parts.reduce((sum, part) => sum + part.length, 0);
    if (!link.isConnected || link.socket === null) {
      if (link.waitingBytes + frameBytes > this.#maxQueuedBytes) {
        this.stats.droppedFrames++;
        return;
      }
      link.waiting.push(...parts);
      link.waitingFrames++;
      link.waitingBytes += frameBytes;
      return;
    }
    if (link.socket.writableLength + frameBytes > this.#maxQueuedBytes) {
      this.stats.droppedFrames++;
      return;
    }
    // Corked, the parts leave in one writev.
    link.socket.cork();
    for (const part of parts) link.socket.write(part);
    link.socket.uncork();
    this.stats.sentFrames++;
  }

  /** Peers with an open outbound connection. */
  connectedPeers(): string[] {
    return [...this.#links.values()].filter((l) => l.isConnected).map((l) => l.peer.id);
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    for (const link of this.#links.values()) {
      if (link.timer !== null) clearTimeout(link.timer);
      link.socket?.destroy();
    }
    for (const socket of this.#inbound) socket.destroy();
    const server = this.#server;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---------------------------------------------------------------------------------------------
  // Outbound.

  #dial(link: PeerLink): void {
    if (this.#isClosed) return;
    link.timer = null;
    const socket = connect({ host: link.peer.host.replace(/^\[|\]$/g, ''), port: link.peer.port });
    link.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      link.isConnected = true;
      link.failures = 0;
      socket.write(encodeHello(this.#options.group, this.#options.selfId));
      for (const frame of link.waiting) socket.write(frame);
      this.stats.sentFrames += link.waitingFrames;
      link.waiting = [];
      link.waitingFrames = 0;
      link.waitingBytes = 0;
    });
    // Peers never write on a dialed connection; any byte is a protocol error.
    socket.on('data', () => socket.destroy());
    // A refused or reset connection ends in 'close', which redials.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (link.socket !== socket) return;
      link.socket = null;
      link.isConnected = false;
      link.waiting = [];
      link.waitingFrames = 0;
      link.waitingBytes = 0;
      if (this.#isClosed) return;
      const { reconnectMinMs, reconnectMaxMs } = { ...TCP_TRANSPORT_DEFAULTS, ...this.#options };
      const delayMs = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** Math.min(link.failures, 16));
      link.failures++;
      link.timer = setTimeout(() => this.#dial(link), delayMs);
      link.timer.unref();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Inbound.

  #accept(socket: Socket): void {
    const { helloTimeoutMs, maxInboundConnections } = {
      ...TCP_TRANSPORT_DEFAULTS,
      ...this.#options,
    };
    if (this.#isClosed || this.#inbound.size >= maxInboundConnections) {
      if (!this.#isClosed) this.stats.rejectedConnections++;
      socket.destroy();
      return;
    }
    this.#inbound.add(socket);
    socket.setTimeout(helloTimeoutMs, () => {
      socket.destroy();
      this.stats.rejectedConnections++;
      this.#options.onError?.(protocolError(`no HELLO within ${helloTimeoutMs} ms`), null);
    });
    const splitter = new FrameSplitter(this.#maxFrameBytes);
    let peerId: string | null = null;
    socket.on('data', (chunk: Buffer) => {
      try {
        const { bodies, error } = splitter.push(chunk);
        for (const body of bodies) {
          const frame = decodeFrameBody(body);
          if (peerId === null) {
            peerId = this.#checkHello(frame);
            socket.setTimeout(0);
          } else if (frame.kind !== 'message') throw protocolError('HELLO sent twice');
          else {
            if (frame.message.from !== peerId || frame.message.to !== this.#options.selfId) {
              throw protocolError(
                `message ${frame.message.from}->${frame.message.to} on ${peerId}'s connection`,
              );
            }
            this.stats.receivedFrames++;
            this.#options.onMessage(frame.message);
          }
          if (socket.destroyed) return;
        }
        if (error !== null) throw error;
      } catch (error) {
        if (!(error instanceof MqError)) throw error;
        this.stats.rejectedConnections++;
        socket.destroy();
        this.#options.onError?.(error, peerId);
      }
    });
    // The peer redials; a reset needs no more than the 'close' that follows.
    socket.on('error', () => undefined);
    socket.on('close', () => this.#inbound.delete(socket));
  }

  #checkHello(frame: ReturnType<typeof decodeFrameBody>): string {
    if (frame.kind !== 'hello') throw protocolError('the first frame is not HELLO');
    const { version, group, nodeId } = frame.hello;
    if (version !== RAFT_WIRE_VERSION) throw protocolError(`unsupported version ${version}`);
    if (group !== this.#options.group) {
      throw protocolError(`peer of group "${group}" dialed group "${this.#options.group}"`);
    }
    if (nodeId === this.#options.selfId || !this.#options.peerIds.includes(nodeId)) {
      throw protocolError(`unknown peer id "${nodeId}"`);
    }
    return nodeId;
  }
}

/**
 * The transport of node `dLegerSelfId` in a group configured as DLedger does: it listens on its own
 * address from `dLegerPeers`. Call `listen()`, then `connect(peers)`.
 * @throws MqError PEERS_INVALID for a malformed peer list or an unknown self id.
 */
export function transportForPeers(
  config: { dLegerGroup: string; dLegerPeers: string; dLegerSelfId: string },
  options: Omit<TcpTransportOptions, 'group' | 'selfId' | 'peerIds' | 'listenHost' | 'listenPort'>,
): { transport: TcpTransport; peers: readonly DLedgerPeer[]; self: DLedgerPeer } {
  const { peers, self } = parseDLedgerPeers(config.dLegerPeers, config.dLegerSelfId);
  const transport = new TcpTransport({
    ...options,
    group: config.dLegerGroup,
    selfId: self.id,
    peerIds: peers.map((p) => p.id),
    listenHost: self.host.replace(/^\[|\]$/g, ''),
    listenPort: self.port,
  });
  return { transport, peers, self };
}

function protocolError(text: string): MqError {
  return new MqError(ErrorCode.FRAME_MALFORMED, `Raft connection refused: ${text}`);
}
