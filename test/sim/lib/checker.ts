// Safety checkers of the Raft simulation (docs/testing.md, D1-D6), run after every event:
//
//   D1 election safety      at most one leader per term, across all nodes and all time
//   D2 log matching         equal (index, term) on any two durable logs implies equal prefixes
//                           (hash chains); committed entries never change (one term per index)
//   D3 leader completeness  a leader of term t holds every entry committed or acknowledged to a
//                           client in an earlier term
//   D4 state machine safety every node applies the same entry at each index, in order
//   D5 durability at ack    an entry acknowledged to a client is durable on a quorum at that moment
//   D6 monotonicity         durable term, vote-per-term and commit never go backwards; the durable
//                           commit index never passes the durable log
//
// A violation throws SafetyViolation with a one-line description; the simulation reports it with
// the seed and the replay command.

import type { Entry, HardState } from '../../../ha/raft/messages.js';
import { Role } from '../../../ha/raft/messages.js';
import { entryHash, type SimDisk } from './sim-disk.js';

/** What the checkers read of a node: the shipped RaftHost (or a bare RaftCore) satisfies it. */
export interface RaftView {
  readonly role: Role;
  readonly term: number;
  readonly commitIndex: number;
  termAt(index: number): number | null;
}

export class SafetyViolation extends Error {
  override name = 'SafetyViolation';
}

function violation(code: string, text: string): never {
  throw new SafetyViolation(`${code}: ${text}`);
}

interface Acked {
  readonly proposalId: number;
  readonly index: number;
  readonly term: number;
  /** Term of the leader that acknowledged it. */
  readonly ackTerm: number;
}

const TERM_KEY_LIMIT = 1_000_000;

export class SafetyChecker {
  readonly #ids: readonly string[];
  readonly #quorum: number;
  readonly #leaderOfTerm = new Map<number, number>();
  readonly #chainByIndexTerm = new Map<number, number>();
  /** Per committed index: its term, and the lowest term in which a node saw it committed. */
  readonly #committedTerm: number[] = [0];
  readonly #committedSeenInTerm: number[] = [0];
  readonly #appliedHash: number[] = [0];
  readonly #acked: Acked[] = [];
  /** Per node: commit index already checked in the current incarnation; last leader term. */
  readonly #checkedCommit: number[];
  readonly #ledTerm: number[];
  leaderTerms = 0;

  readonly #isDurabilityAtAckChecked: boolean;

  /** `checkDurabilityAtAck: false` turns D5 off (to show the other checkers catch lost acks). */
  constructor(ids: readonly string[], checkDurabilityAtAck = true) {
    this.#ids = ids;
    this.#isDurabilityAtAckChecked = checkDurabilityAtAck;
    this.#quorum = Math.floor(ids.length / 2) + 1;
    this.#checkedCommit = ids.map(() => 0);
    this.#ledTerm = ids.map(() => 0);
  }

  get ackedCount(): number {
    return this.#acked.length;
  }

  get maxCommitted(): number {
    return this.#committedTerm.length - 1;
  }

  /** A node (re)started from its disk: its durable committed prefix must match. */
  onStart(node: number, core: RaftView): void {
    this.#checkedCommit[node] = 0;
    this.#ledTerm[node] = 0;
    this.#checkCommitAdvance(node, core);
  }

