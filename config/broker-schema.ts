// Broker keys Petrel uses: identity and registration (RocketMQ BrokerConfig), the remoting port
// (NettyServerConfig), the read path and classic master/slave HA (MessageStoreConfig keys that
// belong to the broker rather than to the embedded store). Store keys are in store-schema.ts and
// DLedger keys in dledger-schema.ts; a broker .properties file is read against all three.
// RocketMQ: common/.../BrokerConfig.java, remoting/.../netty/NettyServerConfig.java,
// store/.../config/MessageStoreConfig.java, broker/.../BrokerStartup.java.

import { metricsSchema } from './metrics-schema.js';
import {
  addressList,
  bool,
  type InferConfig,
  int,
  parseHostPort,
  type Schema,
  size,
  str,
} from './schema.js';
import { brokerCredentialsSchema, securitySchema } from './security-schema.js';
import { serverConnectionSchema } from './server-connection-schema.js';

function checkHostPort(value: string): string | undefined {
  const parsed = parseHostPort(value);
  return parsed.ok ? undefined : parsed.reason;
}

const identity = {
  brokerClusterName: str({
    default: 'DefaultCluster',
    doc: 'Cluster the broker registers under with the NameServers.',
  }),
  brokerName: str({
    hostDefault: { describe: 'the host name', resolve: (host) => host.hostName },
    doc: 'Broker group name: a master and its slaves (or a DLedger group) share it.',
  }),
  brokerId: int({
    min: -1,
    max: Number.MAX_SAFE_INTEGER,
    default: 0,
    doc: '0 for the master, above 0 for a slave. Master roles force 0 and a SLAVE needs a value above 0; in DLedger mode it is -1 until Raft decides.',
  }),
  brokerIP1: str({
    hostDefault: {
      describe: 'the first non-loopback IPv4 address',
      resolve: (host) => host.localAddress,
    },
    doc: 'Address clients use: brokerIP1:listenPort is registered with the NameServers.',
  }),
  brokerIP2: str({
    hostDefault: { describe: 'brokerIP1', resolve: (host) => host.localAddress },
    doc: 'Address a master advertises for HA (brokerIP2:haListenPort); unset means brokerIP1.',
  }),
  namesrvAddr: addressList({
    optional: true,
    doc: 'NameServers to register with: `host:port;host:port`. Command line `-n` overrides it.',
  }),
  listenPort: int({
    min: 0,
    max: 65535,
    default: 10911,
    doc: 'Remoting port for clients and admin tools (0 picks a free port). RocketMQ also uses listenPort-2 as the VIP channel port.',
  }),
  bindAddress: str({
    default: '0.0.0.0',
    petrelOnly: true,
    doc: 'Local address the remoting port listens on (RocketMQ 4.x always listens on every address). What clients connect to is brokerIP1.',
  }),
  advertisedListenPort: int({
    min: 1,
    max: 65535,
    optional: true,
    petrelOnly: true,
    doc: 'Port registered with the NameServers and written into STOREHOST instead of the bound listenPort, for clients that reach the broker through a proxy. Unset means listenPort.',
  }),
  brokerPermission: int({
    min: 0,
    max: 15,
    default: 6,
    doc: 'Permission bits the broker registers: 4 read, 2 write (6 = read and write, 4 = read-only).',
  }),
} satisfies Schema;

const registration = {
  registerNameServerPeriod: int({
    min: 10_000,
    max: 60_000,
    clamp: true,
    unit: 'ms',
    default: 30_000,
    doc: 'How often the broker registers with every NameServer (RocketMQ clamps it to 10..60 s).',
  }),
  registerBrokerTimeoutMills: int({
    min: 1,
    unit: 'ms',
    default: 6000,
    doc: 'Timeout of one registration request.',
  }),
  forceRegister: bool({
    default: true,
    doc: 'Register every period even when the topic config has not changed.',
  }),
} satisfies Schema;

const topics = {
  autoCreateTopicEnable: bool({
    default: true,
    doc: 'Create a topic the first time a producer sends to it (turn off in production).',
  }),
  autoCreateSubscriptionGroup: bool({
    default: true,
    doc: 'Create a subscription group the first time a consumer uses it.',
  }),
  defaultTopicQueueNums: int({
    min: 1,
    max: 1024,
    default: 8,
    doc: 'Queues of an automatically created topic.',
  }),
  clusterTopicEnable: bool({
    default: true,
    doc: 'Create a topic named after the cluster (used by clients to address a cluster).',
  }),
  brokerTopicEnable: bool({
    default: true,
    doc: 'Create a topic named after the broker (used by clients to address a broker).',
  }),
  flushConsumerOffsetInterval: int({
    min: 1,
    unit: 'ms',
    default: 5000,
    doc: 'How often consumer offsets are persisted.',
  }),
} satisfies Schema;

const limits = {
  ...serverConnectionSchema,
  maxClients: int({
    min: 1,
    default: 10_000,
    petrelOnly: true,
    doc: 'Producer and consumer registrations (client id per group) at most; a heartbeat beyond it gets SYSTEM_BUSY.',
  }),
  clientChannelExpiredTime: int({
    min: 1,
    unit: 'ms',
    default: 120_000,
    petrelOnly: true,
    doc: 'A client that has not sent a heartbeat for this long is dropped from its groups (RocketMQ 4.x: fixed 120 s).',
  }),
  maxHeldPullRequests: int({
    min: 1,
    default: 10_000,
    petrelOnly: true,
    doc: 'Long-polling pulls held at once; a further empty pull that asks to wait gets SYSTEM_BUSY.',
  }),
  maxMessagesPerBatch: int({
    min: 1,
    max: 65_536,
    default: 4096,
    petrelOnly: true,
    doc: 'Messages in one SEND_BATCH_MESSAGE request at most (the batch body is also bounded by maxMessageSize).',
  }),
} satisfies Schema;

