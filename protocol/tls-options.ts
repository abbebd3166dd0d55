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
  createSecureContext,
  type SecureContext,
  TLSSocket,
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

/** A server-side context built once per server. */
export function serverSecureContext(options: TlsServerOptions): SecureContext {
  const context: Parameters<typeof createSecureContext>[0] = {
    cert: options.cert,
    key: options.key,
  };
  if (options.passphrase !== undefined) context.passphrase = options.passphrase;
  if (options.ca !== undefined) context.ca = options.ca;
  return createSecureContext(context);
}

function wrapServerSocket(
  socket: Socket,
  options: TlsServerOptions,
  context: SecureContext,
  done: (outcome: HandshakeOutcome) => void,
): void {
  const askCert = options.clientAuth !== 'none';
  const secure = new TLSSocket(socket, {
    isServer: true,
    secureContext: context,
    requestCert: askCert,
    rejectUnauthorized: options.clientAuth === 'require',
  });
  const fail = (reason: string) => {
    secure.destroy();
    done({ kind: 'refused', reason });
  };
  secure.once('error', (error) => fail(`TLS handshake failed: ${error.message}`));
  secure.once('secure', () => {
    secure.removeAllListeners('error');
    if (askCert && !secure.authorized) {
      const presented = Object.keys(secure.getPeerCertificate()).length > 0;
      if (presented || options.clientAuth === 'require') {
        fail(`client certificate refused: ${String(secure.authorizationError)}`);
        return;
      }
    }
    done({ kind: 'tls', socket: secure });
  });
}

/**
 * Decides what an accepted socket is: reads its first byte, then hands back the plain socket,
 * a TLS socket after its handshake, or a refusal (the socket is then destroyed). `timeoutMs`
 * bounds the wait for the first byte and the handshake.
 */
export function acceptSecure(
  socket: Socket,
  options: TlsServerOptions,
  context: SecureContext,
  timeoutMs: number,
  done: (outcome: HandshakeOutcome) => void,
): void {
  let settled = false;
  const finish = (outcome: HandshakeOutcome) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (outcome.kind === 'refused') socket.destroy();
    done(outcome);
  };
  const timer = setTimeout(
    () => finish({ kind: 'refused', reason: 'no TLS handshake in time' }),
    timeoutMs,
  );
  timer.unref();
  socket.once('error', (error) => finish({ kind: 'refused', reason: error.message }));
  socket.once('close', () => finish({ kind: 'refused', reason: 'closed before the handshake' }));
  socket.once('readable', () => {
    const first = socket.read(1) as Buffer | null;
    if (first === null) {
      finish({ kind: 'refused', reason: 'closed before the first byte' });
      return;
    }
    socket.unshift(first);
    socket.removeAllListeners('error');
    socket.removeAllListeners('close');
    if (first[0] === TLS_HANDSHAKE_RECORD) {
      wrapServerSocket(socket, options, context, finish);
    } else if (options.mode === 'enforcing') {
      finish({ kind: 'refused', reason: 'plain TCP refused: tls.server.mode=enforcing' });
    } else {
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
