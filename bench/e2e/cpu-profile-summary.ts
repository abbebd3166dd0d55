// Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time,
// as a share of the sampled time, for bench/RESULTS.md.
//
// Usage: node dist/bench/e2e/cpu-profile-summary.js FILE.cpuprofile [--top=15]

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTimeRow {
  name: string;
  selfMs: number;
  share: number;
}

/** Self time per function (name + file), largest first; idle time is left out of the shares. */
export function topSelfTime(profile: CpuProfile, top: number): SelfTimeRow[] {
  const keyOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const file = frame.url === '' ? '' : ` ${basename(frame.url)}:${frame.lineNumber + 1}`;
    keyOf.set(node.id, `${frame.functionName || '(anonymous)'}${file}`);
  }
  const selfUs = new Map<string, number>();
  let busyUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const key = keyOf.get(profile.samples[i] ?? -1) ?? '(unknown)';
    const deltaUs = profile.timeDeltas[i] ?? 0;
    selfUs.set(key, (selfUs.get(key) ?? 0) + deltaUs);
    if (key !== '(idle)') busyUs += deltaUs;
  }
  return [...selfUs.entries()]
    .filter(([key]) => key !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, selfMs: us / 1000, share: busyUs === 0 ? 0 : us / busyUs }));
}

function main(args: string[]): void {
  const file = args.find((a) => !a.startsWith('--'));
  if (file === undefined) throw new Error('usage: cpu-profile-summary.js FILE [--top=N]');
  const top = Number(/^--top=(\d+)$/.exec(args.find((a) => a.startsWith('--top=')) ?? '')?.[1]);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const rows = topSelfTime(profile, Number.isInteger(top) && top > 0 ? top : 15);
  console.log('| function (file:line) | self ms | share of busy |');
  console.log('| --- | ---: | ---: |');
  for (const r of rows)
    console.log(`| ${r.name} | ${r.selfMs.toFixed(0)} | ${(r.share * 100).toFixed(1)} % |`);
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) main(process.argv.slice(2));
