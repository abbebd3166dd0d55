// Petrel's replication status, which a Petrel broker adds to GET_BROKER_RUNTIME_INFO's table under
// `petrelHaStatus` as JSON (broker/ha-status/ writes it; `mqadmin haStatus --json` and the console
// read it). A RocketMQ broker has no such key. The shape is documented in docs/operations.md
// ("haStatus --json") and only grows.

/** The GET_BROKER_RUNTIME_INFO key carrying the status as JSON. */
export const HA_STATUS_KEY = 'petrelHaStatus';

/** One replica as its master (or Raft leader) sees it. */
export interface ReplicaLag {
  /** Master/Slave: the slave's HA connection host:port (as RocketMQ's HA runtime info); DLedger: its peer id. */
  id: string;
  address: string;
  /** CommitLog offset the replica holds up to (DLedger: the first byte of its first missing entry). */
  ackOffset: number;
  /** Bytes of the master's CommitLog the replica lacks. */
  lagBytes: number;
  /** Age in ms of the oldest message the replica lacks (0 when it lacks none). */
  lagMs: number;
  inSync: boolean;
  /** DLedger: the Raft index the leader knows the replica holds. */
  matchIndex?: number;
}

export interface HaEventBody {
  /** When it ended (ms since the epoch). */
  atMs: number;
  durationMs: number;
}

export interface HaStatusBody {
  /** MASTER_SLAVE, DLEDGER, or the mode a plugged-in provider names (CONTROLLER, ...). */
  mode: string;
  /** SYNC_MASTER, ASYNC_MASTER or SLAVE. */
  role: string;
  brokerId: number;
  /** Store fence (Master/Slave), controller epoch, or Raft term: see epochKind. */
  epoch: number;
  epochKind: 'epoch' | 'term';
  /** DLedger only. */
  raft: {
    selfId: string;
    role: string;
    leaderId: string | null;
    commitIndex: number;
    lastIndex: number;
  } | null;
  commitLogMaxOffset: number;
  /** Filled on the master or leader; empty elsewhere (a replica does not see its peers). */
  replicas: ReplicaLag[];
  /** Ids in sync, the master or leader first (itself: its broker address or Raft id). */
  inSync: string[];
  /** A replica lacking fewer bytes than this is in sync (haSlaveFallbehindMax). */
  inSyncWindowBytes: number;
  failovers: number;
  lastFailover: HaEventBody | null;
  elections: number;
  lastElection: (HaEventBody & { outcome: string }) | null;
}

const asObject = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function event(v: unknown): HaEventBody | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = asObject(v);
  return { atMs: num(o['atMs']), durationMs: num(o['durationMs']) };
}

function replica(o: Record<string, unknown>): ReplicaLag {
  return {
    id: str(o['id']),
    address: str(o['address']),
    ackOffset: num(o['ackOffset']),
    lagBytes: num(o['lagBytes']),
    lagMs: num(o['lagMs']),
    inSync: o['inSync'] === true,
    ...(typeof o['matchIndex'] === 'number' ? { matchIndex: o['matchIndex'] } : {}),
  };
}

function raftOf(v: unknown): HaStatusBody['raft'] {
  if (typeof v !== 'object' || v === null) return null;
  const raft = asObject(v);
  return {
    selfId: str(raft['selfId']),
    role: str(raft['role']),
    leaderId: typeof raft['leaderId'] === 'string' ? raft['leaderId'] : null,
    commitIndex: num(raft['commitIndex']),
    lastIndex: num(raft['lastIndex']),
  };
}

/** Reads a runtime table's petrelHaStatus; null when absent or not JSON (not a Petrel broker). */
export function parseHaStatus(table: Record<string, string> | null): HaStatusBody | null {
  const text = table?.[HA_STATUS_KEY];
  if (text === undefined) return null;
  let o: Record<string, unknown>;
  try {
    o = asObject(JSON.parse(text));
  } catch {
    return null;
  }
  const lastElection = event(o['lastElection']);
  return {
    mode: str(o['mode']),
    role: str(o['role']),
    brokerId: num(o['brokerId']),
    epoch: num(o['epoch']),
    epochKind: o['epochKind'] === 'term' ? 'term' : 'epoch',
    raft: raftOf(o['raft']),
    commitLogMaxOffset: num(o['commitLogMaxOffset']),
    replicas: Array.isArray(o['replicas']) ? o['replicas'].map((r) => replica(asObject(r))) : [],
    inSync: Array.isArray(o['inSync']) ? o['inSync'].map(str) : [],
    inSyncWindowBytes: num(o['inSyncWindowBytes']),
    failovers: num(o['failovers']),
    lastFailover: event(o['lastFailover']),
    elections: num(o['elections']),
    lastElection:
      lastElection === null
        ? null
        : { ...lastElection, outcome: str(asObject(o['lastElection'])['outcome']) },
  };
}
