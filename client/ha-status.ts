// The replication status a Petrel broker adds to GET_BROKER_RUNTIME_INFO under `petrelHaStatus`
// (JSON; broker/ha-status/ha-view.ts writes it), as `mqadmin haStatus --json` and the console
// read it. A RocketMQ broker has no such key: every field is then null or empty. The shape is
// documented in docs/operations.md ("haStatus --json") and only grows.

/** One replica as its master (or Raft leader) sees it. */
export interface ReplicaLag {
  /** Master/Slave: the slave's HA connection host:port; DLedger: its peer id (n1, ...). */
  id: string;
  address: string;
  /** CommitLog offset the replica holds up to. */
  ackOffset: number;
  lagBytes: number;
  /** Age in ms of the oldest message the replica lacks (0 when it lacks none). */
  lagMs: number;
  inSync: boolean;
  /** DLedger: the Raft index the leader knows the replica holds. */
  matchIndex?: number;
}

export interface HaDetails {
  /** MASTER_SLAVE, DLEDGER, or what a plugged-in provider names (CONTROLLER, ...). */
  mode: string;
  /** Store fence / controller epoch (epochKind "epoch") or Raft term ("term"). */
  epoch: number;
  epochKind: 'epoch' | 'term';
  raft: {
    selfId: string;
    role: string;
    leaderId: string | null;
    commitIndex: number;
    lastIndex: number;
  } | null;
  replicaLag: ReplicaLag[];
  /** Ids in sync, the master or leader first. */
  inSync: string[];
  inSyncWindowBytes: number;
  failovers: number;
  /** When (ms since the epoch) the last failover that made this master ended, and how long it took. */
  lastFailover: { atMs: number; durationMs: number } | null;
  elections: number;
  lastElection: { atMs: number; durationMs: number; outcome: string } | null;
}

const asObject = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function event<T extends object>(v: unknown, extra: (o: Record<string, unknown>) => T) {
  if (typeof v !== 'object' || v === null) return null;
  const o = asObject(v);
  return { atMs: num(o['atMs']), durationMs: num(o['durationMs']), ...extra(o) };
}

/** Reads the runtime table's petrelHaStatus; null when absent or not JSON (not a Petrel broker). */
export function parseHaDetails(table: Record<string, string> | null): HaDetails | null {
  const text = table?.['petrelHaStatus'];
  if (text === undefined) return null;
  let o: Record<string, unknown>;
  try {
    o = asObject(JSON.parse(text));
  } catch {
    return null;
  }
  const raft = o['raft'] === null || o['raft'] === undefined ? null : asObject(o['raft']);
  const replicas = Array.isArray(o['replicas']) ? o['replicas'].map(asObject) : [];
  return {
    mode: str(o['mode']),
    epoch: num(o['epoch']),
    epochKind: o['epochKind'] === 'term' ? 'term' : 'epoch',
    raft:
      raft === null
        ? null
        : {
            selfId: str(raft['selfId']),
            role: str(raft['role']),
            leaderId: typeof raft['leaderId'] === 'string' ? raft['leaderId'] : null,
            commitIndex: num(raft['commitIndex']),
            lastIndex: num(raft['lastIndex']),
          },
    replicaLag: replicas.map((r) => ({
      id: str(r['id']),
      address: str(r['address']),
      ackOffset: num(r['ackOffset']),
      lagBytes: num(r['lagBytes']),
      lagMs: num(r['lagMs']),
      inSync: r['inSync'] === true,
      ...(typeof r['matchIndex'] === 'number' ? { matchIndex: r['matchIndex'] } : {}),
    })),
    inSync: Array.isArray(o['inSync']) ? o['inSync'].map(str) : [],
    inSyncWindowBytes: num(o['inSyncWindowBytes']),
    failovers: num(o['failovers']),
    lastFailover: event(o['lastFailover'], () => ({})),
    elections: num(o['elections']),
    lastElection: event(o['lastElection'], (e) => ({ outcome: str(e['outcome']) })),
  };
}