const delay = {
  messageDelayLevel: str({
    default: '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h',
    pattern: /^[1-9]\d{0,8}[smhd]( [1-9]\d{0,8}[smhd])*$/,
    accepts: 'delays like "1s 5s 1m 2h" (units s, m, h, d)',
    doc: 'Delay of each delay level, level 1 first: a message with property DELAY=n is delivered after the n-th delay (larger levels use the last).',
  }),
} satisfies Schema;

const readPath = {
  slaveReadEnable: bool({
    default: false,
    doc: 'Let the master redirect consumers to a slave when they read cold messages.',
  }),
  accessMessageInMemoryMaxRatio: int({
    min: 0,
    max: 100,
    unit: 'percent',
    default: 40,
    doc: 'Share of memory beyond which a read counts as cold (suggest a slave, smaller batches).',
  }),
  longPollingEnable: bool({
    default: true,
    doc: 'Hold a pull that finds no message until one arrives or the pull times out.',
  }),
  shortPollingTimeMills: int({
    min: 1,
    unit: 'ms',
    default: 1000,
    doc: 'Without long polling: how long an empty pull is held.',
  }),
  maxTransferBytesOnMessageInMemory: size({
    default: 256 * 1024,
    doc: 'Most bytes one pull returns when the messages are hot.',
  }),
  maxTransferCountOnMessageInMemory: int({
    min: 1,
    default: 32,
    doc: 'Most messages one pull returns when the messages are hot.',
  }),
  maxTransferBytesOnMessageInDisk: size({
    default: 64 * 1024,
    doc: 'Most bytes one pull returns when the messages are cold.',
  }),
  maxTransferCountOnMessageInDisk: int({
    min: 1,
    default: 8,
    doc: 'Most messages one pull returns when the messages are cold.',
  }),
} satisfies Schema;

const filter = {
  enablePropertyFilter: bool({
    default: false,
    doc: 'Let consumers filter messages with SQL92 expressions over message properties (expressionType=SQL92); off, such subscriptions are refused.',
  }),
  filterSupportRetry: bool({
    default: false,
    doc: "Apply a group's SQL92 filter to its retry topic too; off, every retried message is delivered.",
  }),
} satisfies Schema;

const orderly = {
  rebalanceLockMaxLiveTime: int({
    min: 1000,
    unit: 'ms',
    default: 60_000,
    petrelOnly: true,
    doc: 'How long a queue lock of an orderly consumer lasts after its last renewal (LOCK_BATCH_MQ); then another client of the group may take the queue (RocketMQ: system property rocketmq.broker.rebalance.lockMaxLiveTime).',
  }),
  maxQueueLocks: int({
    min: 1,
    default: 100_000,
    petrelOnly: true,
    doc: 'Queue locks of orderly consumers the broker keeps at most; beyond, lock requests lock nothing new.',
  }),
} satisfies Schema;

const transactions = {
  transactionTimeOut: int({
    min: 0,
    unit: 'ms',
    default: 6000,
    doc: 'A half message unresolved for this long (since it was stored) is checked with a producer of its group (CHECK_TRANSACTION_STATE); a message may set CHECK_IMMUNITY_TIME_IN_SECONDS instead.',
  }),
  transactionCheckMax: int({
    min: 1,
    max: 10_000,
    default: 15,
    doc: 'Checks of one half message; after the last one it is moved to TRANS_CHECK_MAX_TIME_TOPIC and dropped.',
  }),
  transactionCheckInterval: int({
    min: 100,
    unit: 'ms',
    default: 60_000,
    doc: 'Least time between two checks of one half message.',
  }),
  rejectTransactionMessage: bool({
    default: false,
    doc: 'Refuse prepared (transactional) sends with NO_PERMISSION.',
  }),
  maxPendingTransactions: int({
    min: 1,
    default: 100_000,
    petrelOnly: true,
    doc: 'Unresolved half messages the check service indexes at most; beyond, newer ones wait to be indexed.',
  }),
} satisfies Schema;

const traces = {
  traceTopicEnable: bool({
    default: false,
    doc: 'Create the message trace topic (msgTraceTopicName) that clients with message traces on write to.',
  }),
  msgTraceTopicName: str({
    default: 'RMQ_SYS_TRACE_TOPIC',
    doc: 'The message trace topic created when traceTopicEnable=true.',
  }),
} satisfies Schema;

const requestReply = {
  storeReplyMessageEnable: bool({
    default: true,
    doc: 'Store reply messages (SEND_REPLY_MESSAGE) in <cluster>_REPLY_TOPIC besides pushing them to the requesting client.',
  }),
} satisfies Schema;

const ha = {
  haMasterAddress: str({
    optional: true,
    check: checkHostPort,
    accepts: 'host:port',
    doc: 'Slave: the master HA address `host:port`; unset means learn it from the NameServer.',
  }),
  slaveSynchronizeInterval: int({
    min: 100,
    unit: 'ms',
    default: 10_000,
    petrelOnly: true,
    doc: "How often a slave copies topics, groups, consumer offsets and delay progress from its master, and a master merges its slaves' consumer offsets (RocketMQ: every 10 s, fixed).",
  }),
} satisfies Schema;

export const brokerSchema = {
  ...identity,
  ...registration,
  ...topics,
  ...limits,
  ...delay,
  ...readPath,
  ...filter,
  ...orderly,
  ...transactions,
  ...requestReply,
  ...traces,
  ...ha,
  ...securitySchema,
  ...brokerCredentialsSchema,
  ...metricsSchema,
} satisfies Schema;

export type BrokerOnlyConfig = InferConfig<typeof brokerSchema>;
