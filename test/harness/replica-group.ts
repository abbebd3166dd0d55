// What the DLedger and controller-mode group harnesses share: finding the member the NameServer
// routes as broker-a's master, and waiting until every running member's CommitLog ends at the
// same offset.

import type { Admin } from '../../client/admin.js';
import { waitFor } from './wait-for.js';

type Members = ReadonlyArray<{ address: string } | undefined>;

/** The broker-a addresses by brokerId, as the NameServer routes them. */
export async function routeOf(admin: Admin): Promise<Record<string, string>> {
  const info = await admin.clusterInfo();
  return info.brokerAddrTable['broker-a']?.brokerAddrs ?? {};
}

/** Index of the running member the NameServer routes as master (brokerId 0), if any. */
export async function routedMasterIndex(
  admin: Admin,
  members: Members,
): Promise<number | undefined> {
  const master = (await routeOf(admin))['0'];
  const i = members.findIndex((m) => m !== undefined && m.address === master);
  return i === -1 ? undefined : i;
}

/** Waits until a running member other than `not` is routed as master; returns its index. */
export async function waitRoutedMaster(
  admin: Admin,
  members: Members,
  o: { timeoutMs: number; not: number | undefined; what: string },
): Promise<number> {
  // An object, not the index: member 0 would read as "not yet" to waitFor.
  const found = await waitFor(
    async () => {
      const i = await routedMasterIndex(admin, members);
      return i !== undefined && i !== o.not ? { i } : undefined;
    },
    { timeoutMs: o.timeoutMs, intervalMs: 20, what: o.what },
  );
  return found.i;
}

/**
 * Waits until every running member's CommitLog ends at the same offset (with `acknowledged`, once
 * a master has also heard its slave acknowledge that end); returns it.
 */
export async function waitSameCommitLogEnd(
  admin: Admin,
  members: Members,
  o: { timeoutMs: number; what: string; acknowledged?: boolean },
): Promise<number> {
  const found = await waitFor(
    async () => {
      const ends = new Set<string>();
      let acked = o.acknowledged !== true;
      for (const m of members) {
        if (m === undefined) continue;
        const runtime = await admin.brokerStatus(m.address);
        ends.add(runtime['commitLogMaxOffset']!);
        acked ||= runtime['push2SlaveMaxOffset'] === runtime['commitLogMaxOffset'];
      }
      return ends.size === 1 && acked ? { end: Number([...ends][0]) } : undefined;
    },
    { timeoutMs: o.timeoutMs, intervalMs: 50, what: o.what },
  );
  return found.end;
}
