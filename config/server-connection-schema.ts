// Connection keys both servers read (RocketMQ NettyServerConfig): the NameServer and the broker
// close idle connections and cap open ones the same way.
// RocketMQ: remoting/.../netty/NettyServerConfig.java (serverChannelMaxIdleTimeSeconds).

import { int, type Schema } from './schema.js';

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
} satisfies Schema;
