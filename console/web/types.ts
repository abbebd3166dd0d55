// The shapes the console's API answers (console/console-api.ts builds them from the admin
// client's results); only the fields the pages use.

export interface Member {
  brokerId: number;
  address: string;
  role: string | null;
  epoch: number | null;
  commitLogMaxOffset: number | null;
  lagBytes: number | null;
  lagMs: number | null;
  inSync: boolean;
  error: string | null;
}

export interface Marks {
  diedMasters: Array<{ address: string; atMs: number; reason: string | null }>;
  tookOver: { address: string; atMs: number; masterlessMs: number | null } | null;
}

export interface Group {
  clusterName: string;
  brokerName: string;
  master: string | null;
  members: Member[];
  inSyncSet: string[];
  marks: Marks;
}

export interface ClusterView {
  nowMs: number;
  groups: Group[];
  goneGroups: Array<{ brokerName: string; marks: Marks }>;
}

export interface RoleEvent {
  seq: number;
  atMs: number;
  kind: string;
  brokerName: string;
  brokerAddr: string;
  brokerId: number;
  reason: string | null;
  wasReplica: boolean;
  masterlessMs: number | null;
}

export interface Failover {
  brokerName: string;
  goneAddr: string | null;
  goneAtMs: number | null;
  reason: string | null;
  newAddr: string;
  upAtMs: number;
  promoted: boolean;
  masterlessMs: number | null;
}

export interface QueueRow {
  queue: { topic: string; brokerName: string; queueId: number };
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

export interface ProgressRow {
  queue: { topic: string; brokerName: string; queueId: number };
  brokerOffset: number;
  consumerOffset: number;
  diff: number;
}

export interface GroupView {
  progress: { group: string; queues: ProgressRow[]; consumeTps: number; diffTotal: number };
  connection: {
    connectionSet: Array<{
      clientId: string;
      clientAddr: string;
      language: string;
      version: number;
    }>;
  } | null;
  connectionError: string | null;
}

export interface MessageJson {
  topic: string;
  msgId: string;
  offsetMsgId: string;
  keys: string[];
  tags: string | undefined;
  brokerName: string;
  queueId: number;
  queueOffset: number;
  reconsumeTimes: number;
  storeTimestamp: number;
  body: string;
}

export interface Journey {
  traces: Array<{
    type: string;
    groupName: string;
    timestamp: number;
    success: boolean;
    topic: string;
  }>;
  copies: Array<{
    storedTopic: string;
    targetTopic: string;
    group: string;
    kind: string;
    scheduled: boolean;
    message: MessageJson;
  }>;
}

export interface Stats {
  atMs: number;
  brokers: Array<{
    brokerName: string;
    brokerId: number;
    putTotal: number | null;
    getTotal: number | null;
  }>;
  lagTotal: number;
}
