// CPU time (user + system, threads and kernel work on their behalf included) and peak resident
// memory of processes, read from /proc. On a shared machine msgs/s moves with the load; CPU per
// message moves much less, so the benchmarks report both.

import { readFileSync } from 'node:fs';

/** Linux reports utime/stime in USER_HZ ticks, 100 per second on every mainstream kernel. */
const TICKS_PER_MS = 100 / 1000;

/** /proc/<pid>/<file>, or null when it cannot be read (the process is gone, or no /proc). */
function procFile(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/** CPU milliseconds used so far by each running pid summed; null where /proc is unreadable. */
export function cpuMsOf(pids: readonly number[]): number | null {
  let ticks = 0;
  for (const pid of pids) {
    const stat = procFile(pid, 'stat');
    if (stat === null) return null;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_MS;
}

/** The largest peak resident set (VmHWM) among the pids, in MiB; null where /proc is unreadable. */
export function peakRssMiBOf(pids: readonly number[]): number | null {
  let peakKiB = 0;
  for (const pid of pids) {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(procFile(pid, 'status') ?? '');
    if (match === null) return null;
    peakKiB = Math.max(peakKiB, Number(match[1]));
  }
  return peakKiB / 1024;
}
