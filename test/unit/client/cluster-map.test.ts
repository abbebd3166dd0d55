// The cluster map built from clusterList rows (as Admin.clusterList returns them): lag in bytes
// and time against the master, the in-sync rule (answers and lags by at most 256 KiB), a silent
// replica, and a group without a master.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterBroker } from '../../../client/admin.js';
import { clusterMapOf, IN_SYNC_MAX_GAP_BYTES } from '../../../client/cluster-map.js';

function row(brokerName: string, brokerId: number, runtime: Record<string, string> | null) {
  const r: ClusterBroker = {
    clusterName: 'c',
    brokerName,
    brokerId,
    address: `${brokerName}-${brokerId}`,
    runtime,
    error: runtime === null ? 'connect refused' : null,
  };
  return r;
}

const at = (offset: number, storeMs: number, extra: Record<string, string> = {}) => ({
  commitLogMaxOffset: String(offset),
  commitLogMaxStoreTimestamp: String(storeMs),
  storeRoleFence: '3',
  ...extra,
});

describe('cluster map', () => {
  it('computes lag, in-sync set and roles per group', () => {
    const groups = clusterMapOf([
      row('a', 0, at(1_000_000, 5000, { brokerRole: 'SYNC_MASTER', msgPutTotalTodayNow: '7' })),
      row('a', 1, at(1_000_000, 5000, { brokerRole: 'SLAVE' })),
      row('a', 2, at(1_000_000 - IN_SYNC_MAX_GAP_BYTES - 1, 4200, { brokerRole: 'SLAVE' })),
      row('a', 3, null),
      row('b', 1, at(10, 1)),
    ]);
    assert.equal(groups.length, 2);
    const [a, b] = groups;
    assert.equal(a?.master, 'a-0');
    assert.deepEqual(
      a?.members.map((m) => [m.brokerId, m.role, m.epoch, m.lagBytes, m.lagMs, m.inSync]),
      [
        [0, 'SYNC_MASTER', 3, null, null, true],
        [1, 'SLAVE', 3, 0, 0, true],
        [2, 'SLAVE', 3, IN_SYNC_MAX_GAP_BYTES + 1, 800, false],
        [3, null, null, null, null, false],
      ],
    );
    assert.deepEqual(a?.inSyncSet, ['a-0', 'a-1']);
    assert.equal(a?.members[0]?.putTotal, 7);
    assert.equal(a?.members[3]?.error, 'connect refused');
    assert.equal(b?.master, null);
    assert.deepEqual(b?.inSyncSet, [], 'no master: nothing to be in sync with');
    assert.equal(b?.members[0]?.lagBytes, null);
  });
});
