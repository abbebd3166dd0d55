// TLS for remoting connections, with node:tls. A server in `permissive` mode takes TLS and plain
// TCP on one port, telling them apart by the first byte (0x16, a TLS handshake record), as
// RocketMQ's NettyRemotingServer HandshakeHandler does; `enforcing` closes a connection whose
// first byte is not a handshake. Client certificates: `none` asks for none, `optional` asks and
// closes the connection when a presented one does not verify against the trust file, `require`
// also closes it when none is presented.
//
// RocketMQ: remoting/.../netty/NettyRemotingServer.java (HandshakeHandler, TlsMode),
// TlsHelper.buildSslContext, TlsSystemConfig (tls.server.need.client.auth none|optional|require).

import type { Socket } from 'node:net';
import { connect as connectPlain } from 'node:net';
import {
  type ConnectionOptions,
  connect as connectTls,
  createServer as createTlsServer,
  type TLSSocket,
  type TlsOptions,
  type Server as TlsServer,
} from 'node:tls';

/** The first byte of a TLS record carrying a handshake (ClientHello). */
const TLS_HANDSHAKE_RECORD = 0x16;

export type ClientAuth = 'none' | 'optional' | 'require';

export interface TlsServerOptions {
  mode: 'permissive' | 'enforcing';
  /** PEM certificate chain and key the server presents. */
  cert: Buffer;
  key: Buffer;
  passphrase?: string | undefined;
  /** PEM CA certificates client certificates are checked against. */
  ca?: Buffer | undefined;
  clientAuth: ClientAuth;
}

export interface TlsClientOptions {
  /** PEM CA certificates the server is checked against; unset: Node's default CAs. */
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  passphrase?: string | undefined;
  /** Check the server's certificate and name (default true). */
  verifyServer?: boolean | undefined;
  /** Name checked against the certificate; default the host connected to. */
  servername?: string | undefined;
}

export type HandshakeOutcome =
  | { kind: 'plain'; socket: Socket }
  | { kind: 'tls'; socket: TLSSocket }
  | { kind: 'refused'; reason: string };

/**
 * Wraps accepted sockets in TLS through a tls.Server that never listens: it is handed each
 * socket whose first byte is a handshake, and reports the outcome with the client-certificate
 * verdict (authorized, authorizationError) Node computes for real TLS servers.
 */
export class TlsAcceptor {
  readonly #options: TlsServerOptions;
  readonly #server: TlsServer;
  /** Callbacks of sockets in their handshake, by "address:port". */
  readonly #waiting = new Map<string, (outcome: HandshakeOutcome) => void>();

  /** `handshakeTimeoutMs` bounds each handshake (a late one ends as a refusal). */
  constructor(options: TlsServerOptions, handshakeTimeoutMs: number) {
    this.#options = options;
    const askCert = options.clientAuth !== 'none';
    const serverOptions: TlsOptions = {
      cert: options.cert,
      key: options.key,
      requestCert: askCert,
      rejectUnauthorized: options.clientAuth === 'require',
      handshakeTimeout: handshakeTimeoutMs,
    };
    if (options.passphrase !== undefined) serverOptions.passphrase = options.passphrase;
    if (options.ca !== undefined) serverOptions.ca = options.ca;
    this.#server = createTlsServer(serverOptions);
    this.#server.on('secureConnection', (secure: TLSSocket) => this.#onSecure(secure));
    this.#server.on('tlsClientError', (error: Error, secure: TLSSocket) => {
      this.#settle(secure, { kind: 'refused', reason: `TLS handshake failed: ${error.message}` });
      secure.destroy();
    });
  }

  get mode(): 'permissive' | 'enforcing' {
    return this.#options.mode;
  }

  #onSecure(secure: TLSSocket): void {
    if (this.#options.clientAuth === 'optional' && !secure.authorized) {
      const presented = Object.keys(secure.getPeerCertificate()).length > 0;
      if (presented) {
        this.#settle(secure, {
          kind: 'refused',
          reason: `client certificate refused: ${String(secure.authorizationError)}`,
        });
        secure.destroy();
        return;
      }
    }
    this.#settle(secure, { kind: 'tls', socket: secure });
  }

  #settle(socket: Socket, outcome: HandshakeOutcome): void {
    const key = keyOf(socket);
    const done = this.#waiting.get(key);
    this.#waiting.delete(key);
    done?.(outcome);
  }

  /** Starts the handshake of a socket whose next byte is a TLS record. */
  wrap(socket: Socket, done: (outcome: HandshakeOutcome) => void): void {
    this.#waiting.set(keyOf(socket), done);
    this.#server.emit('connection', socket);
  }
}

function keyOf(socket: Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}

/**
 * Decides what an accepted socket is: reads its first byte, then hands back the plain socket,
 * a TLS socket after its handshake, or a refusal (the socket is then destroyed). `timeoutMs`
 * bounds the wait for the first byte; the acceptor's handshake timeout bounds the rest.
 * Once a socket is handed to the TLS layer only the TLS socket is destroyed: destroying the
 * raw socket and then its TLS socket at once crashes Node 20 (seen as a segfault at exit).
 */
export function acceptSecure(
  socket: Socket,
  acceptor: TlsAcceptor,
  timeoutMs: number,
  done: (outcome: HandshakeOutcome) => void,
): void {
  let settled = false;
  let isWrapped = false;
  const finish = (outcome: HandshakeOutcome) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (outcome.kind === 'refused' && !isWrapped) socket.destroy();
    done(outcome);
  };
  const timer = setTimeout(
    () => finish({ kind: 'refused', reason: 'no TLS handshake in time' }),
    timeoutMs,
  );
  timer.unref();
  const onError = (error: Error) => finish({ kind: 'refused', reason: error.message });
  const onClose = () => finish({ kind: 'refused', reason: 'closed before the handshake' });
  socket.once('error', onError);
  socket.once('close', onClose);
  socket.once('readable', () => {
    const first = socket.read(1) as Buffer | null;
    if (first === null) {
      finish({ kind: 'refused', reason: 'closed before the first byte' });
      return;
    }
    socket.unshift(first);
    if (first[0] === TLS_HANDSHAKE_RECORD) {
      isWrapped = true;
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      acceptor.wrap(socket, finish);
    } else if (acceptor.mode === 'enforcing') {
      finish({ kind: 'refused', reason: 'plain TCP refused: tls.server.mode=enforcing' });
    } else {
      socket.off('error', onError);
      socket.off('close', onClose);
      finish({ kind: 'plain', socket });
    }
  });
}

/** Opens a plain or TLS socket; `ready` is the event after which requests may be written. */
export function openSocket(
  host: string,
  port: number,
  tls: TlsClientOptions | undefined,
): { socket: Socket; ready: 'connect' | 'secureConnect' } {
  if (tls === undefined) {
    return { socket: connectPlain({ host, port, noDelay: true }), ready: 'connect' };
  }
  const isIp = /^[\d.]+$|:/.test(host);
  const options: ConnectionOptions = {
    host,
    port,
    rejectUnauthorized: tls.verifyServer ?? true,
  };
  if (tls.ca !== undefined) options.ca = tls.ca;
  if (tls.cert !== undefined) options.cert = tls.cert;
  if (tls.key !== undefined) options.key = tls.key;
  if (tls.passphrase !== undefined) options.passphrase = tls.passphrase;
  // SNI takes host names only; an IP is still checked against the certificate's IP entries.
  const servername = tls.servername ?? (isIp ? undefined : host);
  if (servername !== undefined) options.servername = servername;
  const socket = connectTls(options);
  socket.setNoDelay(true);
  return { socket, ready: 'secureConnect' };
}
