// DLedger (Raft) mode keys. The first seven are RocketMQ MessageStoreConfig keys (note RocketMQ's
// spelling "DLeger"); the timing and limit keys are DLedgerConfig's names, which RocketMQ does not
// expose in broker files, so they are Petrel-only. Cross-field rules (peers and self id required,
// self id among the peers, brokerId decided at runtime) are in load.ts validate().
// RocketMQ: store/.../config/MessageStoreConfig.java, store/.../dledger/DLedgerCommitLog.java;
// DLedger: DLedgerConfig.java.

import { bool, dledgerPeers, type InferConfig, int, type Schema, str } from './schema.js';

const PEER_ID = /^[A-Za-z]\d+$/;
const PEER_ID_DOC = 'a peer id like n0';

export const dledgerSchema = {
  enableDLegerCommitLog: bool({
    default: false,
    doc: 'Replace the CommitLog with a DLedger Raft log: the group elects its master, and brokerRole and brokerId are decided at runtime.',
  }),
  dLegerGroup: str({
    optional: true,
    doc: 'Raft group name; unset means brokerName (the recommended value).',
  }),
  dLegerPeers: dledgerPeers({
    optional: true,
    doc: 'Every member of the group: `n0-host:port;n1-host:port;n2-host:port` with DLedger RPC ports, identical on all members.',
  }),
  dLegerSelfId: str({
    optional: true,
    pattern: PEER_ID,
    accepts: PEER_ID_DOC,
    doc: "This member's id; must be one of the ids in dLegerPeers.",
  }),
  preferredLeaderId: str({
    optional: true,
    pattern: /^[A-Za-z]\d+(;[A-Za-z]\d+)*$/,
    accepts: 'peer ids separated by ";"',
    doc: 'Peer id(s) the leader hands leadership to when they are caught up.',
  }),
  storePathDLedgerCommitLog: str({
    optional: true,
    doc: 'DLedger data directory; unset means `<storePathRootDir>/dledger-<dLegerSelfId>/data`.',
  }),
  enableBatchPush: bool({
    default: false,
    doc: 'Leader pushes entries to followers in batches.',
  }),
  heartBeatTimeIntervalMs: int({
    min: 1,
    unit: 'ms',
    default: 200,
    petrelOnly: true,
    doc: 'Leader heartbeat period; a follower starts an election after maxHeartBeatLeak to twice that many missed heartbeats (DLedger defaults to 2000 ms: elections after 6-12 s).',
  }),
  maxHeartBeatLeak: int({
    min: 1,
    max: 100,
    default: 3,
    petrelOnly: true,
    doc: 'Heartbeats a follower may miss before it starts an election.',
  }),
  minVoteIntervalMs: int({
    min: 1,
    unit: 'ms',
    default: 300,
    petrelOnly: true,
    doc: 'Lower bound of the randomized delay before a candidate votes again.',
  }),
  maxVoteIntervalMs: int({
    min: 1,
    unit: 'ms',
    default: 1000,
    petrelOnly: true,
    doc: 'Upper bound of the randomized delay before a candidate votes again.',
  }),
  maxWaitAckTimeMs: int({
    min: 1,
    unit: 'ms',
    default: 2500,
    petrelOnly: true,
    doc: 'How long an append waits for a quorum before it fails.',
  }),
  maxPendingRequestsNum: int({
    min: 1,
    default: 10_000,
    petrelOnly: true,
    doc: 'Most appends waiting for a quorum; beyond it appends are refused.',
  }),
} satisfies Schema;

export type DledgerConfig = InferConfig<typeof dledgerSchema>;
