// A logical byte space split into fixed-size segment files named by their 20-digit start offset
// (RocketMQ's MappedFileQueue). Not memory-mapped: Node has no mmap, so segments are read and
// written with pread/pwrite. New segments are created at full size (sparse), as RocketMQ's
// preallocated files are, so every segment but the newest has exactly `segmentBytes` bytes.
// Invariants: segments are contiguous (no gaps), every segment is `segmentBytes` long, a write
// never crosses a segment boundary.

import { assert } from '../../common/assert.js';
import { offsetToFileName } from '../../common/bytes.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import { makeDirsDurable } from '../io/durable-dirs.js';
import type { FileIO } from '../io/file-io.js';

const FILE_NAME = /^\d{20}$/;

const BLOCK_BYTES = 4096;

export class SegmentedFile {
  readonly dir: string;
  readonly segmentBytes: number;
  #io: FileIO;
  #segments: number[] = [];
  #fds = new Map<number, number>();
  #followsWriter: boolean;

  constructor(
    io: FileIO,
    dir: string,
    segmentBytes: number,
    options: { followsWriter?: boolean } = {},
  ) {
    assert(Number.isSafeInteger(segmentBytes) && segmentBytes > 0, 'segment size must be positive');
    this.#io = io;
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.#followsWriter = options.followsWriter === true;
  }

  /** True for a read-only view of files another thread writes. */
  get followsWriter(): boolean {
    return this.#followsWriter;
  }

  /** Lists the segments on disk and checks their names, sizes and contiguity. */
  load(): void {
    const starts: number[] = [];
    for (const name of this.#io.list(this.dir)) {
      if (name.endsWith('.tmp')) {
        if (!this.#followsWriter) this.#io.unlink(`${this.dir}/${name}`);
        continue;
      }
      if (!FILE_NAME.test(name)) {
        throw new MqError(
          ErrorCode.SEGMENT_NAME_INVALID,
          `Unexpected file "${name}" in "${this.dir}": segment files are named by a 20-digit start offset`,
          { dir: this.dir, name },
        );
      }
      const start = Number(name);
      if (start % this.segmentBytes !== 0) {
        throw new MqError(
          ErrorCode.SEGMENT_NAME_INVALID,
          `Segment "${name}" in "${this.dir}" does not start at a multiple of the segment size ${this.segmentBytes}`,
          { dir: this.dir, name },
        );
      }
      starts.push(start);
    }
    starts.sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) {
      const prev = starts[i - 1] ?? 0;
      if (starts[i] !== prev + this.segmentBytes) {
        throw new MqError(
          ErrorCode.SEGMENT_GAP,
          `Segments in "${this.dir}" are not contiguous: "${offsetToFileName(prev)}" is followed by "${offsetToFileName(starts[i] ?? 0)}"`,
          { dir: this.dir },
        );
      }
    }
    const newest = starts.at(-1);
    for (const start of starts) this.#checkSize(start, start === newest);
    this.#segments = starts;
  }

