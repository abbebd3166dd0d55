// The simulator's per-seed parameters (cluster size, flow control, fault and workload rates, disk
// latencies, network model) drawn from the seed, the deliberate bugs, and small seeded helpers.
// Split from raft-sim.ts; drawing order is part of a seed's meaning, so keep it.

import type { Prng } from '../../../common/prng.js';
import type { HostBugs } from '../../../ha/dledger/host-types.js';
import type { RaftBugs } from '../../../ha/raft/raft-config.js';
import type { SimOptions, SimScenario } from './raft-sim.js';

/**
 * Deliberate bugs for the checker self-test: two in the core, two in the shipped host, one in the
 * shipped file store (store simulation only).
 */
export const SimBug = {
  SKIP_LOG_SYNC: 'skipLogSync',
  ACK_BEFORE_PERSIST: 'ackBeforePersist',
  ACK_BEFORE_QUORUM: 'ackBeforeQuorum',
  QUORUM_ONE_SHORT: 'quorumOneShort',
  GRANT_VOTE_TO_STALE_LOG: 'grantVoteToStaleLog',
} as const;
export type SimBug = (typeof SimBug)[keyof typeof SimBug];

export interface Params {
  nodeCount: number;
  /** Per-seed core settings: small windows and batches stress flow control. */
  maxInflightAppends: number;
  maxEntriesPerAppend: number;
  maxUncommittedEntries: number;
  preVote: boolean;
  checkQuorum: boolean;
  /** Largest burst of proposals offered at once. */
  maxBurst: number;
  faultPhaseMs: number;
  faultMeanIntervalMs: number;
  proposalMeanIntervalMs: number;
  maxProposals: number;
  fsyncMs: [number, number];
  writeMs: number;
  preferredLeaderId: string | null;
  tornWriteRate: number;
  /** Store simulation: chance that an applied batch is followed by a store flush. */
  storeFlushRate: number;
}
// -----------------------------------------------------------------------------------------------
// Parameters drawn from the seed.

export function drawParams(prng: Prng, options: SimOptions, scenario: SimScenario): Params {
  const nodeCount = options.nodeCount ?? (prng.chance(0.7) ? 3 : 5);
  const isLong = prng.chance(0.2);
  const preferred = prng.chance(0.3) ? `n${prng.int(0, nodeCount - 1)}` : null;
  const fsyncMax = 1 + prng.next() * 19;
  const defaults = {
    nodeCount,
    maxInflightAppends: 64,
    maxEntriesPerAppend: 64,
    maxUncommittedEntries: 10_000,
    preVote: true,
    checkQuorum: true,
    maxBurst: 1,
    writeMs: 0.05,
  };
  if (scenario === 'leader-crash') {
    return {
      ...defaults,
      faultPhaseMs: prng.int(3000, 6000),
      faultMeanIntervalMs: 0,
      proposalMeanIntervalMs: prng.int(5, 50),
      maxProposals: 100_000,
      fsyncMs: [0.5, 1 + prng.next() * 4],
      preferredLeaderId: null,
      tornWriteRate: 0,
      storeFlushRate: 1,
    };
  }
  const params: Params = {
    ...defaults,
    ...drawFlowControl(prng),
    maxUncommittedEntries: prng.chance(0.2) ? prng.int(5, 50) : 10_000,
    // Mostly the production setting; sometimes without the protections (safety must still hold).
    preVote: !prng.chance(0.1),
    checkQuorum: !prng.chance(0.1),
    maxBurst: prng.int(1, 100),
    faultPhaseMs: isLong ? prng.int(120_000, 240_000) : prng.int(20_000, 60_000),
    faultMeanIntervalMs: prng.int(200, 2000),
    proposalMeanIntervalMs: prng.int(5, 100),
    maxProposals: isLong ? 20_000 : 5000,
    fsyncMs: [0.2, fsyncMax],
    preferredLeaderId: preferred,
    tornWriteRate: 0.5,
    storeFlushRate: 1,
  };
  if (options.store === true) {
    params.faultPhaseMs = isLong ? prng.int(30_000, 60_000) : prng.int(5_000, 15_000);
    params.storeFlushRate = 0.05 + prng.next() * 0.5;
  }
  return params;
}

/** Small windows or small batches (not both: that only measures a slow configuration). */
export function drawFlowControl(prng: Prng): {
  maxInflightAppends: number;
  maxEntriesPerAppend: number;
} {
  const roll = prng.next();
  if (roll < 0.3)
    return { maxInflightAppends: prng.int(1, 4), maxEntriesPerAppend: prng.int(16, 256) };
  if (roll < 0.6)
    return { maxInflightAppends: prng.int(16, 256), maxEntriesPerAppend: prng.int(1, 3) };
  return { maxInflightAppends: prng.int(16, 256), maxEntriesPerAppend: prng.int(16, 256) };
}

export function drawNetwork(prng: Prng, scenario: SimScenario) {
  if (scenario === 'leader-crash') {
    return {
      reorderRate: 0,
      delayMinMs: 0.1,
      delayMeanMs: 0.5 + prng.next() * 4.5,
      lossRate: 0,
      duplicateRate: 0,
      spikeRate: 0,
      spikeMaxMs: 0,
    };
  }
  return {
    reorderRate: prng.chance(0.3) ? prng.next() * 0.3 : 0,
    delayMinMs: 0.1,
    delayMeanMs: 1 + prng.next() * 19,
    lossRate: prng.next() * 0.1,
    duplicateRate: prng.next() * 0.05,
    spikeRate: prng.next() * 0.02,
    spikeMaxMs: prng.int(50, 400),
  };
}

export function raftBugsFor(bug: SimBug | undefined): RaftBugs {
  if (bug === SimBug.QUORUM_ONE_SHORT) return { quorumOneShort: true };
  if (bug === SimBug.GRANT_VOTE_TO_STALE_LOG) return { grantVoteToStaleLog: true };
  return {};
}

export function hostBugsFor(bug: SimBug | undefined): HostBugs {
  if (bug === SimBug.ACK_BEFORE_PERSIST) return { sendBeforePersist: true };
  if (bug === SimBug.ACK_BEFORE_QUORUM) return { ackBeforeQuorum: true };
  return {};
}

export function payload(proposalId: number, prng: Prng): Uint8Array {
  const data = new Uint8Array(4 + prng.int(0, 24));
  new DataView(data.buffer).setUint32(0, proposalId);
  for (let i = 4; i < data.length; i++) data[i] = prng.int(0, 255);
  return data;
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function shuffle(prng: Prng, values: number[]): number[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    const t = values[i] as number;
    values[i] = values[j] as number;
    values[j] = t;
  }
  return values;
}
