// The console's HTTP server (plain node:http): the page, its scripts (compiled from console/web/
// and read into memory at start, so no request names a file), GET /api/<view> and
// POST /api/actions/<name>. Bounded: request bodies (16 KiB), a deadline per request, a number of
// API requests at once (more are answered 503 at once), header and idle timeouts. No CORS: the
// console never answers a preflight, so other sites' scripts cannot call it.

import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Admin } from '../client/admin.js';
import { AdminOps } from '../client/admin-ops.js';
import type { Clock } from '../common/clock.js';
import { ErrorCode, MqError } from '../common/errors.js';
import { ControllerClient } from '../server/controller-client.js';
import { listenHttpOrExplain } from '../server/listen.js';
import { type ActionBody, runAction } from './console-actions.js';
import { ConsoleApi, type Query } from './console-api.js';
import { checkHost, checkSameOrigin, checkToken, type Refusal } from './console-guard.js';
import { CONSOLE_CSS, consolePage } from './console-page.js';
import type { RoleHistory } from './role-history.js';

export const MAX_BODY_BYTES = 16 * 1024;

export interface ConsoleOptions {
  host: string;
  port: number;
  adminToken: string | undefined;
  requestTimeoutMs: number;
  maxConcurrentRequests: number;
  /** The NameServer the console's admin client asks ("host:port"). */
  namesrvAddr: string;
  /** The controllers' remoting addresses when this NameServer hosts one; [] otherwise. */
  controllerAddrs: readonly string[];
}

export interface ConsoleHandle {
  /** http://host:port/ as bound. */
  readonly url: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** The compiled browser scripts, dist/console/web/*.js, by file name. */
function loadAssets(): Map<string, Buffer> {
  const dir = fileURLToPath(new URL('./web/', import.meta.url));
  const assets = new Map<string, Buffer>();
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.js')) assets.set(file, readFileSync(`${dir}${file}`));
  }
  if (!assets.has('app.js')) {
    throw new MqError(ErrorCode.CONFIG_INVALID, `the console's scripts are missing from ${dir}`);
  }
  return assets;
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  if (response.headersSent) return;
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type }).end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function refuse(response: ServerResponse, r: Refusal): void {
  sendJson(response, r.status, { error: { code: r.code, message: r.message } });
}

function statusOf(error: unknown): number {
  if (!(error instanceof MqError)) return error instanceof TypeError ? 400 : 500;
  if (error.code === ErrorCode.CONSOLE_REQUEST_INVALID) return 400;
  if (error.code === ErrorCode.NO_ROUTE) return 404;
  if (error.code === ErrorCode.REQUEST_TIMEOUT) return 504;
  return 502;
}

