// Majority arithmetic for a fixed voter set (DLedger groups have static membership).
//
// Invariants: a quorum of n voters is floor(n / 2) + 1 (DLedger's isQuorum); the committed index
// is the largest index stored on a quorum, i.e. the quorum-th largest match index; a vote is won
// when granted votes reach a quorum and lost when rejections make a quorum impossible.
//
// etcd counterpart: quorum/majority.go (CommittedIndex, VoteResult). DLedger counterpart:
// MemberState.isQuorum and QuorumAckChecker's sort of water marks.

import { assert } from '../../common/assert.js';

export function quorumSize(voterCount: number): number {
  assert(Number.isInteger(voterCount) && voterCount >= 1, 'quorum: voter count must be >= 1');
  return Math.floor(voterCount / 2) + 1;
}

/**
 * The largest index that at least a quorum of voters has stored. `matchIndexes` is scratch space:
 * it is sorted in place (the leader passes a reused array so the hot path does not allocate).
 */
export function committedIndex(matchIndexes: number[]): number {
  const voterCount = matchIndexes.length;
  const quorum = quorumSize(voterCount);
  matchIndexes.sort(descending);
  const index = matchIndexes[quorum - 1];
  assert(index !== undefined, 'quorum: no match index at the quorum position');
  return index;
}

function descending(a: number, b: number): number {
  return b - a;
}

export const VoteResult = {
  PENDING: 'PENDING',
  WON: 'WON',
  LOST: 'LOST',
} as const;
export type VoteResult = (typeof VoteResult)[keyof typeof VoteResult];

export function voteResult(voterCount: number, granted: number, rejected: number): VoteResult {
  assert(granted + rejected <= voterCount, 'quorum: more votes than voters');
  const quorum = quorumSize(voterCount);
  if (granted >= quorum) return VoteResult.WON;
  if (voterCount - rejected < quorum) return VoteResult.LOST;
  return VoteResult.PENDING;
}
