// The RemotingServer options of a NameServer or a broker, from the connection keys of its config.

import type { RemotingServerOptions } from '../protocol/remoting-server.js';

export interface ConnectionLimitKeys {
  readonly serverChannelMaxIdleTimeSeconds: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  readonly maxFrameSizeBytes: number;
  readonly maxInFlightRequestsPerConnection: number;
}

export function remotingServerLimits(config: ConnectionLimitKeys): RemotingServerOptions {
  return {
    maxConnections: config.maxConnections,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    maxFrameSizeBytes: config.maxFrameSizeBytes,
    maxInFlightRequestsPerConnection: config.maxInFlightRequestsPerConnection,
    idleTimeoutMs: config.serverChannelMaxIdleTimeSeconds * 1000,
  };
}
