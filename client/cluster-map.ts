// The HA picture of a cluster, per broker group: who is master, each replica's role, epoch, how far
// it lags the master in bytes and in time, and which replicas are in sync. Built from the same
// GET_BROKER_RUNTIME_INFO answers mqadmin clusterList and haStatus read (Admin.clusterList), so
// the web console and mqadmin show one set of figures.
//
// Lag in bytes: the master's commitLogMaxOffset minus the replica's. Lag in time: the store time
// of the master's newest message minus that of the replica's (0 when no bytes are missing). A
// replica is in sync when it answers and lags by at most IN_SYNC_MAX_GAP_BYTES (RocketMQ 5's
// haMaxGapNotInSync default, 256 KiB).

import type { Admin, ClusterBroker } from './admin.js';

export const IN_SYNC_MAX_GAP_BYTES = 256 * 1024;

export interface ClusterMapMember {
  brokerId: number;
  address: string;
  /** brokerRole from the broker (SYNC_MASTER, ASYNC_MASTER, SLAVE), or null if silent. */
  role: string | null;
  /** The store's role fence: the Raft term (DLedger) or controller epoch; null if silent. */
  epoch: number | null;
  commitLogMaxOffset: number | null;
  /** Replicas: bytes behind the master; null for the master or when either is silent. */
  lagBytes: number | null;
  lagMs: number | null;
  inSync: boolean;
  /** Why the broker did not answer, or null. */
  error: string | null;
  /** Message counters since the broker started (msgPutTotalTodayNow, msgGetTotalTodayNow). */
  putTotal: number | null;
  getTotal: number | null;
}

export interface ClusterMapGroup {
  clusterName: string;
  brokerName: string;
  master: string | null;
  members: ClusterMapMember[];
  /** Addresses of the members in sync with the master, the master first. */
  inSyncSet: string[];
}

function figure(runtime: Record<string, string> | null, key: string): number | null {
  const text = runtime?.[key];
  if (text === undefined || text === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function member(row: ClusterBroker, master: ClusterBroker | undefined): ClusterMapMember {
  const maxOffset = figure(row.runtime, 'commitLogMaxOffset');
  const isMaster = row.brokerId === 0;
  const masterMax = master === undefined ? null : figure(master.runtime, 'commitLogMaxOffset');
  let lagBytes: number | null = null;
  let lagMs: number | null = null;
  if (!isMaster && maxOffset !== null && masterMax !== null) {
    lagBytes = Math.max(0, masterMax - maxOffset);
    const masterTime = figure(master?.runtime ?? null, 'commitLogMaxStoreTimestamp');
    const ownTime = figure(row.runtime, 'commitLogMaxStoreTimestamp');
    lagMs = lagBytes === 0 ? 0 : masterTime && ownTime ? Math.max(0, masterTime - ownTime) : null;
  }
  return {
    brokerId: row.brokerId,
    address: row.address,
    role: row.runtime?.['brokerRole'] ?? null,
    epoch: figure(row.runtime, 'storeRoleFence'),
    commitLogMaxOffset: maxOffset,
    lagBytes,
    lagMs,
    inSync: row.runtime !== null && (isMaster || (lagBytes ?? Infinity) <= IN_SYNC_MAX_GAP_BYTES),
    error: row.error,
    putTotal: figure(row.runtime, 'msgPutTotalTodayNow'),
    getTotal: figure(row.runtime, 'msgGetTotalTodayNow'),
  };
}

/** Groups the rows of Admin.clusterList() into the cluster map (pure). */
export function clusterMapOf(rows: readonly ClusterBroker[]): ClusterMapGroup[] {
  const groups = new Map<string, ClusterBroker[]>();
  for (const row of rows) {
    const key = `${row.clusterName}\u0000${row.brokerName}`;
    const list = groups.get(key) ?? [];
    list.push(row);
    groups.set(key, list);
  }
  const out: ClusterMapGroup[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    const master = list.find((r) => r.brokerId === 0);
    const members = list.map((r) => member(r, master)).sort((a, b) => a.brokerId - b.brokerId);
    out.push({
      clusterName: first.clusterName,
      brokerName: first.brokerName,
      master: master?.address ?? null,
      members,
      inSyncSet: master === undefined ? [] : members.filter((m) => m.inSync).map((m) => m.address),
    });
  }
  return out;
}

export async function clusterMap(admin: Admin): Promise<ClusterMapGroup[]> {
  return clusterMapOf(await admin.clusterList());
}
