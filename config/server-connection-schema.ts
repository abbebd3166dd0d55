// Connection keys both servers read: the limits that protect a NameServer or a broker from a
// misbehaving client. RocketMQ has serverChannelMaxIdleTimeSeconds (NettyServerConfig); the
// others are Petrel's, each with a safe default and a test (docs/security.md lists them).
// RocketMQ: remoting/.../netty/NettyServerConfig.java (serverChannelMaxIdleTimeSeconds).

import { Limits } from '../common/limits.js';
import { int, type Schema, size } from './schema.js';

export const serverConnectionSchema = {
  serverChannelMaxIdleTimeSeconds: int({
    min: 0,
    unit: 's',
    default: 120,
    doc: 'A connection that sends nothing for this long while nothing is pending is closed (0 = never).',
  }),
  maxConnections: int({
    min: 1,
    default: 10_000,
    petrelOnly: true,
    doc: 'Open connections at most; a further one is closed at accept.',
  }),
  maxConnectionsPerAddress: int({
    min: 1,
    default: 1000,
    petrelOnly: true,
    doc: 'Open connections from one client IP at most; a further one is closed at accept.',
  }),
  maxFrameSizeBytes: size({
    min: 1024,
    default: Limits.maxFrameSizeBytes,
    petrelOnly: true,
    doc: 'Largest request frame (length field included); a longer one closes its connection after its 4-byte length is read.',
  }),
  maxInFlightRequestsPerConnection: int({
    min: 1,
    default: 1024,
    petrelOnly: true,
    doc: 'Requests of one connection being handled at once; beyond it the server stops reading that connection until some are answered.',
  }),
} satisfies Schema;
