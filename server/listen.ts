// Listening with a clear error: the broker and the NameServer (and their HTTP endpoints: metrics,
// the console) turn a failed listen (address in use, not a local address, no permission) into
// MqError E_LISTEN_FAILED naming the address.

import type { Server } from 'node:http';
import { ErrorCode, MqError } from '../common/errors.js';
import type { RemotingServer } from '../protocol/index.js';

export async function listenOrExplain(
  server: RemotingServer,
  what: string,
  host: string,
  port: number,
): Promise<{ host: string; port: number }> {
  try {
    return await server.listen({ host, port });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MqError(
      ErrorCode.LISTEN_FAILED,
      `The ${what} cannot listen on ${host}:${port}: ${reason}`,
      { host, port },
      { cause: error },
    );
  }
}

/** An HTTP server's listen; `what` names it and the keys that set its address, for the error. */
export function listenHttpOrExplain(
  server: Server,
  what: string,
  host: string,
  port: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      reject(
        new MqError(
          ErrorCode.LISTEN_FAILED,
          `The ${what} cannot listen on ${host}:${port}: ${error.message}`,
          { host, port },
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen({ host: host === '' ? undefined : host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
