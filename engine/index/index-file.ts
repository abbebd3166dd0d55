// One key-index file (RocketMQ: store/.../index/IndexFile.java), same layout:
// +------------------ header, 40 bytes ------------------+
// | beginTimestamp i64 | endTimestamp i64 | beginPhyOffset i64 | endPhyOffset i64 |
// | hashSlotCount i32 | indexCount i32 (starts at 1; entry 0 is the "empty" sentinel) |
// +------------------ hashSlotNum x 4 bytes -------------+  newest entry number per slot
// +------------------ indexNum x 20 bytes ---------------+
// | keyHash i32 | phyOffset i64 | timeDiff (seconds since beginTimestamp) i32 | prevIndex i32 |
//
// Entries are appended in order, so they are written with one pwrite per batch. The slot table is
// kept in memory in the file's byte order and written back by flush(): only its dirty pages, one
// pwrite per run of adjacent dirty pages (random keys dirty most pages within a second, so a flush
// is then one large write, not thousands of 4 KiB ones). After a crash, slots that point past the
// durable entry count are walked back along their chain (see load()).

import { assert } from '../../common/assert.js';
import { javaHashCode, readInt64Buffer, writeInt64Buffer } from '../../common/bytes.js';
import type { FileIO } from '../io/file-io.js';

export const INDEX_HEADER_BYTES = 40;
export const INDEX_ENTRY_BYTES = 20;
const PAGE_BYTES = 4096;
const NATIVE_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Slots read and checked per load step (256 KiB of the table). */
const LOAD_STEP_SLOTS = 65_536;

export function indexFileBytes(hashSlotNum: number, indexNum: number): number {
  return INDEX_HEADER_BYTES + hashSlotNum * 4 + indexNum * INDEX_ENTRY_BYTES;
}

/** Non-negative hash of an index key (IndexFile.indexKeyHashMethod). */
export function indexKeyHash(key: string): number {
  // Java's Math.abs(Integer.MIN_VALUE) stays negative, and IndexFile.indexKeyHashMethod then takes 0.
  const h = javaHashCode(key);
  return h === -0x80000000 ? 0 : Math.abs(h);
}

export interface IndexHeader {
  beginTimestamp: number;
  endTimestamp: number;
  beginPhyOffset: number;
  endPhyOffset: number;
  hashSlotCount: number;
  indexCount: number;
}

export class IndexFile {
  readonly path: string;
  readonly hashSlotNum: number;
  readonly indexNum: number;
  readonly header: IndexHeader;
  #io: FileIO;
  #fd: number;
  /** hashSlotNum big-endian int32s, as in the file. */
  #slots: Buffer;
  #dirtyPages: Uint8Array;
  #pendingEntries: Buffer;
  #pendingCount = 0;
  #pendingFrom = 0;
  #loaded: boolean;