function readBody(request: IncomingMessage): Promise<ActionBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the bound the rest is read and dropped (the server's requestTimeout ends a stream
      // that never stops), so the client gets the refusal rather than a reset.
      if (size > MAX_BODY_BYTES) {
        chunks.length = 0;
        reject(new MqError(ErrorCode.CONSOLE_REQUEST_INVALID, `body over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      try {
        const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw 0;
        resolve(value as ActionBody);
      } catch {
        reject(new MqError(ErrorCode.CONSOLE_REQUEST_INVALID, 'the body is not a JSON object'));
      }
    });
  });
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new MqError(ErrorCode.REQUEST_TIMEOUT, `the console request took over ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

interface Served {
  options: ConsoleOptions;
  assets: ReadonlyMap<string, Buffer>;
  admin: Admin;
  ops: AdminOps;
  controller: ControllerClient | undefined;
  api: ConsoleApi;
  isLoopbackBound: boolean;
  inFlight: number;
}

async function serveApi(s: Served, request: IncomingMessage, url: URL): Promise<unknown> {
  const path = url.pathname.slice('/api/'.length);
  if (path.startsWith('actions/')) {
    if (request.method !== 'POST') throw new MqError(ErrorCode.CONSOLE_REQUEST_INVALID, 'POST');
    const body = await readBody(request);
    const done = runAction(s, path.slice('actions/'.length), body);
    if (done === undefined) throw new MqError(ErrorCode.CONSOLE_REQUEST_INVALID, 'no action');
    return done;
  }
  if (request.method !== 'GET') throw new MqError(ErrorCode.CONSOLE_REQUEST_INVALID, 'GET');
  const query: Query = Object.fromEntries(url.searchParams);
  const view = s.api.read(path, query);
  if (view === undefined) throw new MqError(ErrorCode.CONSOLE_REQUEST_INVALID, 'no view');
  return view;
}

/** The refusal a request gets before any work, or null. */
function gate(s: Served, request: IncomingMessage, url: URL): Refusal | null {
  const hostRefusal = checkHost(request.headers, s.isLoopbackBound);
  if (hostRefusal !== null || !url.pathname.startsWith('/api/')) return hostRefusal;
  if (url.pathname.startsWith('/api/actions/')) {
    const refusal =
      checkSameOrigin(request.headers) ?? checkToken(request.headers, s.options.adminToken);
    if (refusal !== null) return refusal;
  }
  if (s.inFlight >= s.options.maxConcurrentRequests) {
    return {
      status: 503,
      code: ErrorCode.CONSOLE_BUSY,
      message: `${s.inFlight} console requests are running; try again`,
    };
  }
  return null;
}

function handle(s: Served, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://console.invalid');
  const refusal = gate(s, request, url);
  if (refusal !== null) {
    refuse(response, refusal);
    return;
  }
  if (!url.pathname.startsWith('/api/')) {
    serveStatic(request, response, url, s.assets);
    return;
  }
  s.inFlight++;
  withDeadline(serveApi(s, request, url), s.options.requestTimeoutMs)
    .then(
      (value) => sendJson(response, 200, value),
      (error: unknown) => {
        const code = error instanceof MqError ? error.code : ErrorCode.CONSOLE_REQUEST_INVALID;
        const message = error instanceof Error ? error.message : String(error);
        sendJson(response, statusOf(error), { error: { code, message } });
      },
    )
    .finally(() => s.inFlight--);
}

export async function startConsole(
  options: ConsoleOptions,
  deps: { history: RoleHistory; clock: Clock },
): Promise<ConsoleHandle> {
  const assets = loadAssets();
  const clientOptions = {
    namesrvAddr: options.namesrvAddr,
    requestTimeoutMs: options.requestTimeoutMs,
  };
  const admin = new Admin(clientOptions);
  await admin.start();
  const ops = new AdminOps(clientOptions);
  const api = new ConsoleApi({
    admin,
    ops,
    history: deps.history,
    namesrvAddr: options.namesrvAddr,
    nowMs: () => deps.clock.nowMs(),
    readOnly: options.adminToken === undefined,
  });
  const isLoopbackBound = ['127.0.0.1', 'localhost', '::1'].includes(options.host);
  const controller =
    options.controllerAddrs.length === 0
      ? undefined
      : new ControllerClient({
          addresses: options.controllerAddrs,
          requestTimeoutMs: options.requestTimeoutMs,
        });
  const served: Served = {
    options,
    assets,
    admin,
    ops,
    controller,
    api,
    isLoopbackBound,
    inFlight: 0,
  };
  const server = createServer({ requestTimeout: options.requestTimeoutMs * 2 }, (req, res) =>
    handle(served, req, res),
  );
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 64;
  try {
    const what = 'console (consoleListenHost / consoleListenPort)';
    await listenHttpOrExplain(server, what, options.host, options.port);
  } catch (error) {
    await Promise.all([admin.shutdown(), ops.close(), controller?.close()]);
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost =
    options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/`,
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await Promise.all([admin.shutdown(), ops.close(), controller?.close()]);
      })();
      return closing;
    },
  };
}

function serveStatic(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  assets: ReadonlyMap<string, Buffer>,
): void {
  const asset = url.pathname.startsWith('/app/') ? assets.get(url.pathname.slice(5)) : undefined;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(response, 405, 'text/plain', 'only GET here\n');
  } else if (url.pathname === '/') {
    send(response, 200, 'text/html; charset=utf-8', consolePage());
  } else if (url.pathname === '/app/style.css') {
    send(response, 200, 'text/css', CONSOLE_CSS);
  } else if (asset === undefined) {
    send(response, 404, 'text/plain', 'not found\n');
  } else {
    send(response, 200, 'text/javascript; charset=utf-8', asset);
  }
}
