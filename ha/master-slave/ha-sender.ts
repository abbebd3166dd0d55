// The master side of Master/Slave replication (RocketMQ: HAService.AcceptSocketService and
// HAConnection's read and write services). It accepts slaves on the HA port, decides where each
// slave resumes (replica-check.ts), streams CommitLog bytes from the shared tail cache (or the
// segment files for older bytes) in frames of at most haTransferBatchSize that never cross a
// segment, sends heartbeats when idle, reads the slaves' offset reports and publishes the highest
// acknowledged offset for SYNC_MASTER puts. It runs on the HA sender worker thread.

import { createServer, type Server, type Socket } from 'node:net';
import { assert } from '../../common/assert.js';
import { readInt64Buffer } from '../../common/bytes.js';
import type { Clock } from '../../common/clock.js';
import {
  MESSAGE_MAGIC_CODE,
  RecordField,
  storeTimestampPosition,
} from '../../common/message-codec.js';
import { decideEpochStart, type EpochEntry } from '../../engine/checkpoint/epoch-file.js';
import type { TailCache } from '../../engine/commitlog/tail-cache.js';
import type { HaReplicaLink } from '../../engine/ha-sender-handle.js';
import type { SegmentedFile } from '../../engine/mapped/segmented-file.js';
import { PositionSlot, type StorePositions } from '../../engine/store-positions.js';
import {
  decodeHello,
  encodeEpochsFrame,
  encodeFrameHeader,
  HA_FRAME_HEADER_BYTES,
  HA_REPORT_BYTES,
  HA_TRUNCATE_BODY_SIZE,
  type HaHello,
  helloBytes,
  isHello,
} from './ha-wire.js';
import { decideReplicaStart, type MasterView } from './replica-check.js';

export interface HaSenderOptions {
  host: string;
  port: number;
  transferBatchBytes: number;
  heartbeatIntervalMs: number;
  housekeepingIntervalMs: number;
  maxSlaves: number;
}

export interface HaLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface HaSenderDeps {
  positions: StorePositions;
  tailCache: TailCache;
  commitLog: SegmentedFile;
  epochStarts: readonly number[];
  /** Controller mode: this master's epoch entries (its own epoch last). */
  epochEntries?: readonly EpochEntry[] | undefined;
  clock: Clock;
  logger: HaLogger;
}

/** Write marks kept per slave; when full the newest mark absorbs the next (the oldest stay exact). */
const MAX_MARKS = 1024;

class SlaveLink {
  readonly address: string;
  state: 'WAIT_FIRST' | 'STREAMING' | 'CLOSED' = 'WAIT_FIRST';
  nextOffset = 0;
  ackOffset = 0;
  /** The replica's brokerId (controller mode says it in its hello; 0 otherwise). */
  brokerId = 0;
  lastReadMs: number;
  lastWriteMs: number;
  inbound: Buffer = Buffer.alloc(0);
  readonly socket: Socket;
  readonly connectedAtMs: number;
  /**
   * (CommitLog end, store time of the record ending there) each time the end moved while this
   * slave streamed, oldest first from marksHead; marks the slave acknowledged are dropped.
   */
  readonly markOffsets: number[] = [];
  readonly markStoreMs: number[] = [];
  marksHead = 0;

  constructor(socket: Socket, nowMs: number, wallMs: number) {
    this.socket = socket;
    this.address = `${socket.remoteAddress}:${socket.remotePort}`;
    this.lastReadMs = nowMs;
    this.lastWriteMs = nowMs;
    this.connectedAtMs = wallMs;
  }

  mark(offset: number, storeMs: number): void {
    const last = this.markOffsets.length - 1;
    if (last >= this.marksHead && (this.markOffsets[last] as number) >= offset) return;
    if (this.markOffsets.length - this.marksHead >= MAX_MARKS) {
      this.markOffsets[last] = offset;
      this.markStoreMs[last] = storeMs;
      return;
    }
    this.markOffsets.push(offset);
    this.markStoreMs.push(storeMs);
  }

  /** Drops the marks at or below the acknowledged offset. */
  acknowledged(offset: number): void {
    while (
      this.marksHead < this.markOffsets.length &&
      (this.markOffsets[this.marksHead] as number) <= offset
    )
      this.marksHead++;
    if (this.marksHead > MAX_MARKS) {
      this.markOffsets.splice(0, this.marksHead);
      this.markStoreMs.splice(0, this.marksHead);
      this.marksHead = 0;
    }
  }

