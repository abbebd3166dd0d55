// The store's power-loss simulation, seeded (in the style of raft-sim.ts): random puts (single and
// batch) under SYNC_FLUSH or ASYNC_FLUSH, commits, flush rounds, ConsumeQueue/index syncs and
// checkpoints, reads, segment rolls (small segments), expiry, clean closes and power losses - at a
// step boundary or at any mutating file call, recovery included - all through the shipped recovery
// and write path on a PowerLossDisk. After every recovery store-sim-checks.ts compares the store with
// the model. One seed replays one run exactly (ManualClock, Sfc32, no real I/O or timers).

import { ManualClock } from '../../../common/clock.js';
import { type Prng, Sfc32 } from '../../../common/prng.js';
import { markCleanExit } from '../../../engine/checkpoint/store-lock.js';
import type { AppendResult } from '../../../engine/commitlog/commit-log-writer.js';
import { resolveStoreOptions, type StoreOptions } from '../../../engine/options.js';
import { PutStatus } from '../../../engine/put/put-result.js';
import type { WritePathCanaries } from '../../../engine/put/write-path.js';
import { PositionSlot } from '../../../engine/store-positions.js';
import { fnv1a, mix, mixString } from './hash.js';
import { PowerLoss, PowerLossDisk } from './power-loss-disk.js';
import { bootStore, type StoreBoot } from './store-boot.js';
import { checkRecovered, type DurabilityClaims, type ModelRecord } from './store-sim-checks.js';

export const StoreCanary = {
  ackBeforeSync: 'ackBeforeSync',
  skipLogicsSync: 'skipLogicsSync',
  skipCheckpointSync: 'skipCheckpointSync',
  checkpointAheadOfFlush: 'checkpointAheadOfFlush',
} as const;
export type StoreCanary = (typeof StoreCanary)[keyof typeof StoreCanary];

export interface StoreSimOptions {
  seed: number;
  canary?: StoreCanary;
  trace?: (line: string) => void;
}

export interface StoreSimStats {
  flushDiskType: string;
  host: string;
  steps: number;
  puts: number;
  acked: number;
  powerLosses: number;
  crashesMidCall: number;
  recoveries: number;
  segmentsExpired: number;
  filesTorn: number;
  dirsReverted: number;
}

export interface StoreSimResult {
  seed: number;
  ok: boolean;
  violation: string | undefined;
  stats: StoreSimStats;
  eventHash: number;
  traceTail: string[];
}

const ROOT = '/store';
const TOPICS = ['orders', 'audit'] as const;
const MAX_RECOVERY_ATTEMPTS = 8;

function simOptions(prng: Prng): StoreOptions {
  return resolveStoreOptions({
    storePathRootDir: ROOT,
    threads: false,
    flushDiskType: prng.chance(0.5) ? 'SYNC_FLUSH' : 'ASYNC_FLUSH',
    mappedFileSizeCommitLog: 4096 * prng.int(1, 3),
    mappedFileSizeConsumeQueue: 20 * prng.int(4, 16),
    maxMessageSize: 1024,
    maxHashSlotNum: 16,
    maxIndexNum: prng.int(16, 64),
    flushCommitLogLeastPages: prng.int(0, 2),
    flushIntervalCommitLog: 200,
    flushCommitLogThoroughInterval: 1000,
    flushIntervalConsumeQueue: 500,
    fileReservedTime: 1,
    tailCacheBytes: 256 * 1024,
    appendRingBytes: 128 * 1024,
    checkCRCOnRecover: true,
  });
}

/** Body bytes from one seeded word (xorshift32): cheap, and different for every put. */
function randomBody(prng: Prng, length: number): Buffer {
  const body = Buffer.alloc(length);
  let x = prng.int(1, 0x7fffffff);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    body[i] = x & 0xff;
  }
  return body;
}

