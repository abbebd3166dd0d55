// Simulated network between n nodes: per-message delay (a floor plus an exponential tail, with
// rare spikes), loss, duplication, and a matrix of blocked directed links for partitions
// (symmetric, one-way, isolate-one, minority/majority split, bridge). Reordering follows from the
// random delays. Everything is drawn from the injected Prng.

import { assert } from '../../../common/assert.js';
import type { Prng } from '../../../common/prng.js';

export interface NetworkParams {
  /** Share of messages that ignore the link's FIFO order (TCP reconnects, multiple paths). */
  reorderRate: number;
  delayMinMs: number;
  delayMeanMs: number;
  lossRate: number;
  duplicateRate: number;
  spikeRate: number;
  spikeMaxMs: number;
}

export class SimNetwork {
  readonly nodeCount: number;
  params: NetworkParams;
  readonly #prng: Prng;
  readonly #blocked: boolean[];
  /** Per directed link: when its last in-order message arrives (links are FIFO by default). */
  readonly #lastArrivalMs: number[];

  constructor(nodeCount: number, prng: Prng, params: NetworkParams) {
    this.nodeCount = nodeCount;
    this.#prng = prng;
    this.params = params;
    this.#blocked = new Array<boolean>(nodeCount * nodeCount).fill(false);
    this.#lastArrivalMs = new Array<number>(nodeCount * nodeCount).fill(0);
  }

  isBlocked(from: number, to: number): boolean {
    return this.#blocked[from * this.nodeCount + to] === true;
  }

  block(from: number, to: number): void {
    assert(from !== to, 'network: a node cannot be cut from itself');
    this.#blocked[from * this.nodeCount + to] = true;
  }

  healAll(): void {
    this.#blocked.fill(false);
  }

  isolate(node: number): void {
    for (let other = 0; other < this.nodeCount; other++) {
      if (other === node) continue;
      this.block(node, other);
      this.block(other, node);
    }
  }

  /** Cut every link between `group` and the rest, both ways. */
  split(group: readonly number[]): void {
    for (let a = 0; a < this.nodeCount; a++) {
      for (let b = 0; b < this.nodeCount; b++) {
        if (group.includes(a) !== group.includes(b)) this.block(a, b);
      }
    }
  }

  /**
   * When the copies of a message sent now from `from` to `to` arrive: none (lost), one, or two
   * (duplicated). In-order messages never overtake earlier in-order ones on the same link; a
   * reordered message or a duplicate copy arrives whenever its own delay says.
   */
  arrivalTimes(from: number, to: number, nowMs: number): number[] {
    const p = this.params;
    if (this.#prng.chance(p.lossRate)) return [];
    const link = from * this.nodeCount + to;
    let first = nowMs + this.#delay();
    if (!this.#prng.chance(p.reorderRate)) {
      first = Math.max(first, (this.#lastArrivalMs[link] as number) + 0.001);
      this.#lastArrivalMs[link] = first;
    }
    if (!this.#prng.chance(p.duplicateRate)) return [first];
    return [first, nowMs + this.#delay()];
  }

  #delay(): number {
    const p = this.params;
    const tail = -Math.log(1 - this.#prng.next()) * p.delayMeanMs;
    const spike = this.#prng.chance(p.spikeRate) ? this.#prng.next() * p.spikeMaxMs : 0;
    return p.delayMinMs + tail + spike;
  }

  describeBlocked(ids: readonly string[]): string {
    const links: string[] = [];
    for (let a = 0; a < this.nodeCount; a++) {
      for (let b = 0; b < this.nodeCount; b++) {
        if (this.isBlocked(a, b)) links.push(`${ids[a]}>${ids[b]}`);
      }
    }
    return links.length === 0 ? 'none' : links.join(' ');
  }
}
