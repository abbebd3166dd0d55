// CPU time per message of this process and of a child (a broker), over a measured window. Less
// sensitive than msgs/s to other work sharing the machine's cores. The child's time is read from
// /proc/<pid>/stat (user + system, every thread), so on other systems only this process counts.

import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

function childCpuUs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the parenthesised command name: state is the first, utime the 12th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / TICKS_PER_S : null;
  } catch {
    return null;
  }
}

export interface CpuWindow {
  /** "client N us/msg, broker M us/msg" for `messages` since start(). */
  note(messages: number): string;
}

/** Starts measuring this process and child `pid` now. */
export function startCpuWindow(pid: number | undefined): CpuWindow {
  const ownBefore = process.cpuUsage();
  const childBefore = childCpuUs(pid);
  return {
    note(messages) {
      if (messages === 0) return '';
      const own = process.cpuUsage(ownBefore);
      const parts = [`client ${((own.user + own.system) / messages).toFixed(1)} us/msg`];
      const childAfter = childCpuUs(pid);
      if (childBefore !== null && childAfter !== null)
        parts.push(`broker ${((childAfter - childBefore) / messages).toFixed(1)} us/msg`);
      return parts.join(', ');
    },
  };
}
