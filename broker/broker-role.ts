// The broker's role and id, kept in one place. Processors ask it whether the broker is a master
// (accepts sends, commits offsets from pulls, delivers delayed messages) or a slave (refuses
// sends with SERVICE_NOT_AVAILABLE). Master/Slave replication and DLedger change the role at
// runtime through changeRole(); listeners (re-registration, the schedule service, a slave's
// sync service) follow it.
//
// RocketMQ: BrokerConfig.brokerId + MessageStoreConfig.brokerRole, and
// BrokerController.changeToSlave / changeToMaster (4.x, used by DLedger).

import { assert } from '../common/assert.js';
import type { BrokerRole } from '../engine/options.js';

export type RoleListener = (role: BrokerRole, brokerId: number) => void;

export class BrokerRoleState {
  #role: BrokerRole;
  #brokerId: number;
  readonly #listeners = new Set<RoleListener>();

  constructor(role: BrokerRole, brokerId: number) {
    this.#role = role;
    this.#brokerId = brokerId;
    this.#check();
  }

  get role(): BrokerRole {
    return this.#role;
  }

  get brokerId(): number {
    return this.#brokerId;
  }

  get isMaster(): boolean {
    return this.#role !== 'SLAVE';
  }

  get isSlave(): boolean {
    return this.#role === 'SLAVE';
  }

  /** The HA seam: a promotion or demotion (brokerId 0 for masters, above 0 for slaves). */
  changeRole(role: BrokerRole, brokerId: number): void {
    this.#role = role;
    this.#brokerId = brokerId;
    this.#check();
    for (const listener of this.#listeners) listener(role, brokerId);
  }

  onChange(listener: RoleListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #check(): void {
    if (this.#role === 'SLAVE') assert(this.#brokerId > 0, 'a slave has a brokerId above 0');
    else assert(this.#brokerId === 0 || this.#brokerId === -1, 'a master has brokerId 0');
  }
}
