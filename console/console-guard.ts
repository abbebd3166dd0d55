// The console's request checks, pure: headers in, a refusal (HTTP status + stable code) or null
// out. Reads need a Host the console answers to (a DNS-rebinding page names its own host);
// actions also need a same-origin request (Sec-Fetch-Site, Origin), the console's own header (a
// cross-site form cannot send one, and a cross-site fetch with one needs a CORS preflight the
// console never grants), a JSON body, and the admin token.

import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../common/errors.js';

/** Header the console's own pages send with every action. */
export const CONSOLE_HEADER = 'x-petrel-console';
/** Header carrying the admin token. */
export const TOKEN_HEADER = 'x-petrel-console-token';

export interface Refusal {
  status: number;
  code: ErrorCode;
  message: string;
}

export type Headers = Readonly<Record<string, string | string[] | undefined>>;

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function hostName(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
}

/**
 * A console bound to loopback answers only to loopback host names: a page on another site that
 * points its own name at 127.0.0.1 (DNS rebinding) sends its name as Host and is refused.
 */
export function checkHost(headers: Headers, isLoopbackBound: boolean): Refusal | null {
  const host = header(headers, 'host');
  if (host === undefined) {
    return { status: 400, code: ErrorCode.CONSOLE_REQUEST_INVALID, message: 'no Host header' };
  }
  if (isLoopbackBound && !LOOPBACK_NAMES.has(hostName(host).toLowerCase())) {
    return {
      status: 403,
      code: ErrorCode.CONSOLE_CROSS_SITE,
      message: `this console answers to 127.0.0.1 and localhost, not ${host}`,
    };
  }
  return null;
}

/** Same-origin checks of a state-changing request. */
export function checkSameOrigin(headers: Headers): Refusal | null {
  const refuse = (message: string): Refusal => ({
    status: 403,
    code: ErrorCode.CONSOLE_CROSS_SITE,
    message,
  });
  const site = header(headers, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return refuse(`cross-site request refused (Sec-Fetch-Site: ${site})`);
  }
  const origin = header(headers, 'origin');
  const host = header(headers, 'host');
  if (origin !== undefined && origin !== `http://${host}`) {
    return refuse(`cross-site request refused (Origin ${origin} is not http://${host})`);
  }
  if (header(headers, CONSOLE_HEADER) !== '1') {
    return refuse(`actions need the header ${CONSOLE_HEADER}: 1 (the console's pages send it)`);
  }
  const type = header(headers, 'content-type') ?? '';
  if (type.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    return {
      status: 415,
      code: ErrorCode.CONSOLE_REQUEST_INVALID,
      message: 'actions take a JSON body (Content-Type: application/json)',
    };
  }
  return null;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The admin token check, in constant time; `expected` undefined: the console is read-only. */
export function checkToken(headers: Headers, expected: string | undefined): Refusal | null {
  if (expected === undefined) {
    return {
      status: 403,
      code: ErrorCode.CONSOLE_TOKEN,
      message: 'this console is read-only: the NameServer has no consoleAdminToken',
    };
  }
  const given = header(headers, TOKEN_HEADER);
  if (given === undefined || !timingSafeEqual(digest(given), digest(expected))) {
    return {
      status: 401,
      code: ErrorCode.CONSOLE_TOKEN,
      message: `${given === undefined ? 'no' : 'wrong'} admin token (header ${TOKEN_HEADER})`,
    };
  }
  return null;
}
