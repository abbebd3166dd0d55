// Proof that the checkers can fail (TigerBeetle's canary): the simulator runs deliberately broken
// variants and must report a violation within a bounded number of seeds. Two bugs are in the
// core (through RaftConfig.bugs, inert unless set) and two are in the host:
//   quorumOneShort       the leader commits with one node less than a quorum (a stale majority)
//   grantVoteToStaleLog  votes are granted without the "log at least as up to date" check
//   ackBeforePersist     the host sends a Ready's messages before persisting it (acks and votes
//                        promise state that a crash can still lose)
//   ackBeforeQuorum      the host answers a proposal COMMITTED once the leader's own copy is
//                        durable, before a majority holds it
// The host bugs live in the shipped RaftHost (ha/dledger/, HostBugs), inert unless set.
// The last one is run twice: with D5 (durability at the moment of the ack) it is caught at once;
// without D5 it must still be caught, by real losses after crashes, through D2-D4.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replayCommand } from './lib/campaign.js';
import { runSimulation, SimBug } from './lib/raft-sim.js';

const MAX_SEEDS = 200;

function firstFailure(
  bug: SimBug,
  checkDurabilityAtAck = true,
): { seed: number; violation: string } | null {
  for (let seed = 1; seed <= MAX_SEEDS; seed++) {
    const result = runSimulation({ seed, bug, checkDurabilityAtAck });
    if (!result.ok) return { seed, violation: result.violation ?? '' };
  }
  return null;
}

describe('Raft simulation with a broken core', () => {
  const cases: { bug: SimBug; d5: boolean; expected: RegExp; withinSeeds: number }[] = [
    { bug: SimBug.QUORUM_ONE_SHORT, d5: true, expected: /^D5:/, withinSeeds: 5 },
    { bug: SimBug.GRANT_VOTE_TO_STALE_LOG, d5: true, expected: /^D[234]:/, withinSeeds: 50 },
    { bug: SimBug.ACK_BEFORE_PERSIST, d5: true, expected: /^D5:/, withinSeeds: 5 },
    { bug: SimBug.ACK_BEFORE_PERSIST, d5: false, expected: /^(D[1-6]|ASSERT):/, withinSeeds: 100 },
    { bug: SimBug.ACK_BEFORE_QUORUM, d5: true, expected: /^D5:/, withinSeeds: 5 },
    { bug: SimBug.ACK_BEFORE_QUORUM, d5: false, expected: /^D[1-6]:/, withinSeeds: 100 },
  ];
  for (const { bug, d5, expected, withinSeeds } of cases) {
    it(`catches ${bug}${d5 ? '' : ' without the durability-at-ack check'} within ${withinSeeds} seeds`, (t) => {
      const failure = firstFailure(bug, d5);
      assert.ok(failure !== null, `${bug} went unnoticed for ${MAX_SEEDS} seeds`);
      t.diagnostic(`${bug}: seed ${failure.seed}: ${failure.violation}`);
      t.diagnostic(`replay: ${replayCommand(failure.seed, { bug })}`);
      assert.match(failure.violation, expected);
      assert.ok(failure.seed <= withinSeeds, `first caught at seed ${failure.seed}`);
    });
  }
});
