// Builds the broker's HaView for its HA mode: the DLedger provider (and the Raft role events) for
// a DLedger member, the Master/Slave provider otherwise (controller mode replicates the same way).

import type { Clock } from '../../common/clock.js';
import type { BrokerConfig } from '../../config/load.js';
import type { BrokerStore } from '../../engine/internal.js';
import { BrokerDledger } from '../broker-dledger.js';
import type { BrokerRoleState } from '../broker-role.js';
import { dledgerHa, raftRoleRecorder } from './dledger-ha.js';
import { HaView } from './ha-view.js';
import { masterSlaveHa } from './master-slave-ha.js';

export function createHaView(
  config: BrokerConfig,
  role: BrokerRoleState,
  replication: { readonly store: BrokerStore } | BrokerDledger,
  clock: Clock,
  brokerAddr: string,
): HaView {
  const parts = {
    config,
    role,
    clock,
    brokerAddr,
    get store() {
      return replication.store;
    },
  };
  if (!(replication instanceof BrokerDledger)) return new HaView(clock, role, masterSlaveHa(parts));
  const view = new HaView(
    clock,
    role,
    dledgerHa(parts, () => replication.raftView),
  );
  const selfId = config.dLegerSelfId ?? '';
  replication.onRaftRole(
    raftRoleRecorder(view.events, selfId, (peerId) =>
      replication.raftView?.lastHeardFromMs(peerId),
    ),
  );
  return view;
}
