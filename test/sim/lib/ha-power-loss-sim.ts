// Power loss of a Master/Slave pair, seeded: a master and a slave, each the shipped recovery and
// write path on its own PowerLossDisk. The master takes puts; replication copies the bytes the
// master wrote (its page cache) to the slave, which appends them with appendRaw and commits, then
// acknowledges its wrote position (in its page cache, as RocketMQ's slave does); the master's put
// tracker settles SYNC_MASTER puts from that. Power then fails on the master, the slave or both, and
// both recover. The result counts the acknowledged puts each store still holds, byte-identical, so
// the test can state what each mode guarantees in each case. The HA transport (sockets, frames) is
// not simulated: docs/ha.md's fault tests cover it.

import { ManualClock } from '../../../common/clock.js';
import { type Prng, Sfc32 } from '../../../common/prng.js';
import type { AppendResult } from '../../../engine/commitlog/commit-log-writer.js';
import {
  type BrokerRole,
  type FlushDiskType,
  resolveStoreOptions,
} from '../../../engine/options.js';
import { PutStatus } from '../../../engine/put/put-result.js';
import { PositionSlot } from '../../../engine/store-positions.js';
import { PowerLoss, PowerLossDisk } from './power-loss-disk.js';
import { bootStore, type StoreBoot } from './store-boot.js';

export const LossTarget = { MASTER: 'master', SLAVE: 'slave', BOTH: 'both' } as const;
export type LossTarget = (typeof LossTarget)[keyof typeof LossTarget];

export interface HaLossResult {
  seed: number;
  acked: number;
  /** Acknowledged puts missing (or changed) on the recovered master. */
  lostOnMaster: number;
  /** Acknowledged puts missing on both recovered stores. */
  lostOnBoth: number;
  failure: string | undefined;
}

interface Acked {
  offset: number;
  bytes: Buffer;
}

const OPTIONS = {
  threads: false,
  mappedFileSizeCommitLog: 8192,
  mappedFileSizeConsumeQueue: 20 * 8,
  maxMessageSize: 1024,
  maxHashSlotNum: 16,
  maxIndexNum: 64,
  flushCommitLogLeastPages: 1,
  flushIntervalCommitLog: 200,
  flushIntervalConsumeQueue: 500,
  tailCacheBytes: 256 * 1024,
  appendRingBytes: 128 * 1024,
} as const;

