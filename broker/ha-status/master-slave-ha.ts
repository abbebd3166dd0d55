// HA status of a Master/Slave broker. The master asks its HA sender which slaves stream and what
// each acknowledged (one message round trip to the sender's thread); a slave reports its own
// figures and no replicas. A slave is in sync while it lacks fewer than haSlaveFallbehindMax bytes:
// the rule by which a RocketMQ 4 SYNC_MASTER judges a slave fit to acknowledge (HAService.isSlaveOK).
// Time lag: the age of the oldest message the slave lacks, read from the store time the sender
// marked for the first write batch the slave has not wholly acknowledged (to within one batch).

import type { BrokerContext } from '../broker-context.js';
import type { HaProvider, HaProviderStatus, ReplicaStatus } from './ha-view.js';

export type MasterSlaveParts = Pick<
  BrokerContext,
  'config' | 'role' | 'store' | 'clock' | 'brokerAddr'
>;

export function masterSlaveHa(ctx: MasterSlaveParts): HaProvider {
  return {
    async status(): Promise<HaProviderStatus> {
      const store = ctx.store;
      const nowMs = ctx.clock.nowMs();
      const end = store.getMaxPhyOffset();
      const windowBytes = ctx.config.haSlaveFallbehindMax;
      const links = ctx.role.isMaster ? await store.haReplicas() : [];
      const replicas: ReplicaStatus[] = links.map((link) => {
        const lagBytes = Math.max(0, end - link.ackOffset);
        const oldest = link.oldestMissingStoreMs;
        return {
          id: link.address,
          address: link.address,
          ackOffset: link.ackOffset,
          lagBytes,
          lagMs: lagBytes === 0 || oldest === null ? 0 : Math.max(0, nowMs - oldest),
          inSync: lagBytes < windowBytes,
        };
      });
      return {
        mode: 'MASTER_SLAVE',
        role: ctx.role.role,
        brokerId: ctx.role.brokerId,
        epoch: store.fence,
        epochKind: 'epoch',
        raft: null,
        commitLogMaxOffset: end,
        replicas,
        inSync: ctx.role.isMaster
          ? [ctx.brokerAddr, ...replicas.filter((r) => r.inSync).map((r) => r.id)]
          : [],
        inSyncWindowBytes: windowBytes,
      };
    },
  };
}
