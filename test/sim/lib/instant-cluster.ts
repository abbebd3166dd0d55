// A cluster of real RaftCores over an instant, in-order network (etcd's raft_test.go `network`):
// unit tests and the micro benchmark drive it step by step. Each node's host follows the contract
// exactly (persist into its MemoryStorage, then queue messages, then apply, then advance), and
// links can be cut one way or both ways, or filtered by message type.

import { assert } from '../../../common/assert.js';
import { createPrng } from '../../../common/prng.js';
import { MemoryStorage } from '../../../ha/raft/log-storage.js';
import { type Entry, type Message, type MessageType, Role } from '../../../ha/raft/messages.js';
import type { RaftConfig } from '../../../ha/raft/raft-config.js';
import { RaftCore } from '../../../ha/raft/raft-core.js';

export type NodeOverrides = Partial<Omit<RaftConfig, 'id' | 'peers' | 'storage' | 'prng'>>;

export interface InstantNode {
  readonly id: string;
  core: RaftCore;
  readonly storage: MemoryStorage;
  /** Entries applied by this node's state machine, in order (reset on restart). */
  applied: Entry[];
}

export interface InstantClusterOptions {
  readonly nodeCount: number;
  readonly seed?: number;
  readonly overrides?: NodeOverrides;
  /** Per-node overrides, by id. */
  readonly nodeOverrides?: Readonly<Record<string, NodeOverrides>>;
}

export class InstantCluster {
  readonly ids: readonly string[];
  readonly #nodes = new Map<string, InstantNode>();
  readonly #seed: number;
  readonly #overrides: NodeOverrides;
  readonly #nodeOverrides: Readonly<Record<string, NodeOverrides>>;
  #queue: Message[] = [];
  readonly #cut = new Set<string>();
  readonly #dropTypes = new Set<MessageType>();
  readonly #down = new Set<string>();
  /** Every message delivered, for assertions on what was said. */
  readonly delivered: Message[] = [];
  recordDelivered = false;

  constructor(options: InstantClusterOptions) {
    this.ids = Array.from({ length: options.nodeCount }, (_, i) => `n${i}`);
    this.#seed = options.seed ?? 1;
    this.#overrides = options.overrides ?? {};
    this.#nodeOverrides = options.nodeOverrides ?? {};
    for (const id of this.ids) {
      const storage = new MemoryStorage();
      this.#nodes.set(id, { id, core: this.#newCore(id, storage), storage, applied: [] });
    }
  }

  #newCore(id: string, storage: MemoryStorage): RaftCore {
    const index = this.ids.indexOf(id);
    return new RaftCore({
      id,
      peers: this.ids,
      storage,
      prng: createPrng(this.#seed * 31 + index),
      ...this.#overrides,
      ...(this.#nodeOverrides[id] ?? {}),
    });
  }

  node(id: string): InstantNode {
    const node = this.#nodes.get(id);
    assert(node !== undefined, `no node ${id}`);
    return node;
  }

  core(id: string): RaftCore {
    return this.node(id).core;
  }

  /** Block messages from `from` to `to` (one way). */
  cut(from: string, to: string): void {
    this.#cut.add(`${from}>${to}`);
  }

  /** Block every link to and from `id`. */
  isolate(id: string): void {
    for (const other of this.ids) {
      if (other === id) continue;
      this.cut(id, other);
      this.cut(other, id);
    }
  }

  heal(): void {
    this.#cut.clear();
    this.#dropTypes.clear();
  }

  dropType(type: MessageType): void {
    this.#dropTypes.add(type);
  }

  /** Crash `id`: volatile state and queued messages to it are lost; storage survives. */
  crash(id: string): void {
    this.#down.add(id);
    this.#queue = this.#queue.filter((m) => m.to !== id);
  }

  restart(id: string): void {
    const node = this.node(id);
    this.#down.delete(id);
    node.core = this.#newCore(id, node.storage);
    node.applied = [];
  }

  isDown(id: string): boolean {
    return this.#down.has(id);
  }

  /** Run one node's Ready loop until it has nothing more to do. */
  process(id: string): void {
    if (this.#down.has(id)) return;
    const node = this.node(id);
    for (let guard = 0; guard < 1000; guard++) {
      const ready = node.core.ready();
      if (ready === null) return;
      node.storage.append(ready.entries);
      if (ready.hardState !== null) node.storage.setHardState(ready.hardState);
      for (const m of ready.messages) this.#queue.push(m);
      for (const entry of ready.committedEntries) node.applied.push(entry);
      node.core.advance(ready);
    }
    assert(false, `node ${id} never ran out of Ready batches`);
  }

  /** Deliver queued messages (and the ones they cause) until the network is quiet. */
  stabilize(maxMessages = 1_000_000): number {
    for (const id of this.ids) this.process(id);
    let delivered = 0;
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      for (const m of batch) {
        if (!this.#isDelivered(m)) continue;
        delivered++;
        if (this.recordDelivered) this.delivered.push(m);
        this.node(m.to).core.step(m);
        this.process(m.to);
      }
      assert(delivered <= maxMessages, 'cluster did not stabilize');
    }
    return delivered;
  }

  #isDelivered(m: Message): boolean {
    if (this.#down.has(m.to)) return false;
    if (this.#cut.has(`${m.from}>${m.to}`)) return false;
    return !this.#dropTypes.has(m.type);
  }

  /** Tick every live node `count` times, stabilizing after each round. */
  tickAll(count: number): void {
    for (let i = 0; i < count; i++) {
      for (const id of this.ids) if (!this.#down.has(id)) this.core(id).tick();
      this.stabilize();
    }
  }

  tick(id: string, count: number): void {
    for (let i = 0; i < count; i++) {
      this.core(id).tick();
      this.stabilize();
    }
  }

  /** Campaign on `id` and stabilize; returns the resulting leader, if any. */
  elect(id: string): string | null {
    this.core(id).campaign();
    this.stabilize();
    return this.leader();
  }

  /** The live leader with the highest term, or null. */
  leader(): string | null {
    let best: string | null = null;
    let bestTerm = -1;
    for (const id of this.ids) {
      if (this.#down.has(id)) continue;
      const core = this.core(id);
      if (core.role === Role.LEADER && core.term > bestTerm) {
        best = id;
        bestTerm = core.term;
      }
    }
    return best;
  }

  propose(id: string, text: string): ReturnType<RaftCore['propose']> {
    const result = this.core(id).propose(new TextEncoder().encode(text));
    this.stabilize();
    return result;
  }

  /** Applied payloads of a node, as text, without no-op entries. */
  appliedTexts(id: string): string[] {
    const decoder = new TextDecoder();
    return this.node(id)
      .applied.filter((e) => e.data.length > 0)
      .map((e) => decoder.decode(e.data));
  }
}