  #checkSize(start: number, newest: boolean): void {
    const fd = this.#fd(start);
    const size = this.#io.sizeOf(fd);
    if (size < this.segmentBytes && newest && !this.#followsWriter) {
      // A cut (truncateFrom) that lost power between shrinking and re-extending the newest
      // segment: the bytes it lacks were being zeroed, so finish the job.
      this.#io.truncate(fd, this.segmentBytes);
      this.#io.sync(fd);
      return;
    }
    if (size !== this.segmentBytes) {
      throw new MqError(
        ErrorCode.SEGMENT_SIZE_MISMATCH,
        `Cannot open segment "${this.pathOf(start)}": size ${size} does not match the segment size ${this.segmentBytes}`,
        { path: this.pathOf(start), size },
      );
    }
  }

  pathOf(start: number): string {
    return `${this.dir}/${offsetToFileName(start)}`;
  }

  segmentStartOf(offset: number): number {
    return offset - (offset % this.segmentBytes);
  }

  /** Start offsets of the segments, oldest first. */
  segments(): readonly number[] {
    return this.#segments;
  }

  isEmpty(): boolean {
    return this.#segments.length === 0;
  }

  /** Offset of the first byte of the oldest segment (0 when empty). */
  minOffset(): number {
    return this.#segments[0] ?? 0;
  }

  hasSegment(start: number): boolean {
    const first = this.#segments[0];
    if (first === undefined) return false;
    return start >= first && start <= (this.#segments.at(-1) ?? -1);
  }

  #fd(start: number): number {
    let fd = this.#fds.get(start);
    if (fd === undefined) {
      fd = this.#io.open(this.pathOf(start), { create: false });
      this.#fds.set(start, fd);
    }
    return fd;
  }

  /** Creates the segment starting at `start` (full size, zero-filled) as the newest one. */
  createSegment(start: number): void {
    assert(!this.#followsWriter, 'segments: only the writer creates segments');
    assert(start % this.segmentBytes === 0, 'segments: start not aligned');
    const last = this.#segments.at(-1);
    assert(
      last === undefined || start === last + this.segmentBytes,
      'segments: new segment must follow the newest',
    );
    makeDirsDurable(this.#io, this.dir);
    // Sized under a temporary name, made durable, then renamed: a crash or power loss never leaves
    // a short segment behind (load() deletes a leftover .tmp). Without the fdatasync the rename
    // may reach the disk before the new size does.
    const temp = `${this.pathOf(start)}.tmp`;
    const fd = this.#io.open(temp, { create: true });
    this.#io.truncate(fd, this.segmentBytes);
    this.#io.sync(fd);
    this.#io.rename(temp, this.pathOf(start));
    this.#fds.set(start, fd);
    this.#io.syncDir(this.dir);
    this.#segments.push(start);
  }

  /** Notes a segment another thread created (read-only views follow the writer). */
  refresh(): void {
    const names = this.#io.list(this.dir).filter((n) => FILE_NAME.test(n));
    const starts = names.map(Number).filter((s) => s % this.segmentBytes === 0);
    this.#segments = starts.sort((a, b) => a - b);
    for (const start of [...this.#fds.keys()]) if (!this.hasSegment(start)) this.#closeFd(start);
  }

  /** Writes inside one segment, creating it (and any missing ones before it) when needed. */
  write(offset: number, source: Uint8Array, sourceOffset: number, length: number): void {
    const start = this.#writableSegment(offset, length);
    this.#io.write(this.#fd(start), source, sourceOffset, length, offset - start);
  }

  /** As write(), for several buffers written back to back from `offset` (one pwritev). */
  writev(offset: number, sources: readonly Uint8Array[]): void {
    let length = 0;
    for (const source of sources) length += source.byteLength;
    const start = this.#writableSegment(offset, length);
    const fd = this.#fd(start);
    if (this.#io.writev !== undefined) {
      this.#io.writev(fd, sources, offset - start);
      return;
    }
    let at = offset - start;
    for (const source of sources) {
      this.#io.write(fd, source, 0, source.byteLength, at);
      at += source.byteLength;
    }
  }

  /** The segment that [offset, offset + length) lies in, created (with any before it) if missing. */
  #writableSegment(offset: number, length: number): number {
    const start = this.segmentStartOf(offset);
    assert(
      offset + length <= start + this.segmentBytes,
      'segments: write crosses a segment boundary',
    );
    if (this.#segments.length === 0) this.createSegment(start);
    while ((this.#segments.at(-1) ?? 0) < start)
      this.createSegment((this.#segments.at(-1) ?? 0) + this.segmentBytes);
    assert(start >= this.minOffset(), 'segments: write below the oldest segment');
    return start;
  }

  /** Reads inside one segment; returns bytes read (0 when the segment does not exist). */
  read(offset: number, target: Uint8Array, targetOffset: number, length: number): number {
    const start = this.segmentStartOf(offset);
    assert(
      offset + length <= start + this.segmentBytes,
      'segments: read crosses a segment boundary',
    );
    if (!this.hasSegment(start) && this.#followsWriter) this.refresh();
    if (!this.hasSegment(start)) return 0;
    return this.#io.read(this.#fd(start), target, targetOffset, length, offset - start);
  }

  /**
   * An offset past every byte ever written to the segment holding `from`, given that the bytes
   * from the segment's start to `from` are all written: `from` rounded up to a 4 KiB block when
   * the file system allocated the segment exactly the blocks that range needs (the rest is a
   * hole and reads as zeros), else the segment's end. Reading a 1 GiB sparse segment's holes
   * costs seconds. A segment with holes inside its written range (copied by a hole-punching
   * tool) whose missing blocks are matched by as many blocks written past `from` would be
   * misjudged; recovery then cuts at the first invalid record, as RocketMQ always does.
   */
  writtenBound(from: number): number {
    const start = this.segmentStartOf(from);
    const end = start + this.segmentBytes;
    const allocation = this.#io.allocation?.(this.#fd(start));
    // Only where the block size is 4 KiB: with smaller blocks, data past `from` could hide in the
    // slack of the rounding; with larger ones the test below merely fails (and all is read).
    if (allocation === undefined || allocation.blockBytes !== BLOCK_BYTES) return end;
    const used = from - start;
    const fullBlocks = Math.floor(used / BLOCK_BYTES) * BLOCK_BYTES;
    const usedBlocks = Math.ceil(used / BLOCK_BYTES) * BLOCK_BYTES;
    const { allocatedBytes } = allocation;
    return allocatedBytes >= fullBlocks && allocatedBytes <= usedBlocks
      ? Math.min(end, start + usedBlocks)
      : end;
  }

  /** fdatasync of the segments holding [fromOffset, toOffset). */
  sync(fromOffset: number, toOffset: number): void {
    if (toOffset <= fromOffset) return;
    if (this.#followsWriter && !this.hasSegment(this.segmentStartOf(toOffset - 1))) this.refresh();
    for (let s = this.segmentStartOf(fromOffset); s < toOffset; s += this.segmentBytes) {
      if (this.hasSegment(s)) this.#io.sync(this.#fd(s));
    }
  }

  /**
   * Cuts the log at `offset`: the containing segment is zeroed from there to its end (truncate
   * then extend, so the stale tail can never read back as valid) and later segments are deleted.
   */
  truncateFrom(offset: number): void {
    assert(!this.#followsWriter, 'segments: only the writer truncates');
    const start = this.segmentStartOf(offset);
    let unlinked = false;
    while (this.#segments.length > 0 && (this.#segments.at(-1) ?? 0) > start) {
      const last = this.#segments.pop() ?? 0;
      this.#closeFd(last);
      this.#io.unlink(this.pathOf(last));
      unlinked = true;
    }
    // Later segments are durably gone before the cut starts, so a power loss in the middle of it
    // leaves a short newest segment, which load() extends, never a short one in the middle.
    if (unlinked) this.#io.syncDir(this.dir);
    if (this.hasSegment(start)) {
      const fd = this.#fd(start);
      if (offset === start && start !== this.minOffset()) {
        this.#segments.pop();
        this.#closeFd(start);
        this.#io.unlink(this.pathOf(start));
      } else {
        this.#io.truncate(fd, offset - start);
        this.#io.truncate(fd, this.segmentBytes);
        this.#io.sync(fd);
      }
    }
    this.#io.syncDir(this.dir);
  }

  /** Deletes the oldest segment (expiry), durably (an expired segment never comes back); returns its start. */
  deleteOldest(): number {
    const first = this.#segments.shift();
    assert(first !== undefined, 'segments: nothing to delete');
    this.#closeFd(first);
    this.#io.unlink(this.pathOf(first));
    this.#io.syncDir(this.dir);
    return first;
  }

  /** Forgets segments that another thread deleted. */
  forgetBelow(offset: number): void {
    while (this.#segments.length > 0 && (this.#segments[0] ?? 0) + this.segmentBytes <= offset) {
      const first = this.#segments.shift() ?? 0;
      this.#closeFd(first);
    }
  }

  #closeFd(start: number): void {
    const fd = this.#fds.get(start);
    if (fd !== undefined) {
      this.#io.close(fd);
      this.#fds.delete(start);
    }
  }

  close(): void {
    for (const start of [...this.#fds.keys()]) this.#closeFd(start);
  }
}