  oldestMissingStoreMs(): number | null {
    return this.marksHead < this.markStoreMs.length
      ? (this.markStoreMs[this.marksHead] as number)
      : null;
  }
}

export class HaSender {
  #o: HaSenderOptions;
  #d: HaSenderDeps;
  #server: Server | undefined;
  #links = new Set<SlaveLink>();
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(options: HaSenderOptions, deps: HaSenderDeps) {
    assert(options.transferBatchBytes > 0, 'ha: transfer batch must be positive');
    this.#o = options;
    this.#d = deps;
  }

  /** Listens on the HA port; returns the bound port. */
  async start(): Promise<number> {
    const server = createServer((socket) => this.#accept(socket));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#o.port, this.#o.host, () => resolve());
    });
    this.#running = true;
    this.#loop = this.#pumpLoop();
    const address = server.address();
    assert(address !== null && typeof address === 'object', 'ha: server has no address');
    return address.port;
  }

  #accept(socket: Socket): void {
    if (!this.#running || this.#links.size >= this.#o.maxSlaves) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const link = new SlaveLink(socket, this.#d.clock.monotonicMs(), this.#d.clock.nowMs());
    this.#links.add(link);
    socket.on('data', (chunk: Buffer) => this.#onData(link, chunk));
    socket.on('drain', () => this.#pump(link));
    socket.on('error', (error) =>
      this.#d.logger.warn(`HA connection ${link.address} failed: ${error.message}`),
    );
    socket.on('close', () => this.#drop(link));
  }

  #drop(link: SlaveLink): void {
    if (link.state === 'CLOSED') return;
    link.state = 'CLOSED';
    this.#links.delete(link);
    this.#publishCount();
    this.#d.logger.info(
      `slave ${link.address} disconnected at acknowledged offset ${link.ackOffset}`,
    );
  }

  #close(link: SlaveLink, why: string): void {
    this.#d.logger.warn(`closing HA connection ${link.address}: ${why}`);
    link.socket.destroy();
    this.#drop(link);
  }

  #onData(link: SlaveLink, chunk: Buffer): void {
    link.lastReadMs = this.#d.clock.monotonicMs();
    link.inbound = link.inbound.byteLength === 0 ? chunk : Buffer.concat([link.inbound, chunk]);
    if (link.state === 'WAIT_FIRST') this.#onFirst(link);
    if (link.state !== 'STREAMING') return;
    const whole = link.inbound.byteLength - (link.inbound.byteLength % HA_REPORT_BYTES);
    if (whole === 0) return;
    // Like RocketMQ, only the newest complete report matters.
    const offset = readInt64Buffer(link.inbound, whole - HA_REPORT_BYTES);
    link.inbound = link.inbound.subarray(whole);
    this.#onReport(link, offset);
  }

  #onFirst(link: SlaveLink): void {
    const input = link.inbound;
    if (input.byteLength < 4) return;
    if (isHello(input, 0)) {
      const length = helloBytes(input, 0);
      if (input.byteLength < length) return;
      const hello = decodeHello(input, 0);
      link.inbound = input.subarray(length);
      if (typeof hello === 'string') return void this.#close(link, hello);
      if (this.#d.epochEntries !== undefined) return void this.#onEpochHello(link, hello);
      const decision = decideReplicaStart(this.#masterView(), {
        maxOffset: hello.slaveMaxOffset,
        lastRecord: hello.lastRecord,
      });
      if (decision.kind === 'TRUNCATE')
        return void this.#truncate(link, decision.toOffset, decision.reason);
      this.#startStreaming(link, decision.fromOffset);
      return;
    }
    if (input.byteLength < HA_REPORT_BYTES) return;
    const reported = readInt64Buffer(input, 0);
    link.inbound = input.subarray(HA_REPORT_BYTES);
    if (reported > this.#wrote())
      return void this.#close(
        link,
        `slave offset ${reported} is beyond the master's ${this.#wrote()}`,
      );
    this.#startStreaming(link, reported === 0 ? this.#d.commitLog.minOffset() : reported);
  }

  /**
   * Controller mode (RocketMQ's AutoSwitch handshake): the replica resumes after the last common
   * epoch and offset, then the record check of classic HA confirms its last record; a replica that
   * has seen a newer epoch is refused and the epoch published, so the broker fences this master.
   */
  #onEpochHello(link: SlaveLink, hello: HaHello): void {
    const entries = this.#d.epochEntries ?? [];
    const replica = hello.replica;
    if (replica === undefined)
      return void this.#close(link, 'a replica in controller mode must send its epochs');
    // The acknowledged offset is one figure for every replica, and the SyncStateSet check credits
    // it to one brokerId: exact only while one replica streams. A second would let a put count as
    // replicated while the in-sync replica lacks it, so it waits until the first one leaves.
    const streaming = [...this.#links].find(
      (l) => l !== link && l.state === 'STREAMING' && l.brokerId !== replica.brokerId,
    );
    if (streaming !== undefined)
      return void this.#close(
        link,
        `controller mode: replica ${streaming.brokerId} streams from this master already; one replica per group streams at a time (brokerId ${replica.brokerId} waits)`,
      );
    link.brokerId = replica.brokerId;
    this.#d.positions.set(PositionSlot.SLAVE_BROKER_ID, replica.brokerId);
    this.#d.positions.set(PositionSlot.REPLICA_ACKED, 0);
    const byEpoch = decideEpochStart(
      { entries, maxOffset: this.#wrote(), minOffset: this.#d.commitLog.minOffset() },
      { entries: replica.epochs, maxOffset: hello.slaveMaxOffset },
    );
    if (byEpoch.kind === 'REFUSE') {
      this.#d.positions.advance(PositionSlot.PEER_EPOCH, replica.epochs.at(-1)?.epoch ?? 0);
      return void this.#close(link, byEpoch.reason);
    }
    if (byEpoch.kind === 'TRUNCATE')
      return void this.#truncate(link, byEpoch.toOffset, byEpoch.reason);
    const byRecord = decideReplicaStart(
      { ...this.#masterView(), epochStarts: entries.map((e) => e.startOffset) },
      { maxOffset: hello.slaveMaxOffset, lastRecord: hello.lastRecord },
    );
    if (byRecord.kind === 'TRUNCATE')
      return void this.#truncate(link, byRecord.toOffset, byRecord.reason);
    link.socket.write(encodeEpochsFrame(entries));
    this.#startStreaming(link, byRecord.fromOffset);
  }

  #startStreaming(link: SlaveLink, fromOffset: number): void {
    link.state = 'STREAMING';
    link.nextOffset = fromOffset;
    link.ackOffset = fromOffset;
    // A slave far behind lacks older records than the newest write: mark the first one it lacks.
    const first = fromOffset < this.#wrote() ? this.#recordAt(fromOffset) : undefined;
    if (first !== undefined) link.mark(fromOffset + first.size, first.storeTimestamp);
    this.#markWrote(link);
    this.#publishCount();
    this.#d.logger.info(`slave ${link.address} replicating from offset ${fromOffset}`);
    // A heartbeat at once tells a caught-up slave that a live master accepted it.
    this.#heartbeat(link, this.#d.clock.monotonicMs());
    this.#pump(link);
  }

  #heartbeat(link: SlaveLink, nowMs: number): void {
    const heartbeat = Buffer.allocUnsafe(HA_FRAME_HEADER_BYTES);
    encodeFrameHeader(heartbeat, link.nextOffset, 0);
    link.socket.write(heartbeat);
    link.lastWriteMs = nowMs;
  }

  #truncate(link: SlaveLink, toOffset: number, reason: string): void {
    this.#d.logger.warn(`slave ${link.address} must cut its CommitLog at ${toOffset}: ${reason}`);
    const frame = Buffer.alloc(HA_FRAME_HEADER_BYTES);
    encodeFrameHeader(frame, toOffset, HA_TRUNCATE_BODY_SIZE);
    link.state = 'CLOSED';
    this.#links.delete(link);
    link.socket.end(frame);
  }

  #onReport(link: SlaveLink, offset: number): void {
    if (offset > this.#wrote())
      return void this.#close(
        link,
        `slave reported ${offset}, beyond the master's ${this.#wrote()}`,
      );
    if (offset > link.ackOffset) link.ackOffset = offset;
    link.acknowledged(offset);
    this.#d.positions.advance(PositionSlot.SLAVE_ACKED, offset);
    if (link.brokerId !== 0) this.#d.positions.set(PositionSlot.REPLICA_ACKED, link.ackOffset);
  }

  #publishCount(): void {
    let streaming = 0;
    for (const link of this.#links) if (link.state === 'STREAMING') streaming++;
    this.#d.positions.set(PositionSlot.SLAVE_COUNT, streaming);
  }

  /** Records where the CommitLog ends now and when its newest record was stored. */
  #markWrote(link: SlaveLink): void {
    const wrote = this.#wrote();
    if (wrote > link.ackOffset)
      link.mark(wrote, this.#d.positions.get(PositionSlot.WROTE_TIMESTAMP));
  }

  #wrote(): number {
    return this.#d.positions.get(PositionSlot.WROTE);
  }

  #masterView(): MasterView {
    return {
      maxOffset: this.#wrote(),
      minOffset: this.#d.commitLog.minOffset(),
      epochStarts: this.#d.epochStarts,
      recordAt: (offset) => this.#recordAt(offset),
    };
  }

  #recordAt(offset: number): { size: number; bodyCrc: number; storeTimestamp: number } | undefined {
    const head = Buffer.alloc(80);
    const length = Math.min(head.byteLength, this.#wrote() - offset);
    if (length < 64 || this.#read(offset, head, length) !== length) return undefined;
    if (head.readInt32BE(RecordField.MAGICCODE) !== MESSAGE_MAGIC_CODE) return undefined;
    return {
      size: head.readInt32BE(0),
      bodyCrc: head.readInt32BE(RecordField.BODYCRC),
      storeTimestamp: readInt64Buffer(
        head,
        storeTimestampPosition(head.readInt32BE(RecordField.SYSFLAG)),
      ),
    };
  }

  /** Reads CommitLog bytes from the tail cache when it still holds them, else from the segment. */
  #read(offset: number, target: Buffer, length: number): number {
    if (this.#d.tailCache.tryRead(offset, length, target, 0, () => this.#wrote())) return length;
    return this.#d.commitLog.read(offset, target, 0, length);
  }

  /** Sends frames until the slave is caught up or its socket pushes back. */
  #pump(link: SlaveLink): void {
    const socket = link.socket;
    const segmentBytes = this.#d.commitLog.segmentBytes;
    while (link.state === 'STREAMING' && !socket.writableNeedDrain) {
      const wrote = this.#wrote();
      if (link.nextOffset >= wrote) return;
      const segmentEnd = link.nextOffset - (link.nextOffset % segmentBytes) + segmentBytes;
      const length = Math.min(
        this.#o.transferBatchBytes,
        wrote - link.nextOffset,
        segmentEnd - link.nextOffset,
      );
      const frame = Buffer.allocUnsafe(HA_FRAME_HEADER_BYTES + length);
      const read = this.#read(link.nextOffset, frame.subarray(HA_FRAME_HEADER_BYTES), length);
      if (read !== length)
        return void this.#close(link, `cannot read ${length} bytes at ${link.nextOffset}`);
      encodeFrameHeader(frame, link.nextOffset, length);
      socket.write(frame);
      link.nextOffset += length;
      link.lastWriteMs = this.#d.clock.monotonicMs();
    }
  }

  #housekeep(nowMs: number): void {
    for (const link of this.#links) {
      if (nowMs - link.lastReadMs > this.#o.housekeepingIntervalMs) {
        this.#close(link, `nothing heard for ${this.#o.housekeepingIntervalMs} ms`);
        continue;
      }
      if (
        link.state === 'STREAMING' &&
        nowMs - link.lastWriteMs >= this.#o.heartbeatIntervalMs &&
        !link.socket.writableNeedDrain
      )
        this.#heartbeat(link, nowMs);
    }
  }

  /** Wakes on every new wrote position (or every 100 ms) and feeds every slave. */
  async #pumpLoop(): Promise<void> {
    let seen = this.#wrote();
    while (this.#running) {
      await this.#d.positions.waitChangeAsync(PositionSlot.WROTE, seen, 100);
      seen = this.#wrote();
      for (const link of this.#links) {
        if (link.state === 'STREAMING') this.#markWrote(link);
        this.#pump(link);
      }
      this.#housekeep(this.#d.clock.monotonicMs());
    }
  }

  inspect(): HaReplicaLink[] {
    const wrote = this.#wrote();
    return [...this.#links]
      .filter((l) => l.state === 'STREAMING')
      .map((l) => ({
        address: l.address,
        ackOffset: l.ackOffset,
        nextOffset: l.nextOffset,
        lagBytes: Math.max(0, wrote - l.ackOffset),
        oldestMissingStoreMs: l.ackOffset >= wrote ? null : l.oldestMissingStoreMs(),
        connectedAtMs: l.connectedAtMs,
      }));
  }

  async close(): Promise<void> {
    this.#running = false;
    this.#d.positions.wake(PositionSlot.WROTE);
    for (const link of [...this.#links]) {
      link.socket.destroy();
      this.#drop(link);
    }
    const server = this.#server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.#loop;
  }
}
