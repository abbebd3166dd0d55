// Micro benchmark of the Raft core: proposals through a 3-node cluster in memory with an instant
// network (InstantCluster), each host following the full contract (persist into MemoryStorage,
// send, apply, advance). One iteration proposes a batch of B entries of 128 bytes on the leader and
// runs the cluster until every node has applied them. Reported as entries per second, to show
// the core is not the bottleneck of DLedger mode (target: > 500k entries/s with batching).
//
//   npm run build && node dist/bench/micro/raft.bench.js [--time-ms 2000]

import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { InstantCluster } from '../../test/sim/lib/instant-cluster.js';

const PAYLOAD_BYTES = 128;
/** A cluster is rebuilt after this many entries, so memory stays bounded (no compaction). */
const ENTRIES_PER_CLUSTER = 200_000;

class ProposalLoop {
  readonly #batch: number;
  readonly #payload = new Uint8Array(PAYLOAD_BYTES).fill(7);
  #cluster: InstantCluster;
  #proposed = 0;

  constructor(batch: number) {
    this.#batch = batch;
    this.#cluster = ProposalLoop.#newCluster();
  }

  static #newCluster(): InstantCluster {
    const cluster = new InstantCluster({
      nodeCount: 3,
      overrides: { maxUncommittedEntries: 100_000, maxEntriesPerAppend: 4096 },
    });
    if (cluster.elect('n0') !== 'n0') throw new Error('benchmark cluster did not elect n0');
    for (const id of cluster.ids) cluster.node(id).applied.length = 0;
    return cluster;
  }

  /** Propose one batch and run the cluster until all three nodes applied it. */
  runBatch(): void {
    if (this.#proposed >= ENTRIES_PER_CLUSTER) {
      this.#cluster = ProposalLoop.#newCluster();
      this.#proposed = 0;
    }
    const leader = this.#cluster.core('n0');
    for (let i = 0; i < this.#batch; i++) {
      if (leader.propose(this.#payload).status !== 'OK') throw new Error('proposal refused');
    }
    this.#cluster.stabilize();
    this.#proposed += this.#batch;
    for (const node of this.#cluster.ids.map((id) => this.#cluster.node(id))) {
      // Every node must have applied the whole batch, or the figure would be meaningless.
      if (node.applied.length !== this.#batch) throw new Error(`${node.id} applied too little`);
      // Keep the benchmark's memory flat: the applied lists are only needed by tests.
      node.applied.length = 0;
    }
  }
}

export const RAFT_BENCH_BATCHES = [1, 16, 256, 1024] as const;

/** The benchmark, one task per batch size. */
export function createRaftBench(timeMs = 2000): Bench {
  const bench = new Bench({ name: 'raft core, 3 nodes, instant network', time: timeMs });
  for (const batch of RAFT_BENCH_BATCHES) {
    const loop = new ProposalLoop(batch);
    bench.add(`propose+commit+apply, batch ${batch}`, () => loop.runBatch());
  }
  return bench;
}

export interface RaftBenchRow {
  readonly batch: number;
  readonly batchesPerSecond: number;
  readonly entriesPerSecond: number;
  readonly latencyMsP50: number;
  readonly latencyMsP99: number;
  readonly rmePercent: number;
  readonly samples: number;
}

/** Run the benchmark and return one row per batch size. */
export async function runRaftBench(timeMs = 2000): Promise<RaftBenchRow[]> {
  const bench = createRaftBench(timeMs);
  await bench.run();
  return bench.tasks.map((task, i) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    const batch = RAFT_BENCH_BATCHES[i] as number;
    const batchesPerSecond = 1000 / result.period;
    return {
      batch,
      batchesPerSecond: Math.round(batchesPerSecond),
      entriesPerSecond: Math.round(batchesPerSecond * batch),
      latencyMsP50: Number(result.latency.p50.toFixed(4)),
      latencyMsP99: Number(result.latency.p99.toFixed(4)),
      rmePercent: Number(result.latency.rme.toFixed(2)),
      samples: result.latency.samplesCount,
    };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'time-ms': { type: 'string', default: '2000' } } });
  const timeMs = Number(values['time-ms']);
  console.log(`raft micro benchmark: Node ${process.version}, ${timeMs} ms per task`);
  console.table(await runRaftBench(timeMs));
}

if (
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))
) {
  await main();
}
