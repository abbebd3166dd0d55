// Configuration of one Raft core, its defaults and their validation (etcd's Config.validate()).
//
// Time is counted in ticks: the host calls tick() at a fixed interval (100 ms suggested, so the
// defaults give heartbeats every 200 ms and randomized election timeouts of 1-2 s). Every queue the
// core keeps has a bound here: in-flight appends per follower, entries and bytes per append,
// uncommitted entries on the leader, committed entries per Ready.
//
// Invariants (checked at construction): heartbeatTicks < electionTicks; every bound is a positive
// integer; the node is one of the peers and peer ids are unique.
//
// DLedger counterpart: DLedgerConfig (heartBeatTimeIntervalMs, maxHeartBeatLeak,
// maxPendingRequestsNum, maxPendingSize, preferredLeaderIds, maxLeadershipTransferWaitIndex).

import { ErrorCode, MqError } from '../../common/errors.js';
import type { Prng } from '../../common/prng.js';
import type { LogStorage } from './log-storage.js';

/**
 * Deliberate bugs for the simulator's self-test (FoundationDB's BUGGIFY idea): each one breaks a
 * safety rule so a test can show the checkers notice. Never set outside test/sim/.
 */
export interface RaftBugs {
  /** Grant votes without the "candidate's log is at least as up to date" check. */
  readonly grantVoteToStaleLog?: boolean;
  /** Count a bare majority as one node less than it is (floor(n / 2) instead of floor(n / 2) + 1). */
  readonly quorumOneShort?: boolean;
}

export interface RaftConfig {
  readonly id: string;
  /** Every voter, this node included. DLedger groups are static: no membership changes. */
  readonly peers: readonly string[];
  readonly storage: LogStorage;
  /** The only source of randomness (election timeout jitter). */
  readonly prng: Prng;
  /** Base election timeout; the randomized one is in [electionTicks, 2 * electionTicks - 1]. */
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  /** Index the host's state machine has applied (restart); committed entries after it are replayed. */
  readonly appliedIndex?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  /** Appends in flight to one follower in REPLICATE state (DLedger maxPendingSize). */
  readonly maxInflightAppends?: number;
  readonly maxEntriesPerAppend?: number;
  readonly maxBytesPerAppend?: number;
  /** Leader refuses proposals past this many uncommitted entries (DLedger maxPendingRequestsNum). */
  readonly maxUncommittedEntries?: number;
  readonly maxCommittedEntriesPerReady?: number;
  /** DLedger preferredLeaderId: the leader hands over to it when it is caught up. */
  readonly preferredLeaderId?: string;
  /** How far (entries) the preferred node may lag for a transfer (maxLeadershipTransferWaitIndex). */
  readonly preferredLeaderMaxLagEntries?: number;
  /** How often the leader considers the preferred node (DLedger checks every second). */
  readonly preferredLeaderCheckTicks?: number;
  readonly bugs?: RaftBugs;
}

export type ResolvedRaftConfig = Required<Omit<RaftConfig, 'preferredLeaderId'>> & {
  readonly preferredLeaderId: string | null;
};

export const RAFT_DEFAULTS = {
  electionTicks: 10,
  heartbeatTicks: 2,
  appliedIndex: 0,
  preVote: true,
  checkQuorum: true,
  maxInflightAppends: 256,
  maxEntriesPerAppend: 1024,
  maxBytesPerAppend: 1024 * 1024,
  maxUncommittedEntries: 10_000,
  maxCommittedEntriesPerReady: 4096,
  preferredLeaderMaxLagEntries: 1000,
  preferredLeaderCheckTicks: 10,
} as const;

function invalid(message: string, details: Record<string, unknown>): MqError {
  return new MqError(ErrorCode.CONFIG_INVALID, message, details);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw invalid(`Raft config "${name}" must be a positive integer, got ${value}`, {
      name,
      value,
    });
  }
  return value;
}

/**
 * Fill defaults and check the configuration.
 * @throws MqError CONFIG_INVALID naming the offending field.
 */
export function resolveRaftConfig(config: RaftConfig): ResolvedRaftConfig {
  const peerSet = new Set(config.peers);
  if (peerSet.size !== config.peers.length) {
    throw invalid(`Raft peers contain a duplicate id: ${config.peers.join(',')}`, {
      peers: config.peers,
    });
  }
  if (!peerSet.has(config.id)) {
    throw invalid(`Raft node id "${config.id}" is not among the peers ${config.peers.join(',')}`, {
      id: config.id,
    });
  }
  const preferred = config.preferredLeaderId ?? null;
  if (preferred !== null && !peerSet.has(preferred)) {
    throw invalid(`Raft preferred leader "${preferred}" is not among the peers`, { preferred });
  }
  const resolved: ResolvedRaftConfig = {
    ...RAFT_DEFAULTS,
    bugs: {},
    ...config,
    preferredLeaderId: preferred,
  };
  for (const name of Object.keys(RAFT_DEFAULTS) as (keyof typeof RAFT_DEFAULTS)[]) {
    const value = resolved[name];
    if (typeof value === 'number' && name !== 'appliedIndex') positiveInteger(name, value);
  }
  if (resolved.heartbeatTicks >= resolved.electionTicks) {
    throw invalid(
      `Raft heartbeatTicks ${resolved.heartbeatTicks} must be below electionTicks ${resolved.electionTicks}`,
      { heartbeatTicks: resolved.heartbeatTicks, electionTicks: resolved.electionTicks },
    );
  }
  if (!Number.isSafeInteger(resolved.appliedIndex) || resolved.appliedIndex < 0) {
    throw invalid(`Raft appliedIndex must be >= 0, got ${resolved.appliedIndex}`, {});
  }
  return resolved;
}
