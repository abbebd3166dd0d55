// DefaultMessageStore: the object behind the public MessageStore (engine/store-api.ts) and the
// broker's BrokerStore (engine/internal.ts). It validates and encodes puts on the calling thread,
// hands them to an append pipeline (in-thread or on workers), tracks them until they are written
// and, under SYNC_FLUSH, durable; reads go through a StoreReader on this thread.

import { assert } from '../common/assert.js';
import type { Clock } from '../common/clock.js';
import { ErrorCode, MqError } from '../common/errors.js';
import { encodeHostAddress } from '../common/host-address.js';
import { type DecodedMessage, SysFlag, TRANSACTION_TYPE_MASK } from '../common/message-codec.js';
import { UniqIdGenerator } from '../common/message-id.js';
import { markCleanExit } from './checkpoint/store-lock.js';
import type { BodyHasher } from './checksum/body-hasher.js';
import type { CleanService } from './clean/clean-service.js';
import type { HaReplicaLink, HaSenderHandle } from './ha-sender-handle.js';
import type { FileIO } from './io/file-io.js';
import type { StoreOptions } from './options.js';
import type { AppendPipeline, RingOccupancy } from './put/append-pipeline.js';
import {
  type EncodeRejection,
  MessageEncoder,
  type PreparedRecord,
} from './put/message-encoder.js';
import { type PutResult, PutStatus } from './put/put-result.js';
import { PutTracker } from './put/put-tracker.js';
import { RecordStamper, STAMPED_HEADER_BYTES } from './put/record-stamper.js';
import { type ApplyStatus, type LogReplicator, ReplicatedAppend } from './put/replicated-append.js';
import { ConfirmedReads } from './read/confirmed-reads.js';
import {
  checkGetMessageRequest,
  type GetMessageRequest,
  type GetMessageResult,
} from './read/get-result.js';
import type { StoreReader } from './read/store-reader.js';
import { type QueueManifest, writeQueueManifest } from './recovery/queue-rebuild.js';
import type { RecoveryReport } from './recovery/store-recovery.js';
import type { MessageStore, PutMessageInput, QueryMessageRequest } from './store-api.js';
import type { StoreFault, StoreHealth } from './store-health.js';
import { PositionSlot, type StorePositions } from './store-positions.js';

export type { PutMessageInput, QueryMessageRequest } from './store-api.js';

/**
 * Who writes the log (RocketMQ's BrokerRole without the sync/async flavour): a MASTER accepts
 * puts, a SLAVE accepts replicated appends. The role is live: changeRole() switches it at runtime,
 * fenced by a number that never goes back (Raft term, controller epoch).
 */
export const StoreRole = { MASTER: 'MASTER', SLAVE: 'SLAVE' } as const;
export type StoreRole = (typeof StoreRole)[keyof typeof StoreRole];

export interface StoreParts {
  options: Readonly<StoreOptions>;
  io: FileIO;
  clock: Clock;
  hasher: BodyHasher;
  positions: StorePositions;
  reader: StoreReader;
  report: RecoveryReport;
  clean: CleanService;
  health: StoreHealth;
  /** Closes the files this thread reads and, in-thread, writes (after the pipeline's last sync). */
  closeFiles: () => void;
  /** Every queue's max offset (and the index's end) for the next open to check against. */
  queueManifest: () => QueueManifest;
  releaseLock: () => void;
}

export interface StorageFigures {
  minOffset: number;
  wroteOffset: number;
  flushedOffset: number;
  /** CommitLog offset up to which ConsumeQueues and the index have been built. */
  dispatchedOffset: number;
  /** Store time of the newest written and the newest flushed message. */
  wroteTimestampMs: number;
  flushedTimestampMs: number;
  /** Time spent in fdatasync of the CommitLog since the store opened, and how many calls. */
  flushTotalMicros: number;
  flushCount: number;
  rings: readonly RingOccupancy[];
}

/** Long-poll wake-ups kept while a master's replica has not confirmed their messages. */
const MAX_UNCONFIRMED_ARRIVALS = 65_536;