class StoreSim {
  readonly prng: Prng;
  readonly clock = new ManualClock();
  readonly disk: PowerLossDisk;
  readonly options: StoreOptions;
  readonly inlineSync: boolean;
  readonly canaries: WritePathCanaries;
  readonly model = new Map<number, ModelRecord>();
  readonly claims: DurabilityClaims = { reportedFlushed: 0, expiredBelow: 0 };
  readonly stats: StoreSimStats;
  readonly trace: string[] = [];
  #traceSink: ((line: string) => void) | undefined;
  eventHash = 0;
  #seq = 0;
  #out: AppendResult = { queueOffset: 0, commitLogOffset: 0 };
  #expiring: number | undefined;

  constructor(o: StoreSimOptions) {
    this.prng = new Sfc32(o.seed);
    this.disk = new PowerLossDisk(() => this.clock.nowMs(), this.prng.fork());
    this.options = simOptions(this.prng);
    this.inlineSync = this.prng.chance(0.5);
    this.canaries = o.canary === undefined ? {} : { [o.canary]: true };
    this.#traceSink = o.trace;
    this.stats = {
      flushDiskType: this.options.flushDiskType,
      host: this.inlineSync ? 'in-thread' : 'workers',
      steps: 0,
      puts: 0,
      acked: 0,
      powerLosses: 0,
      crashesMidCall: 0,
      recoveries: 0,
      segmentsExpired: 0,
      filesTorn: 0,
      dirsReverted: 0,
    };
  }

  log(line: string): void {
    this.eventHash = mixString(this.eventHash, line);
    this.trace.push(line);
    if (this.trace.length > 40) this.trace.shift();
    this.#traceSink?.(line);
  }

  /** The store's root exists durably before the store first runs (the operator made it). */
  prepareRoot(): void {
    const io = this.disk.mount();
    io.mkdirp(ROOT);
    io.syncDir('/');
  }