function body(prng: Prng): Buffer {
  const out = Buffer.alloc(prng.int(1, 500));
  let x = prng.int(1, 0x7fffffff);
  for (let i = 0; i < out.byteLength; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function holds(boot: StoreBoot, record: Acked): boolean {
  if (record.offset + record.bytes.byteLength > boot.recovered.endOffset) return false;
  const got = Buffer.alloc(record.bytes.byteLength);
  boot.recovered.commitLog.read(record.offset, got, 0, got.byteLength);
  return got.equals(record.bytes);
}

/** Copies up to one chunk of what the master wrote to the slave; returns the slave's acked offset. */
function replicate(prng: Prng, master: StoreBoot, slave: StoreBoot): number {
  const from = slave.write.writer.appendedPosition;
  const wrote = master.positions.get(PositionSlot.WROTE);
  const segmentEnd =
    from - (from % OPTIONS.mappedFileSizeCommitLog) + OPTIONS.mappedFileSizeCommitLog;
  const length = Math.min(wrote - from, segmentEnd - from, prng.int(1, 4096));
  if (length > 0) {
    const bytes = Buffer.alloc(length);
    master.recovered.commitLog.read(from, bytes, 0, length);
    slave.write.appendRaw(from, bytes, 0, length);
    slave.write.commit();
  }
  return slave.positions.get(PositionSlot.WROTE);
}

export async function runHaLossSimulation(
  seed: number,
  role: Extract<BrokerRole, 'SYNC_MASTER' | 'ASYNC_MASTER'>,
  flushDiskType: FlushDiskType,
  target: LossTarget,
): Promise<HaLossResult> {
  const prng = new Sfc32(seed);
  const clock = new ManualClock();
  const disks = {
    master: new PowerLossDisk(() => clock.nowMs(), prng.fork()),
    slave: new PowerLossDisk(() => clock.nowMs(), prng.fork()),
  };
  const masterOptions = resolveStoreOptions({
    ...OPTIONS,
    storePathRootDir: '/master',
    brokerRole: role,
    flushDiskType,
  });
  const slaveOptions = resolveStoreOptions({
    ...OPTIONS,
    storePathRootDir: '/slave',
    brokerRole: 'SLAVE',
    flushDiskType: 'ASYNC_FLUSH',
  });
  for (const [disk, root] of [
    [disks.master, '/master'],
    [disks.slave, '/slave'],
  ] as const) {
    const io = disk.mount();
    io.mkdirp(root);
    io.syncDir('/');
  }
  const inline = prng.chance(0.5);
  const master = await bootStore(disks.master.mount(), masterOptions, clock, inline, {});
  const slave = await bootStore(disks.slave.mount(), slaveOptions, clock, false, {});
  const acked: Acked[] = [];
  const out: AppendResult = { queueOffset: 0, commitLogOffset: 0 };
  const steps = prng.int(20, 80);
  let failure: string | undefined;
  for (let step = 0; step < steps && failure === undefined; step++) {
    clock.advance(prng.int(0, 300));
    const roll = prng.int(0, 99);
    if (roll < 45) {
      const length = master.encoder.prepare(
        { topic: 'T', queueId: prng.int(0, 1), body: body(prng), keys: `k${step}` },
        () => `U${step}`,
        clock.nowMs(),
      );
      if (typeof length !== 'number')
        return { seed, acked: 0, lostOnMaster: 0, lostOnBoth: 0, failure: length.reason };
      const record: Acked = { offset: -1, bytes: Buffer.alloc(0) };
      master.tracker.add({
        resolve: (result) => {
          if (result.status === PutStatus.PUT_OK) acked.push(record);
        },
        topic: 'T',
        queueId: 0,
        inQueue: true,
        uniqKey: `U${step}`,
        length,
        waitFlush: flushDiskType === 'SYNC_FLUSH',
        deadlineMs: Number.POSITIVE_INFINITY,
        waitReplica: role === 'SYNC_MASTER',
        replicaDeadlineMs: Number.POSITIVE_INFINITY,
        status: PutStatus.PUT_OK,
        queueOffset: -1,
        commitLogOffset: -1,
      });
      const written = master.encoder.encodeTo(master.scratch, 0);
      master.write.append(master.scratch, 0, written, out);
      record.offset = out.commitLogOffset;
      record.bytes = Buffer.from(master.scratch.subarray(0, written));
      master.tracker.appended(out.queueOffset, out.commitLogOffset);
      if (prng.chance(0.6)) master.write.commit();
    } else if (roll < 60) master.write.commit();
    else if (roll < 75) {
      master.flush.round(clock.monotonicMs());
      master.tracker.flushedTo(master.flush.flushed);
    } else if (roll < 95) master.tracker.replicatedTo(replicate(prng, master, slave));
    else {
      slave.flush.round(clock.monotonicMs());
      slave.write.maintain(clock.monotonicMs());
    }
  }
  if (target !== LossTarget.SLAVE) disks.master.powerLoss(prng);
  if (target !== LossTarget.MASTER) disks.slave.powerLoss(prng);
  for (const boot of [master, slave]) {
    try {
      boot.recovered.releaseLock();
    } catch (error) {
      if (!(error instanceof PowerLoss)) throw error;
    }
  }
  // A store that kept its power keeps its page cache: reopening it reads what it wrote.
  const after = {
    master: await bootStore(disks.master.mount(), masterOptions, clock, inline, {}),
    slave: await bootStore(disks.slave.mount(), slaveOptions, clock, false, {}),
  };
  let lostOnMaster = 0;
  let lostOnBoth = 0;
  for (const record of acked) {
    const onMaster = holds(after.master, record);
    if (!onMaster) lostOnMaster++;
    if (!onMaster && !holds(after.slave, record)) lostOnBoth++;
  }
  after.master.recovered.releaseLock();
  after.slave.recovered.releaseLock();
  return { seed, acked: acked.length, lostOnMaster, lostOnBoth, failure };
}
