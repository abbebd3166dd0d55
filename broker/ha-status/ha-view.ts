// What a broker knows of its group's replication, in one shape for the metrics endpoint and for
// GET_BROKER_RUNTIME_INFO (the `petrelHaStatus` key that `mqadmin haStatus` reads). A provider per
// HA mode computes it when asked (a scrape or an admin request), never on the request path:
// Master/Slave (master-slave-ha.ts) and DLedger (dledger-ha.ts) ship; another mode plugs its own
// in with HaView.use(), e.g. a controller-mode broker wrapping the Master/Slave provider to put in
// the controller's epoch and SyncStateSet (docs/operations.md, "HA status providers").

import type { Clock } from '../../common/clock.js';
import {
  HA_STATUS_KEY,
  type HaStatusBody,
  type ReplicaLag,
} from '../../protocol/bodies/ha-status-body.js';
import type { BrokerRoleState } from '../broker-role.js';
import { HaEvents } from './ha-events.js';

export type ReplicaStatus = ReplicaLag;
export type HaStatus = HaStatusBody;

/** What a provider computes; HaView adds the failover and election history. */
export type HaProviderStatus = Omit<
  HaStatusBody,
  'failovers' | 'lastFailover' | 'elections' | 'lastElection'
>;

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