  /** Recovers (power may fail during recovery too), then checks the store against the model. */
  async recover(): Promise<StoreBoot | string> {
    for (let attempt = 0; attempt < MAX_RECOVERY_ATTEMPTS; attempt++) {
      if (attempt > 0 || this.prng.chance(0.1)) this.disk.crashAtOp = this.prng.int(1, 40);
      try {
        const boot = await bootStore(
          this.disk.mount(),
          this.options,
          this.clock,
          this.inlineSync,
          this.canaries,
        );
        this.stats.recoveries++;
        this.disk.crashAtOp = undefined;
        const found: ModelRecord[] = [];
        const violation = checkRecovered(boot.recovered, this.model, this.claims, found);
        if (violation !== undefined) {
          boot.recovered.releaseLock();
          return violation;
        }
        this.#afterRecovery(boot, found);
        return boot;
      } catch (error) {
        if (!(error instanceof PowerLoss)) {
          return `recovery failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
        }
        this.log(`power lost during recovery (call ${this.disk.opCount})`);
        this.#powerLoss();
      }
    }
    this.disk.crashAtOp = undefined;
    return this.recover();
  }

  #afterRecovery(boot: StoreBoot, found: readonly ModelRecord[]): void {
    const end = boot.recovered.endOffset;
    for (const offset of [...this.model.keys()]) if (offset >= end) this.model.delete(offset);
    this.claims.reportedFlushed = end;
    this.log(
      `recovered: end ${end}, ${found.length} records from ${boot.recovered.commitLog.minOffset()}`,
    );
    this.eventHash = mix(this.eventHash, end);
  }

  #powerLoss(): void {
    this.disk.powerLoss(this.prng);
    this.stats.powerLosses++;
  }

  /** Runs one step; returns a violation, or undefined. Throws PowerLoss when the power fails. */
  step(boot: StoreBoot): string | undefined {
    this.stats.steps++;
    this.clock.advance(this.prng.int(0, 300));
    const roll = this.prng.int(0, 99);
    if (roll < 45) return this.#put(boot, this.prng.chance(0.3) ? this.prng.int(2, 8) : 1);
    if (roll < 60) {
      boot.write.commit();
      return undefined;
    }
    if (roll < 75) return this.#flushRound(boot);
    if (roll < 82) {
      const nowMs = this.clock.monotonicMs();
      boot.write.maintain(nowMs);
      boot.flush.checkpointIfDue(nowMs);
      this.log(`maintain: logics durable ${boot.positions.get(PositionSlot.LOGICS_DURABLE)}`);
      return undefined;
    }
    if (roll < 92) return this.#read(boot);
    return this.#expire(boot);
  }

  #put(boot: StoreBoot, count: number): string | undefined {
    const sync = this.options.flushDiskType === 'SYNC_FLUSH';
    // Records appended `direct` (as the writer thread appends large ones: pwritten from their
    // source, left out of the tail cache); their sources are scribbled over once released.
    const sources: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const topic = TOPICS[this.prng.int(0, TOPICS.length - 1)] as string;
      const queueId = this.prng.int(0, 2);
      const body = randomBody(this.prng, this.prng.int(1, 600));
      const key = `k${++this.#seq}`;
      const length = boot.encoder.prepare(
        { topic, queueId, body, keys: key },
        () => `U${this.#seq}`,
        this.clock.nowMs(),
      );
      if (typeof length !== 'number')
        return `the encoder refused a valid message: ${length.reason}`;
      let record: ModelRecord | undefined;
      boot.tracker.add({
        resolve: (result) => {
          if (record === undefined) return;
          if (result.commitLogOffset !== record.offset) return;
          if (sync && result.status === PutStatus.PUT_OK) {
            record.acked = true;
            this.stats.acked++;
          }
        },
        topic,
        queueId,
        inQueue: true,
        uniqKey: `U${this.#seq}`,
        length,
        waitFlush: sync,
        deadlineMs: Number.POSITIVE_INFINITY,
        waitReplica: false,
        replicaDeadlineMs: Number.POSITIVE_INFINITY,
        status: PutStatus.PUT_OK,
        queueOffset: -1,
        commitLogOffset: -1,
      });
      const written = boot.encoder.encodeTo(boot.scratch, 0);
      const direct = this.prng.chance(0.3);
      const source = direct ? Buffer.from(boot.scratch.subarray(0, written)) : boot.scratch;
      if (direct) sources.push(source);
      boot.write.append(source, 0, written, this.#out, direct);
      record = {
        offset: this.#out.commitLogOffset,
        size: written,
        bytes: Buffer.from(source.subarray(0, written)),
        topic,
        queueId,
        queueOffset: this.#out.queueOffset,
        key,
        acked: false,
      };
      this.model.set(record.offset, record);
      boot.tracker.appended(this.#out.queueOffset, this.#out.commitLogOffset);
      this.stats.puts++;
      this.eventHash = mix(this.eventHash, fnv1a(record.bytes.subarray(0, 64)));
    }
    boot.write.releaseSources();
    for (const source of sources) source.fill(0xee);
    this.log(`put ${count} -> wrote ${boot.positions.get(PositionSlot.WROTE)}`);
    if (this.prng.chance(0.6)) boot.write.commit();
    this.#noteFlushed(boot);
    return undefined;
  }

  #flushRound(boot: StoreBoot): string | undefined {
    boot.flush.round(this.clock.monotonicMs());
    boot.tracker.flushedTo(boot.flush.flushed);
    this.#noteFlushed(boot);
    this.log(`flush round: flushed ${boot.flush.flushed}`);
    return undefined;
  }

  #noteFlushed(boot: StoreBoot): void {
    const flushed = boot.positions.get(PositionSlot.FLUSHED);
    if (flushed > this.claims.reportedFlushed) this.claims.reportedFlushed = flushed;
  }

  #read(boot: StoreBoot): string | undefined {
    const wrote = boot.positions.get(PositionSlot.WROTE);
    const min = boot.recovered.commitLog.minOffset();
    const candidates = [...this.model.values()].filter(
      (r) => r.offset >= min && r.offset + r.size <= wrote,
    );
    const record = candidates[this.prng.int(0, Math.max(0, candidates.length - 1))];
    if (record === undefined) return undefined;
    const bytes = boot.reader.readRecord(record.offset, record.size);
    if (!bytes.equals(record.bytes))
      return `read of the record at ${record.offset} returned other bytes`;
    this.log(`read ${record.offset}`);
    return undefined;
  }

  #expire(boot: StoreBoot): string | undefined {
    this.clock.advance(this.prng.int(1, 2) * 3600 * 1000);
    // If the power fails during expiry, any segment but the newest may be gone.
    this.#expiring = boot.recovered.commitLog.segments().at(-1);
    const deleted = boot.clean.run(true);
    this.#expiring = undefined;
    this.stats.segmentsExpired += deleted;
    const min = boot.recovered.commitLog.minOffset();
    if (min > this.claims.expiredBelow) this.claims.expiredBelow = min;
    boot.write.maintain(this.clock.monotonicMs());
    this.log(`expire: ${deleted} segments, min offset ${min}`);
    return undefined;
  }

  /** A clean close as the hosts do it; the next boot then recovers without a crash. */
  cleanClose(boot: StoreBoot): void {
    boot.write.close();
    boot.flush.close();
    boot.tracker.flushedTo(boot.flush.flushed);
    this.#noteFlushed(boot);
    const { recovered } = boot;
    recovered.index?.close();
    recovered.queues.close();
    recovered.commitLog.close();
    recovered.checkpoint.close();
    markCleanExit(boot.io, ROOT);
    recovered.releaseLock();
    this.log('clean close');
  }

  crash(boot: StoreBoot, midCall: boolean): void {
    if (midCall) this.stats.crashesMidCall++;
    if (this.#expiring !== undefined && this.#expiring > this.claims.expiredBelow)
      this.claims.expiredBelow = this.#expiring;
    this.#expiring = undefined;
    this.log(midCall ? `power lost at call ${this.disk.opCount}` : 'power lost between steps');
    this.#powerLoss();
    try {
      boot.recovered.releaseLock();
    } catch (error) {
      if (!(error instanceof PowerLoss)) throw error;
    }
  }
}

export async function runStoreSimulation(o: StoreSimOptions): Promise<StoreSimResult> {
  const sim = new StoreSim(o);
  sim.prepareRoot();
  let boot: StoreBoot | string = 'not booted';
  const result = (violation: string | undefined): StoreSimResult => {
    // The store lock is per process: a run that ends with the store open releases it.
    if (typeof boot !== 'string') sim.crash(boot, false);
    sim.stats.filesTorn = sim.disk.stats.filesTorn;
    sim.stats.dirsReverted = sim.disk.stats.dirsReverted;
    return {
      seed: o.seed,
      ok: violation === undefined,
      violation,
      stats: sim.stats,
      eventHash: sim.eventHash,
      traceTail: [...sim.trace],
    };
  };
  const boots = sim.prng.int(2, 4);
  boot = await sim.recover();
  for (let b = 0; b < boots; b++) {
    if (typeof boot === 'string') return result(boot);
    if (sim.prng.chance(0.6)) sim.disk.crashAtOp = sim.prng.int(1, 300);
    const steps = sim.prng.int(20, 80);
    let crashed = false;
    try {
      for (let s = 0; s < steps; s++) {
        const violation = sim.step(boot);
        if (violation !== undefined) return result(violation);
      }
      if (sim.prng.chance(0.3)) sim.cleanClose(boot);
      else sim.crash(boot, false);
    } catch (error) {
      if (!(error instanceof PowerLoss)) {
        return result(
          `the write path threw: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        );
      }
      crashed = true;
    }
    if (crashed) sim.crash(boot, true);
    else if (sim.prng.chance(0.5)) sim.crash(boot, false);
    sim.disk.crashAtOp = undefined;
    boot = await sim.recover();
  }
  return result(typeof boot === 'string' ? boot : undefined);
}
