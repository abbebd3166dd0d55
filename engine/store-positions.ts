// Positions shared between the main thread and the engine's worker threads, in a
// SharedArrayBuffer of 64-bit slots. Each is written by one thread only (Atomics.store, then
// Atomics.notify) and read by any (Atomics.load); waiters on the main thread use Atomics.waitAsync.
//
// slot  name                writer      meaning
//  0    wrote               writer      CommitLog bytes written (pwrite) and dispatched
//  1    flushed             flusher     CommitLog bytes fdatasync'ed
//  2    wroteTimestamp      writer      store time of the newest written record (set before wrote)
//  3    flushedTimestamp    flusher     store time of the newest flushed record
//  4    logicsDurable       writer      ConsumeQueue units and index entries are fdatasync'ed below it
//  5    logicsTimestamp     writer      store time of the newest record below logicsDurable
//  6    minCommitLogOffset  main        oldest CommitLog offset kept (after expiry)
//  7    failed              any         non-zero once a worker hit a fatal error
//  8    slaveAcked          ha sender   highest offset a slave acknowledged (Master/Slave)
//  9    flushWake           main        bumped to wake the flush thread early (close)
// 10    dispatched          writer      end of the last complete record dispatched (a record boundary;
//                                       below wrote only on a slave, while a replicated record is partial)
// 11    slaveCount          ha sender   slaves connected now
// 12    haPort              ha sender   the HA listen port once bound (0 until then)
// 13    writerFault         writer      a StorageFault (engine/io/storage-fault.ts) while writes fail
// 14    flusherFault        flusher     a StorageFault once an fdatasync failed (latched)
// 15    flushTotalMicros    flusher     time spent in CommitLog fdatasync, microseconds (metrics)
// 16    flushCount          flusher     CommitLog fdatasyncs so far (metrics)
// 17    peerEpoch           ha sender   highest controller epoch a connecting replica said it has seen
//                                       (controller mode: above this master's epoch, it was deposed)
// 18    slaveBrokerId       ha sender   brokerId of the replica streaming now (controller mode)
// 19    replicaAcked        ha sender   what that replica acknowledged, from where it resumed on
//                                       (controller mode; slaveAcked only ever grows)

import { assert } from '../common/assert.js';

export const PositionSlot = {
  WROTE: 0,
  FLUSHED: 1,
  WROTE_TIMESTAMP: 2,
  FLUSHED_TIMESTAMP: 3,
  LOGICS_DURABLE: 4,
  LOGICS_TIMESTAMP: 5,
  MIN_COMMITLOG_OFFSET: 6,
  FAILED: 7,
  SLAVE_ACKED: 8,
  FLUSH_WAKE: 9,
  DISPATCHED: 10,
  SLAVE_COUNT: 11,
  HA_PORT: 12,
  WRITER_FAULT: 13,
  FLUSHER_FAULT: 14,
  /** Time spent in fdatasync of the CommitLog, in microseconds, and how many times (metrics). */
  FLUSH_TOTAL_MICROS: 15,
  FLUSH_COUNT: 16,
  PEER_EPOCH: 17,
  SLAVE_BROKER_ID: 18,
  REPLICA_ACKED: 19,
} as const;
export type PositionSlot = (typeof PositionSlot)[keyof typeof PositionSlot];

const SLOT_COUNT = 20;

export class StorePositions {
  readonly sab: SharedArrayBuffer;
  readonly slots: BigInt64Array;

  constructor(sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(SLOT_COUNT * 8);
    assert(this.sab.byteLength === SLOT_COUNT * 8, 'positions: wrong buffer size');
    this.slots = new BigInt64Array(this.sab);
  }

  get(slot: PositionSlot): number {
    return Number(Atomics.load(this.slots, slot));
  }

  /** Publishes a new value and wakes every waiter on the slot. */
  set(slot: PositionSlot, value: number): void {
    assert(Number.isSafeInteger(value), 'positions: value must be a safe integer');
    Atomics.store(this.slots, slot, BigInt(value));
    Atomics.notify(this.slots, slot);
  }

  /** Wakes every waiter on the slot without changing it (they re-check and find a reason to stop). */
  wake(slot: PositionSlot): void {
    Atomics.notify(this.slots, slot);
  }

  /** Raises a monotonic position (never lowers it). */
  advance(slot: PositionSlot, value: number): void {
    if (value > this.get(slot)) this.set(slot, value);
  }

  /**
   * Resolves when the slot no longer holds `seen`, or after `timeoutMs` (main thread; never blocks).
   * A pending waitAsync does not keep the process alive: callers hold a ref'd handle meanwhile.
   */
  async waitChangeAsync(slot: PositionSlot, seen: number, timeoutMs: number): Promise<void> {
    const result = Atomics.waitAsync(this.slots, slot, BigInt(seen), timeoutMs);
    if (result.async) await result.value;
  }
}
