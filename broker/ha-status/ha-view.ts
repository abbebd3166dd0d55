// What a broker knows of its group's replication, in one shape for the metrics endpoint and for
// GET_BROKER_RUNTIME_INFO (the `petrelHaStatus` key that `mqadmin haStatus` reads). A provider per
// HA mode computes it when asked (a scrape or an admin request), never on the request path:
// Master/Slave (master-slave-ha.ts) and DLedger (dledger-ha.ts) ship; another mode plugs its own
// in with HaView.use(), e.g. a controller-mode broker wrapping the Master/Slave provider to put in
// the controller's epoch and SyncStateSet (docs/operations.md, "HA status providers").

import type { Clock } from '../../common/clock.js';
import type { BrokerRoleState } from '../broker-role.js';
import { HaEvents } from './ha-events.js';

/** One replica as its master (or Raft leader) sees it. */
export interface ReplicaStatus {
  /** Master/Slave: the slave's HA connection host:port (as RocketMQ's HA runtime info); DLedger: its peer id. */
  id: string;
  address: string;
  /** CommitLog offset the replica holds up to (DLedger: the first byte of its first missing entry). */
  ackOffset: number;
  /** Bytes of the master's CommitLog the replica lacks. */
  lagBytes: number;
  /** Age of the oldest message the replica lacks, in ms (0 when it lacks none). */
  lagMs: number;
  inSync: boolean;
  /** DLedger: the Raft index the leader knows the replica holds. */
  matchIndex?: number;
}

/** What a provider computes; HaView adds the failover and election history. */
export interface HaProviderStatus {
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
  replicas: ReplicaStatus[];
  /** Ids in sync, the master or leader first (itself: its broker address or Raft id). */
  inSync: string[];
  /** A replica lacking fewer bytes than this is in sync (haSlaveFallbehindMax). */
  inSyncWindowBytes: number;
}

export interface HaStatus extends HaProviderStatus {
  failovers: number;
  lastFailover: { atMs: number; durationMs: number } | null;
  elections: number;
  lastElection: { atMs: number; durationMs: number; outcome: string } | null;
}

/** The GET_BROKER_RUNTIME_INFO key carrying HaStatus as JSON. */
export const HA_STATUS_KEY = 'petrelHaStatus';

export interface HaProvider {
  status(): Promise<HaProviderStatus>;
}

export class HaView {
  readonly events: HaEvents;
  #provider: HaProvider;

  constructor(clock: Clock, role: BrokerRoleState, provider: HaProvider) {
    this.events = new HaEvents(clock);
    this.#provider = provider;
    this.events.watchRole(role);
  }

  /** Replaces the provider (a mode the broker does not ship plugs its own in). */
  use(provider: HaProvider): void {
    this.#provider = provider;
  }

  get provider(): HaProvider {
    return this.#provider;
  }

  async status(): Promise<HaStatus> {
    const base = await this.#provider.status();
    const e = this.events;
    return {
      ...base,
      failovers: e.failovers,
      lastFailover: e.lastFailover,
      elections: e.elections,
      lastElection: e.lastElection,
    };
  }
}

/** The GET_BROKER_RUNTIME_INFO entry: petrelHaStatus (HaStatus as JSON), or why it is missing. */
export async function haStatusEntry(view: HaView): Promise<Record<string, string>> {
  try {
    return { [HA_STATUS_KEY]: JSON.stringify(await view.status()) };
  } catch (error) {
    return { [`${HA_STATUS_KEY}Error`]: error instanceof Error ? error.message : String(error) };
  }
}