  /** Cheap checks on the node that just handled an event. */
  afterEvent(node: number, core: RaftView): void {
    const commit = core.commitIndex;
    if (commit < (this.#checkedCommit[node] as number)) {
      violation('D6', `${this.#ids[node]} commit index went back to ${commit}`);
    }
    if (core.role === Role.LEADER) this.#checkLeader(node, core);
    if (commit > (this.#checkedCommit[node] as number)) this.#checkCommitAdvance(node, core);
  }

  #checkLeader(node: number, core: RaftView): void {
    const term = core.term;
    if (this.#ledTerm[node] === term) return;
    this.#ledTerm[node] = term;
    const holder = this.#leaderOfTerm.get(term);
    if (holder !== undefined && holder !== node) {
      violation('D1', `two leaders in term ${term}: ${this.#ids[holder]} and ${this.#ids[node]}`);
    }
    this.#leaderOfTerm.set(term, node);
    this.leaderTerms++;
    // Leader completeness: everything committed, or acknowledged, in an earlier term.
    for (let index = 1; index < this.#committedTerm.length; index++) {
      if ((this.#committedSeenInTerm[index] as number) >= term) continue;
      const expected = this.#committedTerm[index] as number;
      const actual = core.termAt(index);
      if (actual !== expected) {
        violation(
          'D3',
          `leader ${this.#ids[node]} of term ${term} lacks committed entry ${index} (term ${expected}, has ${actual})`,
        );
      }
    }
    for (const ack of this.#acked) {
      if (ack.ackTerm < term && core.termAt(ack.index) !== ack.term) {
        violation(
          'D3',
          `leader ${this.#ids[node]} of term ${term} lacks acknowledged proposal ${ack.proposalId} at ${ack.index}`,
        );
      }
    }
  }

  #checkCommitAdvance(node: number, core: RaftView): void {
    const from = (this.#checkedCommit[node] as number) + 1;
    const to = core.commitIndex;
    for (let index = from; index <= to; index++) {
      const term = core.termAt(index);
      if (term === null) violation('D6', `${this.#ids[node]} committed ${index} beyond its log`);
      const known = this.#committedTerm[index];
      if (known === undefined) {
        if (index !== this.#committedTerm.length) violation('D2', `commit gap at ${index}`);
        this.#committedTerm.push(term);
        this.#committedSeenInTerm.push(core.term);
      } else if (known !== term) {
        violation(
          'D2',
          `committed entry ${index} changed: term ${known} before, ${term} on ${this.#ids[node]}`,
        );
      } else if (core.term < (this.#committedSeenInTerm[index] as number)) {
        this.#committedSeenInTerm[index] = core.term;
      }
    }
    this.#checkedCommit[node] = to;
  }

  /** A write completed: check log matching on the new entries and hard-state monotonicity. */
  onPersist(node: number, disk: SimDisk, entries: readonly Entry[], before: HardState): void {
    for (const entry of entries) {
      if (entry.term >= TERM_KEY_LIMIT) violation('SIM', 'term too large for the checker key');
      const key = entry.index * TERM_KEY_LIMIT + entry.term;
      const chain = disk.chainAt(entry.index);
      const known = this.#chainByIndexTerm.get(key);
      if (known === undefined) this.#chainByIndexTerm.set(key, chain);
      else if (known !== chain) {
        violation(
          'D2',
          `${this.#ids[node]} log differs before entry ${entry.index} of term ${entry.term}`,
        );
      }
    }
    const after = disk.storage.hardState();
    if (after.term < before.term) violation('D6', `${this.#ids[node]} durable term went back`);
    if (after.term === before.term && before.vote !== null && after.vote !== before.vote) {
      violation('D6', `${this.#ids[node]} changed its vote in term ${after.term}`);
    }
    if (after.commit < before.commit)
      violation('D6', `${this.#ids[node]} durable commit went back`);
    if (after.commit > disk.lastIndex) {
      violation('D6', `${this.#ids[node]} durable commit ${after.commit} > last ${disk.lastIndex}`);
    }
  }

  /** A node applied `entry`; `expectedIndex` is the one after the last it applied. */
  onApply(node: number, entry: Entry, expectedIndex: number): void {
    if (entry.index !== expectedIndex) {
      violation('D4', `${this.#ids[node]} applied ${entry.index}, expected ${expectedIndex}`);
    }
    const hash = entryHash(entry);
    const known = this.#appliedHash[entry.index];
    if (known === undefined) {
      if (entry.index !== this.#appliedHash.length) violation('D4', `apply gap at ${entry.index}`);
      this.#appliedHash.push(hash);
    } else if (known !== hash) {
      violation('D4', `${this.#ids[node]} applied a different entry at ${entry.index}`);
    }
    const committedTerm = this.#committedTerm[entry.index];
    if (committedTerm !== undefined && committedTerm !== entry.term) {
      violation('D4', `${this.#ids[node]} applied an uncommitted entry at ${entry.index}`);
    }
  }

  /** A leader acknowledged a proposal to its client: it must be durable on a quorum now. */
  onAck(ack: Acked, disks: readonly SimDisk[]): void {
    let durable = 0;
    for (const disk of disks) {
      if (ack.index <= disk.lastIndex && disk.storage.term(ack.index) === ack.term) durable++;
    }
    if (durable < this.#quorum && this.#isDurabilityAtAckChecked) {
      violation(
        'D5',
        `proposal ${ack.proposalId} acknowledged at ${ack.index} while durable on ${durable} of ${disks.length} nodes`,
      );
    }
    this.#acked.push(ack);
  }

  /** End of run: live nodes' durable logs agree up to the smallest commit index among them. */
  finalCheck(live: readonly { node: number; core: RaftView; disk: SimDisk }[]): void {
    if (live.length === 0) return;
    const minCommit = Math.min(...live.map((n) => n.core.commitIndex));
    const first = live[0] as (typeof live)[number];
    const reference = first.disk.chainAt(minCommit);
    for (const n of live) {
      if (n.disk.lastIndex < minCommit || n.disk.chainAt(minCommit) !== reference) {
        violation('D2', `${this.#ids[n.node]} durable log differs up to commit ${minCommit}`);
      }
    }
  }
}
