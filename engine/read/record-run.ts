// A run of ConsumeQueue units whose records lie back to back in the CommitLog: a pull reads the
// whole run with one copy from the tail cache or one pread from the segment file instead of one
// per record, and serves the records as views of that one buffer.

/** Largest run read at once (a pull's byte cap, maxTransferBytesOnMessageInMemory, is smaller). */
export const MAX_RUN_BYTES = 1024 * 1024;

export class RecordRun {
  /** CommitLog offset of the first record. */
  start = 0;
  bytes = 0;
  /** Per record, in order: its size and the queue offset of its unit. */
  readonly sizes: number[] = [];
  readonly queueOffsets: number[] = [];

  get count(): number {
    return this.sizes.length;
  }

  /**
   * True when the record of `size` bytes at `commitLogOffset` extends this run: it follows the
   * last record directly, in the same segment file, and the run stays within MAX_RUN_BYTES.
   */
  canTake(commitLogOffset: number, size: number, segmentBytes: number): boolean {
    if (this.count === 0) return true;
    const end = commitLogOffset + size;
    return (
      commitLogOffset === this.start + this.bytes &&
      end - this.start <= MAX_RUN_BYTES &&
      Math.floor(this.start / segmentBytes) === Math.floor((end - 1) / segmentBytes)
    );
  }

  add(commitLogOffset: number, size: number, queueOffset: number): void {
    if (this.count === 0) this.start = commitLogOffset;
    this.bytes += size;
    this.sizes.push(size);
    this.queueOffsets.push(queueOffset);
  }

  clear(): void {
    this.start = 0;
    this.bytes = 0;
    this.sizes.length = 0;
    this.queueOffsets.length = 0;
  }
}

/**
 * The body of a pull: the records themselves when they are adjacent views of one buffer (a single
 * run), else one copy of them all.
 */
export function joinRecords(records: readonly Buffer[]): Buffer {
  const first = records[0];
  if (first === undefined) return Buffer.alloc(0);
  let end = first.byteOffset + first.byteLength;
  for (let i = 1; i < records.length; i++) {
    const record = records[i] as Buffer;
    if (record.buffer !== first.buffer || record.byteOffset !== end) return Buffer.concat(records);
    end += record.byteLength;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}