  constructor(
    io: FileIO,
    path: string,
    hashSlotNum: number,
    indexNum: number,
    begin?: { timestamp: number; phyOffset: number },
    load: 'now' | 'later' = 'now',
  ) {
    this.#io = io;
    this.path = path;
    this.hashSlotNum = hashSlotNum;
    this.indexNum = indexNum;
    const existed = io.exists(path);
    this.#fd = io.open(path, { create: true });
    if (!existed) {
      // Durable size before the directory entry is: the caller fsyncs the directory next.
      io.truncate(this.#fd, indexFileBytes(hashSlotNum, indexNum));
      io.sync(this.#fd);
    }
    assert(
      io.sizeOf(this.#fd) === indexFileBytes(hashSlotNum, indexNum),
      'index file size disagrees with maxHashSlotNum/maxIndexNum',
    );
    this.#slots = Buffer.alloc(hashSlotNum * 4);
    this.#dirtyPages = new Uint8Array(Math.ceil((hashSlotNum * 4) / PAGE_BYTES));
    this.#pendingEntries = Buffer.alloc(INDEX_ENTRY_BYTES * 1024);
    this.header = {
      beginTimestamp: begin?.timestamp ?? 0,
      endTimestamp: begin?.timestamp ?? 0,
      beginPhyOffset: begin?.phyOffset ?? 0,
      endPhyOffset: begin?.phyOffset ?? 0,
      hashSlotCount: 0,
      indexCount: 1,
    };
    this.#loaded = !existed;
    if (existed && load === 'now') for (const steps = this.#loadSteps(); !steps.next().done; );
  }

  /**
   * Loads an existing file opened with load 'later', yielding to the caller's event loop between
   * steps of LOAD_STEP_SLOTS slots: a 5,000,000-slot table is 20 MB to read and walk.
   */
  async load(yieldToLoop: () => Promise<void>): Promise<void> {
    for (const steps = this.#loadSteps(); !steps.next().done; ) await yieldToLoop();
  }

  /** Reads header and slots; slots pointing past the durable entry count are walked back. */
  *#loadSteps(): Generator<void> {
    if (this.#loaded) return;
    this.#loaded = true;
    const head = Buffer.alloc(INDEX_HEADER_BYTES);
    this.#io.read(this.#fd, head, 0, INDEX_HEADER_BYTES, 0);
    const h = this.header;
    h.beginTimestamp = readInt64Buffer(head, 0);
    h.endTimestamp = readInt64Buffer(head, 8);
    h.beginPhyOffset = readInt64Buffer(head, 16);
    h.endPhyOffset = readInt64Buffer(head, 24);
    h.hashSlotCount = head.readInt32BE(32);
    h.indexCount = Math.max(1, head.readInt32BE(36));
    const slots = this.#slots;
    const entry = Buffer.alloc(INDEX_ENTRY_BYTES);
    // The slots in host order, to find the few that point past indexCount without a
    // readInt32BE per slot (5,000,000 of them per file by default).
    const native = new Int32Array(LOAD_STEP_SLOTS);
    const nativeBytes = Buffer.from(native.buffer);
    for (let first = 0; first < this.hashSlotNum; first += LOAD_STEP_SLOTS) {
      const end = Math.min(this.hashSlotNum, first + LOAD_STEP_SLOTS);
      const bytes = (end - first) * 4;
      this.#io.read(this.#fd, slots, first * 4, bytes, INDEX_HEADER_BYTES + first * 4);
      slots.copy(nativeBytes, 0, first * 4, first * 4 + bytes);
      if (NATIVE_LITTLE_ENDIAN) nativeBytes.subarray(0, bytes).swap32();
      for (let slot = first; slot < end; slot++) {
        const stored = native[slot - first] ?? 0;
        if (stored < h.indexCount) continue;
        let value = stored;
        for (let hops = 0; value >= h.indexCount && hops < 1_000_000; hops++) {
          this.#io.read(this.#fd, entry, 0, INDEX_ENTRY_BYTES, this.#entryPosition(value));
          const prev = entry.readInt32BE(16);
          value = prev < value ? prev : 0;
        }
        if (value !== stored) slots.writeInt32BE(Math.max(value, 0), slot * 4);
      }
      yield;
    }
  }

  #entryPosition(indexNo: number): number {
    return INDEX_HEADER_BYTES + this.hashSlotNum * 4 + indexNo * INDEX_ENTRY_BYTES;
  }

  get pendingEntries(): number {
    return this.#pendingCount;
  }

  isFull(): boolean {
    return this.header.indexCount + this.#pendingCount >= this.indexNum;
  }

  /** Adds `key` (already "topic#key") for the record at phyOffset; false when the file is full. */
  putKey(key: string, phyOffset: number, storeTimestamp: number): boolean {
    if (this.isFull()) return false;
    const h = this.header;
    const keyHash = indexKeyHash(key);
    const slot = keyHash % this.hashSlotNum;
    const prev = this.#slots.readInt32BE(slot * 4);
    const indexNo = h.indexCount + this.#pendingCount;
    if (indexNo <= 1 && h.beginTimestamp === 0) {
      h.beginTimestamp = storeTimestamp;
      h.beginPhyOffset = phyOffset;
    }
    const timeDiffSeconds =
      h.beginTimestamp <= 0
        ? 0
        : Math.min(0x7fffffff, Math.max(0, Math.floor((storeTimestamp - h.beginTimestamp) / 1000)));
    if (this.#pendingCount === 0) this.#pendingFrom = indexNo;
    if ((this.#pendingCount + 1) * INDEX_ENTRY_BYTES > this.#pendingEntries.byteLength) {
      const bigger = Buffer.alloc(this.#pendingEntries.byteLength * 2);
      this.#pendingEntries.copy(bigger);
      this.#pendingEntries = bigger;
    }
    const pos = this.#pendingCount * INDEX_ENTRY_BYTES;
    this.#pendingEntries.writeInt32BE(keyHash, pos);
    writeInt64Buffer(this.#pendingEntries, pos + 4, phyOffset);
    this.#pendingEntries.writeInt32BE(timeDiffSeconds, pos + 12);
    this.#pendingEntries.writeInt32BE(prev, pos + 16);
    this.#pendingCount++;
    if (prev === 0) h.hashSlotCount++;
    this.#slots.writeInt32BE(indexNo, slot * 4);
    this.#dirtyPages[Math.floor((slot * 4) / PAGE_BYTES)] = 1;
    h.endTimestamp = storeTimestamp;
    h.endPhyOffset = phyOffset;
    return true;
  }

  /** Writes buffered entries (one pwrite); slots stay in memory until flush(). */
  writePending(): void {
    if (this.#pendingCount === 0) return;
    this.#io.write(
      this.#fd,
      this.#pendingEntries,
      0,
      this.#pendingCount * INDEX_ENTRY_BYTES,
      this.#entryPosition(this.#pendingFrom),
    );
    this.header.indexCount += this.#pendingCount;
    this.#pendingCount = 0;
  }

  /** Writes dirty slot pages (one write per run of adjacent ones) and the header, then fdatasyncs. */
  flush(): void {
    this.writePending();
    const dirty = this.#dirtyPages;
    for (let p = 0; p < dirty.length; p++) {
      if (dirty[p] === 0) continue;
      let end = p;
      while (end < dirty.length && dirty[end] !== 0) dirty[end++] = 0;
      const from = p * PAGE_BYTES;
      const length = Math.min(end * PAGE_BYTES, this.#slots.byteLength) - from;
      this.#io.write(this.#fd, this.#slots, from, length, INDEX_HEADER_BYTES + from);
      p = end;
    }
    this.#writeHeader();
    this.#io.sync(this.#fd);
  }

  #writeHeader(): void {
    const h = this.header;
    const head = Buffer.alloc(INDEX_HEADER_BYTES);
    writeInt64Buffer(head, 0, h.beginTimestamp);
    writeInt64Buffer(head, 8, h.endTimestamp);
    writeInt64Buffer(head, 16, h.beginPhyOffset);
    writeInt64Buffer(head, 24, h.endPhyOffset);
    head.writeInt32BE(h.hashSlotCount, 32);
    head.writeInt32BE(h.indexCount, 36);
    this.#io.write(this.#fd, head, 0, INDEX_HEADER_BYTES, 0);
  }

  /** Physical offsets of entries for `key` stored within [begin, end], newest first. */
  query(
    key: string,
    maxNum: number,
    beginTimestamp: number,
    endTimestamp: number,
    out: number[],
  ): void {
    this.writePending();
    const keyHash = indexKeyHash(key);
    let indexNo = this.#slots.readInt32BE((keyHash % this.hashSlotNum) * 4);
    const entry = Buffer.alloc(INDEX_ENTRY_BYTES);
    const seen = new Set<number>();
    const limit = out.length + maxNum;
    while (
      indexNo > 0 &&
      indexNo < this.header.indexCount &&
      out.length < limit &&
      !seen.has(indexNo)
    ) {
      seen.add(indexNo);
      this.#io.read(this.#fd, entry, 0, INDEX_ENTRY_BYTES, this.#entryPosition(indexNo));
      const timeRead = this.header.beginTimestamp + entry.readInt32BE(12) * 1000;
      if (timeRead < beginTimestamp) break;
      if (entry.readInt32BE(0) === keyHash && timeRead <= endTimestamp)
        out.push(readInt64Buffer(entry, 4));
      const prev = entry.readInt32BE(16);
      if (prev >= indexNo) break;
      indexNo = prev;
    }
  }

  close(): void {
    this.#io.close(this.#fd);
  }
}
