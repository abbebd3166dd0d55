// Runs segment verification on a short-lived piscina pool (one thread per core at most), so a
// recovery that must scan several 1 GiB segments checks their CRCs in parallel.

import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { SegmentScanResult } from '../../engine/commitlog/segment-scan.js';
import type { VerifyTask } from '../../engine/recovery/store-recovery.js';

export async function verifySegmentsInParallel(tasks: VerifyTask[]): Promise<SegmentScanResult[]> {
  const pool = new Piscina({
    filename: new URL('./verify-segment-task.js', import.meta.url).href,
    name: 'verifySegment',
    minThreads: 1,
    maxThreads: Math.max(1, Math.min(tasks.length, availableParallelism())),
  });
  try {
    return await Promise.all(tasks.map((task) => pool.run(task) as Promise<SegmentScanResult>));
  } finally {
    await pool.destroy();
  }
}
