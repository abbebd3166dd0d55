// The cluster benchmark's report: one markdown section per mode and flush setting, with the
// machine, the command and the commit it ran on, written into bench/results/cluster.md.

import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { markdownTable } from '../lib/markdown-report.js';
import { REPO_ROOT } from './bench-processes.js';
import type { BenchRow, ClusterBenchOptions } from './cluster-bench.js';

function commitOf(): string {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    return ` (commit ${hash.trim()})`;
  } catch (error) {
    console.log(`No git commit for the report: ${error instanceof Error ? error.message : error}`);
    return '';
  }
}

/** A figure with `digits` decimals, or '-' when there is none. */
export function fmt(value: number | null, digits = 2): string {
  return value === null ? '-' : value.toFixed(digits);
}

export function renderReport(
  options: ClusterBenchOptions,
  rows: readonly BenchRow[],
  command: string,
): string {
  const lines = [
    `### ${options.mode} (${options.flush}, ${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, loopback; ` +
      `${options.sizeBytes}-byte bodies, ${options.queues} queues, broker ASYNC_MASTER with ${options.flush}, ` +
      `${options.mode === 'produce' ? `${options.concurrency} concurrent senders, ${options.warmupS} s warm-up, ${options.durationS} s measured` : `backlog ${options.messages}, live rate ${options.ratePerS}/s for ${options.durationS} s`}.`,
    '',
    `Command: \`${command}\`${commitOf()}`,
    '',
    ...markdownTable(
      ['run', 'msgs/s', 'p50 ms', 'p99 ms', 'broker loop delay p99 ms', 'vs embedded', 'note'],
      [false, true, true, true, true, true, false],
      rows.map((r) => [
        r.label,
        String(r.msgsPerS),
        fmt(r.p50Ms),
        fmt(r.p99Ms),
        fmt(r.loopDelayP99Ms),
        r.vsEmbedded === null ? '-' : `${r.vsEmbedded.toFixed(3)}x`,
        r.note,
      ]),
    ),
    '',
  ];
  return lines.join('\n');
}

export const REPORT_HEADER = `# Cluster benchmark (petrel bench produce|consume)

Written by \`bench/e2e/cluster-bench.ts\` (see its header). A NameServer and one broker run as child
processes on loopback; the clients run in the benchmark process; all share the machine's cores.

- produce: closed loop of N concurrent \`send\` calls; latency is send to acknowledgement.
- consume: a fresh group drains the backlog in the topic (msgs/s, start and rebalance included),
  then a producer sends at a fixed rate while the group consumes; latency is send start to the
  listener call, measured on one process clock.
- broker loop delay: \`perf_hooks.monitorEventLoopDelay\` (1 ms resolution) in the broker process,
  preloaded with \`node --import dist/bench/e2e/loop-delay-probe.js\` and read over IPC for each
  measured window; the figure is how late the loop was beyond the 1 ms interval.
- vs embedded: msgs/s over the embedded engine's (\`openStore\` in the benchmark process, same body
  size, concurrency and flush mode), measured in the same run: the cost of the network path.

`;
