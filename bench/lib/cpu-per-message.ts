// CPU time per message of this process and of a child (a broker), over a measured window. Less
// sensitive than msgs/s to other work sharing the machine's cores. The child's time is read from
// /proc/<pid>/stat (user + system, every thread), so on other systems only this process counts.

import { cpuMsOf } from './process-usage.js';

function childCpuUs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const ms = cpuMsOf([pid]);
  return ms === null ? null : ms * 1000;
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