export class DefaultMessageStore implements MessageStore {
  #p: StoreParts;
  #tracker: PutTracker;
  #encoder: MessageEncoder;
  #pipeline: AppendPipeline | undefined;
  #uniqIds: UniqIdGenerator;
  #closed = false;
  #storeHost: Uint8Array;
  #replicaEnd: number;
  #services: Array<{ close(): Promise<void> }> = [];
  #haSender: HaSenderHandle | undefined;
  #arrivalListeners: Array<(topic: string, queueId: number, maxOffset: number) => void> = [];
  #role: StoreRole;
  #fence = 0;
  /** The highest fence this store was master at: a promotion needs a newer one. */
  #masterFence = -1;
  /** A role change waits for the pipeline to drain: neither puts nor replicated appends meanwhile. */
  #switching = false;
  #replicated: ReplicatedAppend | undefined;
  #writableWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  /** Controller mode: whether puts wait for a replica; undefined follows brokerRole (SYNC_MASTER). */
  #replicaAckRequired: boolean | undefined;
  #confirmedReads: ConfirmedReads;

  /** Use openStore(); the pipeline is attached once built around this store's tracker. */
  constructor(
    parts: StoreParts,
    onVisible: ConstructorParameters<typeof PutTracker>[0]['onVisible'],
  ) {
    this.#p = parts;
    this.#replicaEnd = parts.positions.get(PositionSlot.WROTE);
    this.#storeHost = encodeHostAddress(parts.options.storeHost);
    this.#role = parts.options.brokerRole === 'SLAVE' ? StoreRole.SLAVE : StoreRole.MASTER;
    this.#tracker = new PutTracker({
      capacity: parts.options.maxPendingPuts,
      storeHost: this.#storeHost,
      onVisible: (put) => {
        onVisible(put);
        if (put.inQueue)
          this.#confirmedReads.arrived(
            put.topic,
            put.queueId,
            put.queueOffset + 1,
            put.commitLogOffset + put.length,
          );
      },
      onSettled: () => {
        if (this.#writableWaiters.length > 0) this.#wakeWritableWaiters();
      },
      onReplicated: (acked) => this.#confirmedReads.confirmedTo(acked),
    });
    this.#confirmedReads = new ConfirmedReads({
      capacity: MAX_UNCONFIRMED_ARRIVALS,
      confirmed: () => parts.positions.get(PositionSlot.SLAVE_ACKED),
      notify: (topic, queueId, maxOffset) => this.notifyArrival(topic, queueId, maxOffset),
    });
    this.#encoder = new MessageEncoder({
      maxMessageSize: parts.options.maxMessageSize,
      storeHost: this.#storeHost,
      bornHost: this.#storeHost,
      hasher: parts.hasher,
    });
    const ip = this.#storeHost.subarray(0, this.#storeHost.byteLength - 4);
    this.#uniqIds = new UniqIdGenerator({
      ip,
      pid: process.pid,
      instanceHash: Math.floor(performance.timeOrigin) | 0,
      clock: parts.clock,
    });
  }

  get tracker(): PutTracker {
    return this.#tracker;
  }

  /**
   * Calls `listener` each time a message becomes readable in a queue (RocketMQ's
   * MessageArrivingListener, which wakes long-polling pulls). Returns a remover.
   */
  onMessageArriving(
    listener: (topic: string, queueId: number, maxOffset: number) => void,
  ): () => void {
    this.#arrivalListeners.push(listener);
    return () => {
      this.#arrivalListeners = this.#arrivalListeners.filter((l) => l !== listener);
    };
  }

  /** A queue now holds messages below maxOffset (puts here, or replication on a slave). */
  notifyArrival(topic: string, queueId: number, maxOffset: number): void {
    for (const listener of this.#arrivalListeners) listener(topic, queueId, maxOffset);
  }

  /**
   * A slave appends CommitLog bytes received from its master. They must continue the log exactly
   * (offset = the end so far, see getMaxPhyOffset after the last append).
   */
  appendReplicated(
    commitLogOffset: number,
    bytes: Buffer,
  ): 'OK' | 'OFFSET_MISMATCH' | 'BUSY' | 'NOT_SLAVE' | 'FAILED' {
    if (this.#closed || this.#pipeline?.failure !== undefined) return 'FAILED';
    if (this.#role !== StoreRole.SLAVE || this.#switching || this.#replicated !== undefined)
      return 'NOT_SLAVE';
    if (commitLogOffset !== this.#replicaEnd) return 'OFFSET_MISMATCH';
    const pipeline = this.#pipeline;
    assert(pipeline !== undefined, 'store: no pipeline');
    if (!pipeline.submitRaw(commitLogOffset, [bytes])) return 'BUSY';
    this.#replicaEnd += bytes.byteLength;
    return 'OK';
  }

  get role(): StoreRole {
    return this.#role;
  }

  /** The fence (Raft term, controller epoch) of the current role; 0 until a change. */
  get fence(): number {
    return this.#fence;
  }

  /**
   * Switches the role at runtime. The fence must not go back, and a promotion needs a fence newer
   * than any this store was master at (E_ROLE_FENCE_STALE otherwise). New puts are refused with
   * ROLE_CHANGED from the call on; puts already handed to the writer are written first (a demoted
   * master answers those still waiting for a slave or a flush FLUSH_SLAVE_TIMEOUT: stored, not
   * confirmed), then the store accepts what the new role accepts. Resolves when the switch is complete.
   */
  async changeRole(role: StoreRole, fence: number): Promise<void> {
    this.#checkOpen();
    const promotion = role === StoreRole.MASTER;
    if (
      !Number.isSafeInteger(fence) ||
      fence < this.#fence ||
      (promotion && fence <= this.#masterFence && !(this.#role === role && fence === this.#fence))
    ) {
      throw new MqError(
        ErrorCode.ROLE_FENCE_STALE,
        `Cannot become ${role} at fence ${fence}: the store is ${this.#role} at fence ${this.#fence} and was last master at ${this.#masterFence}`,
        { role, fence, currentFence: this.#fence, masterFence: this.#masterFence },
      );
    }
    if (role === this.#role && fence === this.#fence) return;
    this.#fence = fence;
    this.#role = role;
    this.#boundReads();
    this.#switching = true;
    this.#replicated?.reset();
    try {
      await this.#drainWrites();
      if (!promotion) {
        // Written here but not confirmed (slave, flush): stored, not confirmed, as at a timeout.
        this.#tracker.failAll(
          PutStatus.FLUSH_SLAVE_TIMEOUT,
          `the store became ${role} at fence ${fence} before the put was confirmed`,
        );
      }
      // A replicated log's end is what was applied; otherwise the log ends where the writer stopped.
      if (this.#replicated === undefined)
        this.#replicaEnd = this.#p.positions.get(PositionSlot.WROTE);
      if (promotion) this.#masterFence = fence;
    } finally {
      if (this.#role === role && this.#fence === fence) this.#switching = false;
    }
  }

  /** Waits until every put handed to the writer has offsets and every replicated byte is written. */
  async #drainWrites(): Promise<void> {
    const positions = this.#p.positions;
    for (;;) {
      if (this.#closed || this.#pipeline?.failure !== undefined) return;
      const wrote = positions.get(PositionSlot.WROTE);
      if (
        this.#tracker.unappended === 0 &&
        this.#tracker.unwritten === 0 &&
        wrote >= this.#replicaEnd
      )
        return;
      // A pending Atomics.waitAsync keeps no process alive: hold a timer while waiting.
      const keepAlive = setTimeout(() => undefined, 10);
      await positions.waitChangeAsync(PositionSlot.WROTE, wrote, 5);
      clearTimeout(keepAlive);
    }
  }

  /**
   * Switches the store to a replicated log (DLedger mode): a master's puts are stamped and handed
   * to `replicator`, and every replica, this one included, appends committed entries through
   * applyStamped(). Call once, before the first put.
   */
  useReplicator(replicator: LogReplicator): void {
    assert(this.#replicated === undefined, 'store: replicator set twice');
    const o = this.#p.options;
    const stamper = new RecordStamper(
      {
        segmentBytes: o.mappedFileSizeCommitLog,
        storedQueueEnd: (topic, queueId) => this.#p.reader.maxOffsetInQueue(topic, queueId),
      },
      this.#replicaEnd,
    );
    this.#replicated = new ReplicatedAppend({
      replicator,
      stamper,
      storeHost: this.#storeHost,
      maxInFlight: o.maxPendingPuts,
      chunkBytes: o.haTransferBatchSize,
    });
  }

  /**
   * Appends committed entries of the replicated log (see useReplicator). Entries must come in
   * log order; one already in the CommitLog (a replay after restart) is skipped. BUSY: some may
   * be applied; retry them all (the applied ones are skipped).
   */
  applyStamped(entries: readonly Buffer[]): ApplyStatus {
    if (this.#closed || this.#pipeline?.failure !== undefined) return 'FAILED';
    const replicated = this.#replicated;
    const pipeline = this.#pipeline;
    assert(replicated !== undefined && pipeline !== undefined, 'store: no replicated log');
    const { status, end } = replicated.apply(pipeline, entries, this.#replicaEnd);
    this.#replicaEnd = end;
    return status;
  }

  /** The newest complete record of this store's log: what a slave tells its master on connecting. */
  replicaFingerprint():
    | { offset: number; size: number; bodyCrc: number; storeTimestamp: number }
    | undefined {
    return this.#p.reader.lastRecordBefore(this.#p.positions.get(PositionSlot.DISPATCHED));
  }

  /** Resolves when the CommitLog end moves from `seen`, or after `timeoutMs`. */
  waitMaxPhyOffsetChange(seen: number, timeoutMs: number): Promise<void> {
    return this.#p.positions.waitChangeAsync(PositionSlot.WROTE, seen, timeoutMs);
  }

  /**
   * Controller mode (allAckInSyncStateSet): puts wait for the replica (as SYNC_MASTER) while the
   * SyncStateSet holds one beside the master, and not once it shrank to the master alone.
   */
  setReplicaAckRequired(required: boolean): void {
    this.#replicaAckRequired = required;
    this.#boundReads();
  }

  /** Consumers read only what the replica confirmed while puts wait for it (confirmed-reads.ts). */
  #boundReads(): void {
    this.#confirmedReads.setActive(
      this.#replicaAckRequired === true && this.#role === StoreRole.MASTER,
    );
  }

  /**
   * Master/Slave figures: slaves connected, highest acknowledged offset, how far behind it is; in
   * controller mode also the newest epoch a connecting replica reported, and the brokerId of the
   * replica streaming now with what it acknowledged itself.
   */
  haStatus(): {
    slaveCount: number;
    slaveAckedOffset: number;
    slaveLagBytes: number;
    haPort: number;
    peerEpoch: number;
    slaveBrokerId: number;
    replicaAckedOffset: number;
  } {
    const p = this.#p.positions;
    const acked = p.get(PositionSlot.SLAVE_ACKED);
    return {
      slaveCount: p.get(PositionSlot.SLAVE_COUNT),
      slaveAckedOffset: acked,
      slaveLagBytes: Math.max(0, p.get(PositionSlot.WROTE) - acked),
      haPort: p.get(PositionSlot.HA_PORT),
      peerEpoch: p.get(PositionSlot.PEER_EPOCH),
      slaveBrokerId: p.get(PositionSlot.SLAVE_BROKER_ID),
      replicaAckedOffset: p.get(PositionSlot.REPLICA_ACKED),
    };
  }

  /** Positions and ring use for the metrics endpoint: atomic loads, no I/O. */
  storageFigures(): StorageFigures {
    const p = this.#p.positions;
    return {
      minOffset: p.get(PositionSlot.MIN_COMMITLOG_OFFSET),
      wroteOffset: p.get(PositionSlot.WROTE),
      flushedOffset: p.get(PositionSlot.FLUSHED),
      dispatchedOffset: p.get(PositionSlot.DISPATCHED),
      wroteTimestampMs: p.get(PositionSlot.WROTE_TIMESTAMP),
      flushedTimestampMs: p.get(PositionSlot.FLUSHED_TIMESTAMP),
      flushTotalMicros: p.get(PositionSlot.FLUSH_TOTAL_MICROS),
      flushCount: p.get(PositionSlot.FLUSH_COUNT),
      rings: this.#pipeline?.ringOccupancy?.() ?? [],
    };
  }

  /** End of the replicated bytes handed to the writer (>= getMaxPhyOffset while they are written). */
  get replicaEndOffset(): number {
    return this.#replicaEnd;
  }

  /** A service that lives as long as the store (the HA sender); closed first by close(). */
  attachHaSender(sender: HaSenderHandle): void {
    this.#haSender = sender;
    this.attachService(sender);
  }

  /** The slaves streaming from this master now, with their acknowledged offsets ([] elsewhere). */
  haReplicas(): Promise<HaReplicaLink[]> {
    return this.#haSender?.replicas() ?? Promise.resolve([]);
  }

  attachService(service: { close(): Promise<void> }): void {
    this.#services.push(service);
  }

  attachPipeline(pipeline: AppendPipeline): void {
    assert(this.#pipeline === undefined, 'store: pipeline attached twice');
    this.#pipeline = pipeline;
  }

  get options(): Readonly<StoreOptions> {
    return this.#p.options;
  }

  /** What recovery found and did when this store opened. */
  get recoveryReport(): Readonly<RecoveryReport> {
    return this.#p.report;
  }

  #refusal(fence: number | undefined): PutResult | undefined {
    if (this.#closed)
      return { status: PutStatus.SERVICE_NOT_AVAILABLE, reason: 'the store is closed' };
    if (this.#switching || (fence !== undefined && fence !== this.#fence)) {
      const reason = `the store role changed (now ${this.#role} at fence ${this.#fence}${fence === undefined ? ', switching' : `, the put expected fence ${fence}`})`;
      return { status: PutStatus.ROLE_CHANGED, reason };
    }
    if (this.#role === StoreRole.SLAVE)
      return { status: PutStatus.SERVICE_NOT_AVAILABLE, reason: 'the broker role is slave' };
    const broken = this.#replicated?.brokenReason;
    if (broken !== undefined) return { status: PutStatus.ROLE_CHANGED, reason: broken };
    const failure = this.#pipeline?.failure;
    if (failure !== undefined) return { status: PutStatus.SERVICE_NOT_AVAILABLE, reason: failure };
    const fault = this.#p.health.fault;
    if (fault !== undefined)
      return { status: PutStatus.SERVICE_NOT_AVAILABLE, reason: fault.reason };
    return undefined;
  }

  /**
   * The writer is stalled by a storage fault: answer every put it has not written with the fault
   * now (SERVICE_NOT_AVAILABLE, "E_DISK_FULL: ..."), instead of when the cause goes away. Their
   * records stay with the writer, which writes them once it can, so each may still be stored
   * (as after any unanswered send); none was acknowledged, so none acknowledged can be lost.
   */
  answerStalledPuts(): void {
    const fault = this.#p.health.fault;
    if (fault === undefined || !this.#p.health.writerFaulted) return;
    this.#tracker.answerUnwritten(
      PutStatus.SERVICE_NOT_AVAILABLE,
      `${fault.reason}; the put was not acknowledged and may still be stored when writes resume`,
    );
  }

  /** The storage fault that stops writes now (disk full, read-only, I/O error, store removed), if any. */
  get storageFault(): StoreFault | undefined {
    return this.#p.health.fault;
  }

  /**
   * Calls `listener` when writes stop for a storage fault and when they resume (undefined).
   * Returns a remover.
   */
  onStorageFault(listener: (fault: StoreFault | undefined) => void): () => void {
    return this.#p.health.onChange(listener);
  }

  /**
   * Stores one message. Resolves with a status; never rejects for expected outcomes. With `fence`,
   * the put is refused (ROLE_CHANGED) unless the store is master at exactly that fence.
   */
  putMessage(input: PutMessageInput, fence?: number): Promise<PutResult> {
    if (this.#closed) return Promise.reject(closedError());
    const message = withByteBody(input);
    const refused = this.#refusal(fence);
    if (refused !== undefined) return Promise.resolve(refused);
    const pipeline = this.#pipeline;
    assert(pipeline !== undefined, 'store: no pipeline');
    const nowMs = this.#p.clock.nowMs();
    const length = this.#encoder.prepare(message, () => this.#uniqIds.next(), nowMs);
    if (typeof length !== 'number')
      return Promise.resolve({ status: length.status, reason: length.reason });
    const replicated = this.#replicated;
    if (replicated !== undefined) return this.#putReplicated(replicated, length, nowMs);
    const busy = this.#busyReason(1, length);
    if (busy !== undefined)
      return Promise.resolve({ status: PutStatus.OS_PAGE_CACHE_BUSY, reason: busy });
    return new Promise<PutResult>((resolve) => this.#submit(pipeline, message, length, resolve));
  }

  /** Tracks the encoder's record and hands it to the pipeline; a refused one resolves at once. */
  #submit(
    pipeline: AppendPipeline,
    message: PutMessageInput & { body: Uint8Array },
    length: number,
    resolve: (r: PutResult) => void,
  ): void {
    this.#track(message, length, resolve);
    if (pipeline.submit(this.#encoder, length)) return;
    this.#tracker.cancelLast();
    resolve(
      this.#refusal(undefined) ?? {
        status: PutStatus.OS_PAGE_CACHE_BUSY,
        reason: 'the store is busy: the append ring is full',
      },
    );
  }

  #putReplicated(replicated: ReplicatedAppend, length: number, nowMs: number): Promise<PutResult> {
    if (!replicated.hasRoom(1)) {
      const reason = `the store is busy: ${replicated.inFlight} replicated puts in flight (maxPendingPuts ${this.#p.options.maxPendingPuts})`;
      return Promise.resolve({ status: PutStatus.OS_PAGE_CACHE_BUSY, reason });
    }
    const entry = Buffer.allocUnsafe(STAMPED_HEADER_BYTES + length);
    this.#encoder.encodeTo(entry, STAMPED_HEADER_BYTES);
    return replicated.put(entry, this.#encoder.uniqKey, nowMs);
  }

  #busyReason(count: number, bytes: number): string | undefined {
    if (!this.#tracker.hasRoom(count))
      return `the store is busy: ${this.#tracker.size} puts in flight (maxPendingPuts ${this.#p.options.maxPendingPuts})`;
    if (this.#pipeline?.hasRoom(count, bytes) !== true)
      return 'the store is busy: the append ring is full';
    return undefined;
  }

  #track(
    message: PutMessageInput & { body: Uint8Array },
    length: number,
    resolve: (r: PutResult) => void,
  ): void {
    const o = this.#p.options;
    const now = this.#p.clock.monotonicMs();
    const wait = message.waitStoreMsgOK !== false;
    const waitFlush = o.flushDiskType === 'SYNC_FLUSH' && wait;
    const sync = this.#replicaAckRequired ?? o.brokerRole === 'SYNC_MASTER';
    const replica = sync && wait ? this.#slaveUsable() : 'NOT_ASKED';
    const tx = (message.sysFlag ?? 0) & TRANSACTION_TYPE_MASK;
    this.#tracker.add({
      resolve,
      topic: message.topic,
      queueId: message.queueId,
      inQueue: tx !== SysFlag.TRANSACTION_PREPARED && tx !== SysFlag.TRANSACTION_ROLLBACK,
      uniqKey: this.#encoder.uniqKey,
      length,
      waitFlush,
      deadlineMs: waitFlush ? now + o.syncFlushTimeout : Number.POSITIVE_INFINITY,
      waitReplica: replica === 'OK',
      replicaDeadlineMs: replica === 'OK' ? now + o.slaveTimeout : Number.POSITIVE_INFINITY,
      status: replica === 'UNAVAILABLE' ? PutStatus.SLAVE_NOT_AVAILABLE : PutStatus.PUT_OK,
      queueOffset: -1,
      commitLogOffset: -1,
    });
  }

  /** SYNC_MASTER: is a slave connected and close enough to wait for (HAService.isSlaveOK)? */
  #slaveUsable(): 'OK' | 'UNAVAILABLE' {
    const p = this.#p.positions;
    if (p.get(PositionSlot.SLAVE_COUNT) === 0) return 'UNAVAILABLE';
    const behind = p.get(PositionSlot.WROTE) - p.get(PositionSlot.SLAVE_ACKED);
    return behind < this.#p.options.haSlaveFallbehindMax ? 'OK' : 'UNAVAILABLE';
  }

  /**
   * Stores a batch: all or nothing at validation (one invalid message refuses the whole batch, with
   * each message's reason), then one status per message.
   */
  async putMessages(inputs: readonly PutMessageInput[], fence?: number): Promise<PutResult[]> {
    this.#checkOpen();
    const messages = inputs.map(withByteBody);
    const refused = this.#refusal(fence);
    if (refused !== undefined) return messages.map(() => refused);
    const nowMs = this.#p.clock.nowMs();
    // Each message is checked and sized once, with the UNIQ_KEY it is stored with; none is handed
    // to the pipeline before all passed.
    const prepared: PreparedRecord[] = [];
    const checks = messages.map((m) => {
      const length = this.#encoder.prepare(m, () => this.#uniqIds.next(), nowMs);
      if (typeof length === 'number') prepared.push(this.#encoder.take());
      return length;
    });
    if (prepared.length < messages.length) return batchRefusals(checks);
    const total = prepared.reduce((sum, p) => sum + p.length, 0);
    const replicated = this.#replicated;
    if (replicated !== undefined) {
      return Promise.all(
        prepared.map((record) => {
          this.#encoder.use(record);
          return this.#putReplicated(replicated, record.length, nowMs);
        }),
      );
    }
    const busy = this.#busyReason(messages.length, total);
    if (busy !== undefined)
      return messages.map(() => ({ status: PutStatus.OS_PAGE_CACHE_BUSY, reason: busy }));
    return this.#submitBatch(messages, prepared);
  }

  /** Tracks and submits prepared records in order; resolves once each has its result. */
  #submitBatch(
    messages: readonly (PutMessageInput & { body: Uint8Array })[],
    prepared: readonly PreparedRecord[],
  ): Promise<PutResult[]> {
    const pipeline = this.#pipeline;
    assert(pipeline !== undefined, 'store: no pipeline');
    return new Promise<PutResult[]>((resolve) => {
      const results = new Array<PutResult>(messages.length);
      let left = messages.length;
      for (const [i, record] of prepared.entries()) {
        const message = messages[i];
        assert(message !== undefined, 'store: one prepared record per message');
        this.#encoder.use(record);
        this.#submit(pipeline, message, record.length, (result) => {
          results[i] = result;
          if (--left === 0) resolve(results);
        });
      }
    });
  }

  async getMessage(request: GetMessageRequest): Promise<GetMessageResult> {
    this.#checkOpen();
    checkGetMessageRequest(request);
    return this.#p.reader.getMessage(request, this.#confirmedReads.readEnd());
  }

  /** The queue's end for consumers: what a master's replica has not confirmed is not counted. */
  getMaxOffsetInQueue(topic: string, queueId: number): number {
    this.#checkOpen();
    const end = this.#confirmedReads.readEnd();
    const reader = this.#p.reader;
    return end === undefined
      ? reader.maxOffsetInQueue(topic, queueId)
      : reader.maxOffsetBelow(topic, queueId, end);
  }

  getTopicsWithQueues(): string[] {
    this.#checkOpen();
    return this.#p.reader.topics();
  }

  /** Queue ids of `topic` that hold ConsumeQueues here (a slave learns topics from them too). */
  getQueueIdsOfTopic(topic: string): number[] {
    this.#checkOpen();
    return this.#p.reader.queueIdsOf(topic);
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    this.#checkOpen();
    return this.#p.reader.minOffsetInQueue(topic, queueId);
  }

  /** End of the CommitLog (bytes written). */
  getMaxPhyOffset(): number {
    return this.#p.positions.get(PositionSlot.WROTE);
  }

  getMinPhyOffset(): number {
    return this.#p.positions.get(PositionSlot.MIN_COMMITLOG_OFFSET);
  }

  async lookMessageByOffset(commitLogOffset: number): Promise<DecodedMessage | undefined> {
    this.#checkOpen();
    return this.#p.reader.lookMessageByOffset(commitLogOffset);
  }

  /** Messages of `topic` whose UNIQ_KEY or one of whose KEYS equals `key`, newest first. */
  async queryMessage(request: QueryMessageRequest): Promise<{ messages: DecodedMessage[] }> {
    this.#checkOpen();
    const pipeline = this.#pipeline;
    assert(pipeline !== undefined, 'store: no pipeline');
    const offsets = await pipeline.queryIndex(
      request.topic,
      request.key,
      request.maxNum,
      request.beginTimestamp ?? 0,
      request.endTimestamp ?? Number.MAX_SAFE_INTEGER,
    );
    const messages: DecodedMessage[] = [];
    for (const offset of offsets) {
      const m = this.#p.reader.lookMessageByOffset(offset);
      if (m === undefined || m.topic !== request.topic) continue;
      const keys = (m.properties['KEYS'] ?? '').split(' ');
      if (m.properties['UNIQ_KEY'] === request.key || keys.includes(request.key)) messages.push(m);
    }
    return { messages };
  }

  async searchOffsetByTimestamp(
    topic: string,
    queueId: number,
    timestamp: number,
  ): Promise<number> {
    this.#checkOpen();
    return this.#p.reader.searchOffsetByTimestamp(topic, queueId, timestamp);
  }

  /**
   * Key figures, named as RocketMQ's runtime info where one exists. A master with an HA port adds
   * its replication figures under the names of RocketMQ's HAService fields: haConnectionCount
   * (slaves streaming now), push2SlaveMaxOffset (highest offset a slave acknowledged) and
   * slaveFallBehindMuch (commitLogMaxOffset - push2SlaveMaxOffset, in bytes), plus haListenPort.
   */
  runtimeInfo(): Record<string, number | string> {
    const p = this.#p.positions;
    const o = this.#p.options;
    const info: Record<string, number | string> = {
      commitLogMinOffset: p.get(PositionSlot.MIN_COMMITLOG_OFFSET),
      commitLogMaxOffset: p.get(PositionSlot.WROTE),
      commitLogFlushedOffset: p.get(PositionSlot.FLUSHED),
      putsInFlight: this.#tracker.size,
      flushDiskType: o.flushDiskType,
      storageFault: this.#p.health.fault?.reason ?? 'none',
    };
    info['storeRole'] = this.#role;
    info['storeRoleFence'] = this.#fence;
    if (o.brokerRole === 'SLAVE' || o.haListenPort < 0) return info;
    const ha = this.haStatus();
    info['haListenPort'] = ha.haPort;
    info['haConnectionCount'] = ha.slaveCount;
    info['push2SlaveMaxOffset'] = ha.slaveAckedOffset;
    info['slaveFallBehindMuch'] = ha.slaveLagBytes;
    return info;
  }

  /** Deletes expired segments now, whatever the hour (RocketMQ's manual delete); returns the count. */
  cleanNow(): number {
    this.#checkOpen();
    return this.#p.clean.run(true);
  }

  #checkOpen(): void {
    if (this.#closed) throw closedError();
  }

  whenWritable(): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    if (this.#isWritable()) return Promise.resolve();
    return new Promise((resolve, reject) => this.#writableWaiters.push({ resolve, reject }));
  }

  /** The low-water mark of whenWritable(); a failed pipeline counts (puts then say why). */
  #isWritable(): boolean {
    const pipeline = this.#pipeline;
    if (pipeline === undefined || pipeline.failure !== undefined) return true;
    const o = this.#p.options;
    return this.#tracker.size <= o.maxPendingPuts / 2 && pipeline.hasRoom(1, o.appendRingBytes / 2);
  }

  #wakeWritableWaiters(): void {
    if (this.#isWritable()) {
      const waiters = this.#writableWaiters;
      this.#writableWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    } else if (this.#tracker.size === 0) {
      // Every put completed, but the writer frees ring space just after its last completions.
      setTimeout(() => this.#wakeWritableWaiters(), 1);
    }
  }

  /** Writes and flushes everything pending, saves the checkpoint and releases the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#p.clean.stop();
    const waiters = this.#writableWaiters;
    this.#writableWaiters = [];
    for (const waiter of waiters) waiter.reject(closedError());
    // Puts in flight finish first (including SYNC_MASTER waits for the slave), then services stop.
    const deadline = this.#p.clock.monotonicMs() + this.#p.options.workerShutdownTimeoutMs;
    // A writer a storage fault stalls has answered its puts already (answerStalledPuts).
    while (
      this.#tracker.size > 0 &&
      this.#pipeline?.failure === undefined &&
      !this.#p.health.writerFaulted &&
      this.#p.clock.monotonicMs() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const service of this.#services) await service.close();
    const pipeline = this.#pipeline;
    if (pipeline !== undefined) await pipeline.close();
    // A batch a storage fault still held may lie half-written past the log's end: recover it as
    // after a crash. A latched fault (the store directory removed, an I/O error) is no clean exit.
    const cleanExit =
      pipeline?.failure === undefined &&
      !this.#p.health.writerFaulted &&
      this.#p.health.fault?.latched !== true;
    this.#tracker.failAll(
      PutStatus.SERVICE_NOT_AVAILABLE,
      'the store closed before the put completed',
    );
    const manifest = cleanExit ? this.#p.queueManifest() : undefined;
    this.#p.closeFiles();
    if (manifest !== undefined) {
      writeQueueManifest(this.#p.io, this.#p.options.storePathRootDir, manifest);
      markCleanExit(this.#p.io, this.#p.options.storePathRootDir);
    }
    this.#p.releaseLock();
  }
}

function closedError(): MqError {
  return new MqError(ErrorCode.STORE_CLOSED, 'The store is closed');
}

/** Each refused message's own reason; the valid ones are refused with the batch. */
function batchRefusals(checks: readonly (number | EncodeRejection)[]): PutResult[] {
  const bad = checks.findIndex((c) => typeof c !== 'number');
  return checks.map((c) =>
    typeof c === 'number'
      ? {
          status: PutStatus.MESSAGE_ILLEGAL,
          reason: `the batch was refused: message ${bad} is invalid`,
        }
      : { status: c.status, reason: c.reason },
  );
}

/** A string body is stored as its UTF-8 bytes, as the client sends it. */
function withByteBody(message: PutMessageInput): PutMessageInput & { body: Uint8Array } {
  if (typeof message.body !== 'string') return message as PutMessageInput & { body: Uint8Array };
  return { ...message, body: Buffer.from(message.body, 'utf8') };
}
