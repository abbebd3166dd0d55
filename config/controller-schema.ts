// Controller keys (RocketMQ 5 controller mode, docs/controller.md): read by a NameServer with
// enableControllerInNamesrv=true and by the standalone `mqcontroller -c controller.properties`.
// The first seven are RocketMQ's ControllerConfig names; the timing and bound keys below them
// are Petrel's, with defaults chosen so a dead master is replaced about 1.1 s after its last
// heartbeat. RocketMQ ControllerConfig keys Petrel does not implement are refused when they
// change meaning and accepted with a warning when they are pure tuning (controllerRocketmqKeys).
// RocketMQ: common/.../ControllerConfig.java (tag rocketmq-all-5.1.4).

import { bool, dledgerPeers, type InferConfig, int, type Schema, str } from './schema.js';
import { serverConnectionSchema } from './server-connection-schema.js';

export const controllerSchema = {
  controllerDLegerGroup: str({
    optional: true,
    doc: 'Raft group name of the controllers (the same on every controller).',
  }),
  controllerDLegerPeers: dledgerPeers({
    optional: true,
    doc: 'Every controller: `n0-host:port;n1-host:port;n2-host:port` with their Raft ports (controller requests go to the remoting port, not these).',
  }),
  controllerDLegerSelfId: str({
    optional: true,
    pattern: /^[A-Za-z]\d+$/,
    accepts: 'a peer id like n0',
    doc: "This controller's id; must be one of the ids in controllerDLegerPeers.",
  }),
  controllerStorePath: str({
    hostDefault: {
      describe: '`<home>/DledgerController`',
      resolve: (host) => `${host.homeDir}/DledgerController`,
    },
    doc: "Directory of the controller's Raft log (one subdirectory per controllerDLegerSelfId).",
  }),
  enableElectUncleanMaster: bool({
    default: false,
    doc: 'Allow electing a replica outside the SyncStateSet when no member is alive; acknowledged messages may be lost (the loss window is logged).',
  }),
  notifyBrokerRoleChanged: bool({
    default: true,
    doc: 'After an election, tell every alive replica of the group at once (NOTIFY_BROKER_ROLE_CHANGED); otherwise brokers learn it when they next poll.',
  }),
  scanInactiveMasterInterval: int({
    min: 10,
    unit: 'ms',
    default: 100,
    doc: 'How often the controller leader looks for groups whose master stopped heartbeating (RocketMQ: 5000).',
  }),
  controllerHeartBeatTimeoutMills: int({
    min: 100,
    unit: 'ms',
    default: 1000,
    petrelOnly: true,
    doc: 'Heartbeat timeout for brokers that do not send heartbeatTimeoutMills, and the grace a new controller leader gives every replica.',
  }),
  controllerRequestThreadPoolQueueCapacity: int({
    min: 1,
    default: 10_000,
    doc: 'Controller requests waiting for the leader at most; beyond it they get SYSTEM_BUSY.',
  }),
  controllerMaxBrokerGroups: int({
    min: 1,
    default: 1024,
    petrelOnly: true,
    doc: 'Broker groups the controller keeps at most; a new group beyond it is refused.',
  }),
  controllerType: str({
    default: 'DLedger',
    doc: 'The controllers replicate with Raft (DLedger-style); only `DLedger` is supported (RocketMQ 5.2 also has `jRaft`).',
  }),
  processReadEvent: bool({
    default: false,
    doc: 'Only `false`: reads are answered by the ready Raft leader from its applied state, never through the log.',
  }),
  controllerMaxReplicasPerGroup: int({
    min: 1,
    max: 1024,
    default: 16,
    petrelOnly: true,
    doc: 'Broker ids per group at most; an APPLY_BROKER_ID beyond it is refused.',
  }),
} satisfies Schema;

export type ControllerConfig = InferConfig<typeof controllerSchema>;

/** The NameServer's switch for hosting a controller. */
export const namesrvControllerSchema = {
  enableControllerInNamesrv: bool({
    default: false,
    doc: 'Run a controller (RocketMQ 5 controller mode) inside this NameServer; it answers controller requests on listenPort.',
  }),
  ...controllerSchema,
} satisfies Schema;

/** A standalone controller process: its remoting port and the controller keys. */
export const controllerProcessSchema = {
  listenPort: int({
    min: 0,
    max: 65535,
    default: 9880,
    petrelOnly: true,
    doc: 'Port brokers and mqadmin send controller requests to (0 picks a free port); RocketMQ serves them on the Raft port instead.',
  }),
  bindAddress: str({
    default: '0.0.0.0',
    petrelOnly: true,
    doc: 'Local address the port listens on.',
  }),
  ...serverConnectionSchema,
  ...controllerSchema,
} satisfies Schema;

export type ControllerProcessConfig = InferConfig<typeof controllerProcessSchema>;

/**
 * RocketMQ 5 ControllerConfig keys Petrel does not implement whose value changes behaviour: a
 * file that sets one is refused (E_CONFIG_UNSUPPORTED), never silently ignored.
 */
export const unsupportedControllerKeys: Readonly<Record<string, string>> = {
  jRaftGroupId: 'JRaft controllers are not implemented; use controllerDLegerPeers',
  jRaftServerId: 'JRaft controllers are not implemented; use controllerDLegerSelfId',
  jRaftInitConf: 'JRaft controllers are not implemented; use controllerDLegerPeers',
  jRaftControllerRPCAddr: 'JRaft controllers are not implemented',
};

/**
 * Every key RocketMQ 5's ControllerConfig reads (its setters, rocketmq-all-5.1.4, plus
 * controllerType and electMasterMaxRetryCount of 5.3).
 */
export const rocketmqControllerKeys: readonly string[] = [
  'rocketmqHome',
  'configStorePath',
  'scanNotActiveBrokerInterval',
  'controllerThreadPoolNums',
  'controllerRequestThreadPoolQueueCapacity',
  'controllerDLegerGroup',
  'controllerDLegerPeers',
  'controllerDLegerSelfId',
  'mappedFileSize',
  'controllerStorePath',
  'enableElectUncleanMaster',
  'processReadEvent',
  'notifyBrokerRoleChanged',
  'scanInactiveMasterInterval',
  'metricsExporterType',
  'metricsGrpcExporterTarget',
  'metricsGrpcExporterHeader',
  'metricGrpcExporterTimeOutInMills',
  'metricGrpcExporterIntervalInMills',
  'metricLoggingExporterIntervalInMills',
  'metricsPromExporterPort',
  'metricsPromExporterHost',
  'metricsLabel',
  'metricsInDelta',
  'controllerType',
  'electMasterMaxRetryCount',
];

/** RocketMQ 5 ControllerConfig tuning keys Petrel does not use: accepted with a warning. */
export const controllerTuningKeys: readonly string[] = rocketmqControllerKeys.filter(
  (key) => !Object.hasOwn(controllerSchema, key) && !Object.hasOwn(unsupportedControllerKeys, key),
);
