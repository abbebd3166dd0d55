// The slave side of Master/Slave replication (RocketMQ: HAService.HAClient). It connects to the
// master's HA address, says where its log ends (Petrel hello, with its last record's fingerprint),
// appends the CommitLog bytes it receives through the store's replicated-append path (which builds
// ConsumeQueues and the index), and reports its written offset after each advance and as a
// heartbeat. A TRUNCATE from the master, or an offset that does not continue the log, ends the
// connection; the owner decides what to do (onTruncate), everything else reconnects by itself.

import { connect, type Socket } from 'node:net';
import { readInt64Buffer } from '../../common/bytes.js';
import type { Clock } from '../../common/clock.js';
import type { EpochEntry } from '../../engine/checkpoint/epoch-file.js';
import type { HaLogger } from './ha-sender.js';
import {
  encodeHello,
  encodeReport,
  HA_EPOCH_ENTRY_BYTES,
  HA_EPOCHS_BODY_SIZE,
  HA_FRAME_HEADER_BYTES,
  HA_MAX_HELLO_EPOCHS,
  HA_TRUNCATE_BODY_SIZE,
  type RecordFingerprint,
  readEpochEntries,
} from './ha-wire.js';

export interface ReplicaStore {
  readonly replicaEndOffset: number;
  getMaxPhyOffset(): number;
  appendReplicated(
    commitLogOffset: number,
    bytes: Buffer,
  ): 'OK' | 'OFFSET_MISMATCH' | 'BUSY' | 'NOT_SLAVE' | 'FAILED';
  replicaFingerprint(): RecordFingerprint | undefined;
  waitMaxPhyOffsetChange(seen: number, timeoutMs: number): Promise<void>;
}

export interface HaClientOptions {
  heartbeatIntervalMs: number;
  housekeepingIntervalMs: number;
  reconnectDelayMs: number;
  /** Largest frame body accepted (the master's haTransferBatchSize, with room to spare). */
  maxFrameBodyBytes: number;
}

export interface HaClientDeps {
  clock: Clock;
  logger: HaLogger;
  /** The master says this slave's log diverges after `toOffset`; the client has stopped. */
  onTruncate(toOffset: number, reason: string): void;
  /** Controller mode: this replica's brokerId and epochs, sent in the hello (version 2). */
  replicaIdentity?: () => { brokerId: number; epochs: readonly EpochEntry[] };
  /** Controller mode: the master's epoch entries (its EPOCHS frame). */
  onMasterEpochs?: (entries: EpochEntry[]) => void;
}

export class HaClient {
  #store: ReplicaStore;
  #o: HaClientOptions;
  #d: HaClientDeps;
  #masterAddress: string | undefined;
  #socket: Socket | undefined;
  #inbound: Buffer = Buffer.alloc(0);
  #pending: { offset: number; body: Buffer } | undefined;
  #lastReadMs = 0;
  #heardOnConnection = false;
  #lastReported = -1;
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #framesReceived = 0;

  constructor(store: ReplicaStore, options: HaClientOptions, deps: HaClientDeps) {
    this.#store = store;
    this.#o = options;
    this.#d = deps;
  }

  get masterAddress(): string | undefined {
    return this.#masterAddress;
  }

  get isConnected(): boolean {
    return (
      this.#socket !== undefined && !this.#socket.destroyed && this.#socket.readyState === 'open'
    );
  }

  /**
   * Connected, and the master has spoken on this connection (a frame or a heartbeat; a master
   * sends one as soon as it accepts the slave). A TCP proxy or load balancer in front of a dead
   * master accepts the connection and says nothing: that is not a reachable master.
   */
  get isMasterHeard(): boolean {
    return this.isConnected && this.#heardOnConnection;
  }

