// What a benchmark figure was measured on: date, CPU, cores, memory, Node, commit, disk.

import { execFileSync } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  commit: string;
  disk: string;
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(dir: string): MachineInfo {
  const df = run('df', ['-h', dir]).split('\n').at(-1)?.split(/\s+/) ?? [];
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    commit: run('git', ['rev-parse', '--short', 'HEAD']),
    disk: `${df[0] ?? '?'} (${df[1] ?? '?'} total, ${df[3] ?? '?'} free; ${Math.round(freemem() / 2 ** 30)} GiB RAM free)`,
  };
}

export function machineLine(m: MachineInfo): string {
  return `${m.date.slice(0, 10)}, ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, commit ${m.commit}, disk ${m.disk}`;
}

/** 1, 5 and 15 minute load averages, "3.10 / 2.50 / 1.20": how busy a shared machine was. */
export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}
