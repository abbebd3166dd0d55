// Who becomes master of a group. Candidates are the alive members of the SyncStateSet; only when
// there is none and unclean election is enabled, any alive replica. Among candidates the best
// log wins: highest epoch, then highest maxOffset, then highest confirmOffset, then the lowest
// electionPriority, then the lowest brokerId (a deterministic tie-break). An alive old master
// stays master unless another replica is designated.
//
// An unclean choice (outside the SyncStateSet) may lose acknowledged messages: the result says
// how many bytes at most, the old master's last confirmed offset minus the elected replica's
// maxOffset, as the controller last heard them.
//
// RocketMQ: controller/.../elect/impl/DefaultElectPolicy.java, BrokerLiveInfo comparator.

import type { BrokerLiveInfo, BrokerLiveTable } from './broker-live-table.js';
import type { GroupState } from './replicas-state.js';

export interface UncleanLoss {
  readonly electedBrokerId: number;
  readonly electedMaxOffset: number;
  readonly oldMasterBrokerId: number | null;
  /** -1 when the controller never heard the old master's confirmed offset. */
  readonly oldMasterConfirmOffset: number;
  /** Acknowledged bytes that may be lost (0 when none, -1 when unknown). */
  readonly lossBytesAtMost: number;
}

export type ElectOutcome =
  | { readonly kind: 'ELECTED'; readonly brokerId: number; readonly unclean: UncleanLoss | null }
  | { readonly kind: 'STILL_MASTER'; readonly brokerId: number }
  | { readonly kind: 'NO_CANDIDATE'; readonly why: string };

export interface ElectInput {
  readonly group: GroupState;
  readonly live: BrokerLiveTable;
  readonly nowMs: number;
  readonly enableElectUncleanMaster: boolean;
  /** A designated broker (mqadmin electMaster): elected only if it is a candidate. */
  readonly designatedBrokerId: number | null;
}

function compareCandidates(a: BrokerLiveInfo, b: BrokerLiveInfo): number {
  return (
    b.epoch - a.epoch ||
    b.maxOffset - a.maxOffset ||
    b.confirmOffset - a.confirmOffset ||
    a.electionPriority - b.electionPriority ||
    a.brokerId - b.brokerId
  );
}

function aliveAmong(input: ElectInput, ids: Iterable<number>): BrokerLiveInfo[] {
  const out: BrokerLiveInfo[] = [];
  for (const id of ids) {
    if (!input.group.replicas.has(id)) continue;
    if (!input.live.isAlive(input.group.brokerName, id, input.nowMs)) continue;
    const info = input.live.get(input.group.brokerName, id);
    if (info !== undefined) out.push(info);
  }
  return out;
}

function uncleanLoss(input: ElectInput, elected: BrokerLiveInfo): UncleanLoss {
  const oldMaster = input.group.masterBrokerId;
  const oldInfo =
    oldMaster === null ? undefined : input.live.get(input.group.brokerName, oldMaster);
  const oldConfirm = oldInfo?.confirmOffset ?? -1;
  return {
    electedBrokerId: elected.brokerId,
    electedMaxOffset: elected.maxOffset,
    oldMasterBrokerId: oldMaster,
    oldMasterConfirmOffset: oldConfirm,
    lossBytesAtMost:
      oldConfirm < 0 || elected.maxOffset < 0 ? -1 : Math.max(0, oldConfirm - elected.maxOffset),
  };
}

function pick(input: ElectInput, candidates: BrokerLiveInfo[]): number | null {
  const designated = input.designatedBrokerId;
  if (designated !== null) {
    return candidates.some((c) => c.brokerId === designated) ? designated : null;
  }
  return [...candidates].sort(compareCandidates)[0]?.brokerId ?? null;
}

export function electMaster(input: ElectInput): ElectOutcome {
  const { group, designatedBrokerId } = input;
  const members = aliveAmong(input, group.syncStateSet);
  const oldMaster = group.masterBrokerId;
  if (
    oldMaster !== null &&
    members.some((m) => m.brokerId === oldMaster) &&
    (designatedBrokerId === null || designatedBrokerId === oldMaster)
  ) {
    return { kind: 'STILL_MASTER', brokerId: oldMaster };
  }
  const clean = pick(input, members);
  if (clean !== null) return { kind: 'ELECTED', brokerId: clean, unclean: null };
  if (!input.enableElectUncleanMaster) {
    return {
      kind: 'NO_CANDIDATE',
      why:
        members.length === 0
          ? 'no SyncStateSet member is alive (enableElectUncleanMaster=false)'
          : `broker ${designatedBrokerId} is not an alive SyncStateSet member`,
    };
  }
  const everyone = aliveAmong(input, group.replicas.keys());
  const unclean = pick(input, everyone);
  if (unclean === null) return { kind: 'NO_CANDIDATE', why: 'no eligible replica is alive' };
  const elected = everyone.find((c) => c.brokerId === unclean)!;
  return { kind: 'ELECTED', brokerId: unclean, unclean: uncleanLoss(input, elected) };
}
