// NameServer keys Petrel uses (RocketMQ NamesrvConfig and NettyServerConfig), plus the two timing
// values RocketMQ 4.x hard-codes in RouteInfoManager and NamesrvController, exposed under names of
// our own so tests and small deployments can shorten them.
// RocketMQ: common/.../namesrv/NamesrvConfig.java, namesrv/.../NamesrvStartup.java,
// namesrv/.../routeinfo/RouteInfoManager.java (BROKER_CHANNEL_EXPIRED_TIME).

import { namesrvControllerSchema } from './controller-schema.js';
import { metricsSchema } from './metrics-schema.js';
import { bool, type InferConfig, int, type Schema, str } from './schema.js';
import { namesrvAclSchema, tlsServerSchema } from './security-schema.js';
import { serverConnectionSchema } from './server-connection-schema.js';

export const namesrvSchema = {
  listenPort: int({
    min: 0,
    max: 65535,
    default: 9876,
    doc: 'Port brokers and clients connect to (0 picks a free port).',
  }),
  bindAddress: str({
    default: '0.0.0.0',
    petrelOnly: true,
    doc: 'Local address the port listens on (RocketMQ 4.x always listens on every address).',
  }),
  ...serverConnectionSchema,
  kvConfigPath: str({
    hostDefault: {
      describe: '`<home>/namesrv/kvConfig.json`',
      resolve: (host) => `${host.homeDir}/namesrv/kvConfig.json`,
    },
    doc: 'File that keeps the KV config (for example ORDER_TOPIC_CONFIG entries).',
  }),
  orderMessageEnable: bool({
    default: false,
    doc: 'Return ORDER_TOPIC_CONFIG from the KV config with topic routes.',
  }),
  brokerChannelExpiredTime: int({
    min: 1,
    unit: 'ms',
    default: 120_000,
    petrelOnly: true,
    doc: 'A broker that has not registered for this long is removed from routes (RocketMQ 4.x: fixed 120 s).',
  }),
  scanNotActiveBrokerInterval: int({
    min: 1,
    unit: 'ms',
    default: 10_000,
    petrelOnly: true,
    doc: 'How often expired brokers are looked for (RocketMQ 4.x: fixed 10 s; RocketMQ 5 has this key).',
  }),
  ...namesrvAclSchema,
  ...tlsServerSchema,
  ...metricsSchema,
  ...namesrvControllerSchema,
} satisfies Schema;

export type NamesrvConfig = InferConfig<typeof namesrvSchema>;
