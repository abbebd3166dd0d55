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
import type { FileIO } from './io/file-io.js';
import type { StoreOptions } from './options.js';
import type { AppendPipeline } from './put/append-pipeline.js';
import { MessageEncoder } from './put/message-encoder.js';
import { type PutResult, PutStatus } from './put/put-result.js';
import { PutTracker } from './put/put-tracker.js';
import {
  checkGetMessageRequest,
  type GetMessageRequest,
  type GetMessageResult,
} from './read/get-result.js';
import type { StoreReader } from './read/store-reader.js';
import type { RecoveryReport } from './recovery/store-recovery.js';
import type { MessageStore, PutMessageInput, QueryMessageRequest } from './store-api.js';
import { PositionSlot, type StorePositions } from './store-positions.js';

export interface StoreParts {
  options: Readonly<StoreOptions>;
  io: FileIO;
  clock: Clock;
  hasher: BodyHasher;
  positions: StorePositions;
  reader: StoreReader;
  report: RecoveryReport;
  clean: CleanService;
  /** Closes the files this thread reads and, in-thread, writes (after the pipeline's last sync). */
  closeFiles: () => void;
  releaseLock: () => void;
}

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
  #arrivalListeners: Array<(topic: string, queueId: number, maxOffset: number) => void> = [];
  #writableWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  /** Use openStore(); the pipeline is attached once built around this store's tracker. */
  constructor(
    parts: StoreParts,
    onVisible: ConstructorParameters<typeof PutTracker>[0]['onVisible'],
  ) {
    this.#p = parts;
    this.#replicaEnd = parts.positions.get(PositionSlot.WROTE);
    this.#storeHost = encodeHostAddress(parts.options.storeHost);
    this.#tracker = new PutTracker({
      capacity: parts.options.maxPendingPuts,
      storeHost: this.#storeHost,
      onVisible: (put) => {
        onVisible(put);
        if (put.inQueue) this.notifyArrival(put.topic, put.queueId, put.queueOffset + 1);
      },
      onSettled: () => {
        if (this.#writableWaiters.length > 0) this.#wakeWritableWaiters();
      },
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
    if (this.#p.options.brokerRole !== 'SLAVE') return 'NOT_SLAVE';
    if (commitLogOffset !== this.#replicaEnd) return 'OFFSET_MISMATCH';
    const pipeline = this.#pipeline;
    assert(pipeline !== undefined, 'store: no pipeline');
    if (!pipeline.submitRaw(commitLogOffset, bytes)) return 'BUSY';
    this.#replicaEnd += bytes.byteLength;
    return 'OK';
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

  /** Master/Slave figures: slaves connected, highest acknowledged offset, how far behind it is. */
  haStatus(): {
    slaveCount: number;
    slaveAckedOffset: number;
    slaveLagBytes: number;
    haPort: number;
  } {
    const p = this.#p.positions;
    const acked = p.get(PositionSlot.SLAVE_ACKED);
    return {
      slaveCount: p.get(PositionSlot.SLAVE_COUNT),
      slaveAckedOffset: acked,
      slaveLagBytes: Math.max(0, p.get(PositionSlot.WROTE) - acked),
      haPort: p.get(PositionSlot.HA_PORT),
    };
  }

  /** End of the replicated bytes handed to the writer (>= getMaxPhyOffset while they are written). */
  get replicaEndOffset(): number {
    return this.#replicaEnd;
  }

  /** A service that lives as long as the store (the HA sender); closed first by close(). */
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

  #refusal(): PutResult | undefined {
    if (this.#p.options.brokerRole === 'SLAVE')
      return { status: PutStatus.SERVICE_NOT_AVAILABLE, reason: 'the broker role is slave' };
    const failure = this.#pipeline?.failure;
    if (failure !== undefined) return { status: PutStatus.SERVICE_NOT_AVAILABLE, reason: failure };
    if (this.#p.clean.isDiskFull)
      return { status: PutStatus.SERVICE_NOT_AVAILABLE, reason: 'the disk is full' };
    return undefined;
  }

  /** Stores one message. Resolves with a status; never rejects for expected outcomes. */
  putMessage(input: PutMessageInput): Promise<PutResult> {
    if (this.#closed) return Promise.reject(closedError());
    const message = withByteBody(input);
    const refused = this.#refusal();
    if (refused !== undefined) return Promise.resolve(refused);
    const pipeline = this.#pipeline;
    assert(pipeline !== undefined, 'store: no pipeline');
    const nowMs = this.#p.clock.nowMs();
    const length = this.#encoder.prepare(message, () => this.#uniqIds.next(), nowMs);
    if (typeof length !== 'number')
      return Promise.resolve({ status: length.status, reason: length.reason });
    const busy = this.#busyReason(1, length);
    if (busy !== undefined)
      return Promise.resolve({ status: PutStatus.OS_PAGE_CACHE_BUSY, reason: busy });
    return new Promise<PutResult>((resolve) => {
      this.#track(message, length, resolve);
      if (!pipeline.submit(this.#encoder, length)) {
        this.#tracker.cancelLast();
        resolve({
          status: PutStatus.OS_PAGE_CACHE_BUSY,
          reason: 'the store is busy: the append ring is full',
        });
      }
    });
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
    const replica = o.brokerRole === 'SYNC_MASTER' && wait ? this.#slaveUsable() : 'NOT_ASKED';
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
  async putMessages(inputs: readonly PutMessageInput[]): Promise<PutResult[]> {
    this.#checkOpen();
    const messages = inputs.map(withByteBody);
    const refused = this.#refusal();
    if (refused !== undefined) return messages.map(() => refused);
    const nowMs = this.#p.clock.nowMs();
    const checks = messages.map((m) => this.#encoder.prepare(m, () => '0', nowMs));
    const bad = checks.findIndex((c) => typeof c !== 'number');
    if (bad !== -1) {
      return checks.map((c) =>
        typeof c === 'number'
          ? {
              status: PutStatus.MESSAGE_ILLEGAL,
              reason: `the batch was refused: message ${bad} is invalid`,
            }
          : { status: c.status, reason: c.reason },
      );
    }
    const total = checks.reduce<number>((sum, c) => sum + (c as number), 0);
    const busy = this.#busyReason(messages.length, total);
    if (busy !== undefined)
      return messages.map(() => ({ status: PutStatus.OS_PAGE_CACHE_BUSY, reason: busy }));
    return Promise.all(messages.map((m) => this.putMessage(m)));
  }

  async getMessage(request: GetMessageRequest): Promise<GetMessageResult> {
    this.#checkOpen();
    checkGetMessageRequest(request);
    return this.#p.reader.getMessage(request);
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    this.#checkOpen();
    return this.#p.reader.maxOffsetInQueue(topic, queueId);
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
    };
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
    while (
      this.#tracker.size > 0 &&
      this.#pipeline?.failure === undefined &&
      this.#p.clock.monotonicMs() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const service of this.#services) await service.close();
    const pipeline = this.#pipeline;
    if (pipeline !== undefined) await pipeline.close();
    const cleanExit = pipeline?.failure === undefined;
    this.#tracker.failAll(
      PutStatus.SERVICE_NOT_AVAILABLE,
      'the store closed before the put completed',
    );

    this.#p.closeFiles();
    if (cleanExit) markCleanExit(this.#p.io, this.#p.options.storePathRootDir);
    this.#p.releaseLock();
  }
}

function closedError(): MqError {
  return new MqError(ErrorCode.STORE_CLOSED, 'The store is closed');
}

/** A string body is stored as its UTF-8 bytes, as the client sends it. */
function withByteBody(message: PutMessageInput): PutMessageInput & { body: Uint8Array } {
  if (typeof message.body !== 'string') return message as PutMessageInput & { body: Uint8Array };
  return { ...message, body: Buffer.from(message.body, 'utf8') };
}
