// Broker keys of RocketMQ 5 controller mode (automatic master election for Master/Slave groups):
// BrokerConfig's enableControllerMode, controllerAddr and periods, MessageStoreConfig's
// allAckInSyncStateSet, haMaxTimeSlaveNotCatchup and storePathEpochFile. Cross-field rules
// (controllerAddr required, no DLedger, brokerRole and brokerId decided at runtime) are in
// validate.ts. RocketMQ 5 keys of this mode that Petrel does not implement are refused by the
// loader (unsupported-keys.ts); tuning-only ones are accepted with a warning.
// RocketMQ: common/.../BrokerConfig.java, store/.../config/MessageStoreConfig.java (5.1).
//
// Petrel's defaults are faster than RocketMQ's (heartbeats every 200 ms, a broker given up after
// 1 s without one, where RocketMQ's 1 s / 10 s make a failover take 10-15 s).

import { addressList, bool, type InferConfig, int, type Schema, str } from './schema.js';

export const controllerModeSchema = {
  enableControllerMode: bool({
    default: false,
    doc: 'RocketMQ 5 controller mode: the controller (in the NameServer with enableControllerInNamesrv, or mqcontroller) elects the master of this group; brokerRole and brokerId are decided at runtime.',
  }),
  controllerAddr: addressList({
    optional: true,
    doc: 'Controller addresses `host:port;host:port`: every controller of the Raft group (the broker follows the leader).',
  }),
  allAckInSyncStateSet: bool({
    default: false,
    doc: 'SEND_OK only once every SyncStateSet member holds the message (the master alone when the set shrank to it). false: the master acknowledges after its own write, as ASYNC_MASTER.',
  }),
  syncBrokerMetadataPeriod: int({
    min: 50,
    unit: 'ms',
    default: 1000,
    doc: 'How often the broker asks the controller for its group (get replica info), besides the role-change notifications (RocketMQ: 5000).',
  }),
  checkSyncStateSetPeriod: int({
    min: 50,
    unit: 'ms',
    default: 1000,
    doc: "How often a master checks its replicas' progress and asks the controller to shrink or grow the SyncStateSet (RocketMQ: 5000).",
  }),
  haMaxTimeSlaveNotCatchup: int({
    min: 100,
    unit: 'ms',
    default: 15_000,
    doc: 'A SyncStateSet replica that has not caught up with the master for this long is removed from the set.',
  }),
  storePathEpochFile: str({
    optional: true,
    doc: 'Epoch file (epoch -> start offset); unset means `<storePathRootDir>/epochFileCheckpoint`.',
  }),
  brokerHeartbeatInterval: int({
    min: 20,
    unit: 'ms',
    default: 200,
    doc: 'How often the broker sends a heartbeat (with its epoch and offsets) to the controller (RocketMQ: 1000).',
  }),
  controllerHeartBeatTimeoutMills: int({
    min: 100,
    unit: 'ms',
    default: 1000,
    doc: 'How long the controller waits without a heartbeat before it takes this broker for dead, carried in each heartbeat (RocketMQ: 10000).',
  }),
} satisfies Schema;

export type ControllerModeConfig = InferConfig<typeof controllerModeSchema>;
