// Listening with a clear error: the broker and the NameServer turn a failed listen (address in
// use, not a local address, no permission) into MqError E_LISTEN_FAILED naming the address.

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
