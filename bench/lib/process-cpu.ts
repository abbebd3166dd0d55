// CPU time (user + system, threads and kernel work on their behalf included) of processes, read
// from /proc/<pid>/stat. On a shared machine msgs/s moves with the load; CPU per message moves
// much less, so the benchmarks report both.

import { readFileSync } from 'node:fs';

/** Linux reports utime/stime in USER_HZ ticks, 100 per second on every mainstream kernel. */
const TICKS_PER_MS = 100 / 1000;

/** CPU milliseconds used so far by each running pid summed; null where /proc is unreadable. */
export function cpuMsOf(pids: readonly number[]): number | null {
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null;
    }
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_MS;
}