  /** Where to replicate from ("host:port"); takes effect at the next connect, as in RocketMQ. */
  setMasterAddress(address: string | undefined): void {
    if (address === this.#masterAddress) return;
    this.#masterAddress = address;
    this.#disconnect(`master address changed to ${address ?? 'none'}`);
    this.#tick();
  }

  start(): void {
    this.#running = true;
    this.#timer = setInterval(
      () => this.#tick(),
      Math.max(10, Math.min(1000, this.#o.heartbeatIntervalMs)),
    );
    this.#timer.unref();
    this.#tick();
  }

  #tick(): void {
    if (!this.#running) return;
    if (this.#socket === undefined) {
      if (this.#masterAddress !== undefined) this.#connect(this.#masterAddress);
      return;
    }
    if (this.#d.clock.monotonicMs() - this.#lastReadMs > this.#o.housekeepingIntervalMs)
      this.#disconnect('master not heard from');
  }

  #connect(address: string): void {
    const colon = address.lastIndexOf(':');
    const socket = connect({
      host: address.slice(0, colon),
      port: Number(address.slice(colon + 1)),
    });
    this.#socket = socket;
    this.#inbound = Buffer.alloc(0);
    this.#heardOnConnection = false;
    this.#lastReadMs = this.#d.clock.monotonicMs();
    socket.setNoDelay(true);
    socket.on('connect', () => {
      const hello = {
        slaveMaxOffset: this.#store.replicaEndOffset,
        lastRecord: this.#store.replicaFingerprint(),
        replica: this.#d.replicaIdentity?.(),
      };
      socket.write(encodeHello(hello));
      this.#lastReported = hello.slaveMaxOffset;
      this.#d.logger.info(
        `replicating from master ${address}, local log ends at ${hello.slaveMaxOffset}`,
      );
      void this.#reportLoop(socket);
    });
    socket.on('data', (chunk: Buffer) => this.#onData(socket, chunk));
    socket.on('error', (error) =>
      this.#d.logger.warn(`HA connection to ${address} failed: ${error.message}`),
    );
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
  }

  #disconnect(why: string): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#d.logger.info(`HA connection to the master closed: ${why}`);
    this.#socket = undefined;
    this.#pending = undefined;
    socket.destroy();
  }

  #onData(socket: Socket, chunk: Buffer): void {
    if (socket !== this.#socket) return;
    this.#heardOnConnection = true;
    this.#lastReadMs = this.#d.clock.monotonicMs();
    this.#inbound = this.#inbound.byteLength === 0 ? chunk : Buffer.concat([this.#inbound, chunk]);
    this.#consume(socket);
  }

  /** Applies every complete frame buffered; stops (pausing the socket) when the store is busy. */
  #consume(socket: Socket): void {
    while (this.#pending === undefined && this.#inbound.byteLength >= HA_FRAME_HEADER_BYTES) {
      const offset = readInt64Buffer(this.#inbound, 0);
      const size = this.#inbound.readInt32BE(8);
      if (size === HA_TRUNCATE_BODY_SIZE) return void this.#onTruncate(offset);
      if (size === HA_EPOCHS_BODY_SIZE) {
        if (!this.#onEpochsFrame(offset)) return;
        continue;
      }
      if (size < 0 || size > this.#o.maxFrameBodyBytes)
        return void this.#disconnect(`frame of ${size} bytes`);
      if (this.#inbound.byteLength < HA_FRAME_HEADER_BYTES + size) return;
      const body = this.#inbound.subarray(HA_FRAME_HEADER_BYTES, HA_FRAME_HEADER_BYTES + size);
      this.#inbound = this.#inbound.subarray(HA_FRAME_HEADER_BYTES + size);
      if (offset !== this.#store.replicaEndOffset)
        return void this.#disconnect(
          `master sent offset ${offset}, the local log ends at ${this.#store.replicaEndOffset}`,
        );
      if (size > 0) this.#pending = { offset, body: Buffer.from(body) };
      this.#framesReceived++;
      this.#flushPending(socket);
    }
  }

  /** An EPOCHS frame of `count` entries; false while its entries have not all arrived. */
  #onEpochsFrame(count: number): boolean {
    const bytes = count * HA_EPOCH_ENTRY_BYTES;
    const invalid = count < 0 || count > HA_MAX_HELLO_EPOCHS;
    if (invalid || this.#inbound.byteLength < HA_FRAME_HEADER_BYTES + bytes) {
      if (invalid) this.#disconnect(`EPOCHS frame of ${count} entries`);
      return false;
    }
    const entries = readEpochEntries(this.#inbound, HA_FRAME_HEADER_BYTES, count);
    this.#inbound = this.#inbound.subarray(HA_FRAME_HEADER_BYTES + bytes);
    if (typeof entries === 'string') {
      this.#disconnect(`the master's epochs: ${entries}`);
      return false;
    }
    this.#d.onMasterEpochs?.(entries);
    return true;
  }

  #flushPending(socket: Socket): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    const status = this.#store.appendReplicated(pending.offset, pending.body);
    if (status === 'OK') {
      this.#pending = undefined;
      if (socket.isPaused()) {
        socket.resume();
        this.#consume(socket);
      }
      return;
    }
    if (status !== 'BUSY')
      return void this.#disconnect(`the store refused replicated bytes: ${status}`);
    socket.pause();
    setTimeout(() => {
      if (socket === this.#socket) this.#flushPending(socket);
    }, 1);
  }

  #onTruncate(toOffset: number): void {
    const reason = `the master asked this slave to cut its log at ${toOffset}`;
    this.#d.logger.warn(reason);
    this.close();
    this.#d.onTruncate(toOffset, reason);
  }

  /** Reports the written offset whenever it advances, and at least every heartbeat interval. */
  async #reportLoop(socket: Socket): Promise<void> {
    while (this.#running && socket === this.#socket && !socket.destroyed) {
      await this.#store.waitMaxPhyOffsetChange(this.#lastReported, this.#o.heartbeatIntervalMs);
      if (socket !== this.#socket || socket.destroyed) return;
      this.#lastReported = this.#store.getMaxPhyOffset();
      socket.write(encodeReport(this.#lastReported));
    }
  }

  inspect(): {
    masterAddress: string | undefined;
    connected: boolean;
    masterHeard: boolean;
    reportedOffset: number;
    framesReceived: number;
  } {
    return {
      masterAddress: this.#masterAddress,
      connected: this.isConnected,
      masterHeard: this.isMasterHeard,
      reportedOffset: this.#lastReported,
      framesReceived: this.#framesReceived,
    };
  }

  close(): void {
    this.#running = false;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#disconnect('closing');
  }
}
