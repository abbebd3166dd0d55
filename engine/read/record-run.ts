// The records one read of a queue will serve, planned from its ConsumeQueue units before any is
// read: they are read into one buffer, each run of records that lie back to back in the CommitLog
// (in one segment) with one copy from the tail cache or one pread, and served as views of that
// buffer, so a pull's records are adjacent and its response body needs no copy.

/** Largest plan read at once (a pull's byte cap, maxTransferBytesOnMessageInMemory, is smaller). */
export const MAX_PLANNED_BYTES = 1024 * 1024;

export class RecordPlan {
  bytes = 0;
  /** Per record, in order: where it is, its size and the queue offset of its unit. */
  readonly commitLogOffsets: number[] = [];
  readonly sizes: number[] = [];
  readonly queueOffsets: number[] = [];

  get count(): number {
    return this.sizes.length;
  }

  /** True when a record of `size` bytes still fits (the first one always does). */
  hasRoomFor(size: number): boolean {
    return this.count === 0 || this.bytes + size <= MAX_PLANNED_BYTES;
  }

  add(commitLogOffset: number, size: number, queueOffset: number): void {
    this.bytes += size;
    this.commitLogOffsets.push(commitLogOffset);
    this.sizes.push(size);
    this.queueOffsets.push(queueOffset);
  }

  /** The index after the run that starts at record `from`: records back to back in one segment. */
  runEnd(from: number, segmentBytes: number): number {
    const segment = Math.floor((this.commitLogOffsets[from] as number) / segmentBytes);
    let end = (this.commitLogOffsets[from] as number) + (this.sizes[from] as number);
    let i = from + 1;
    for (; i < this.count; i++) {
      const at = this.commitLogOffsets[i] as number;
      const size = this.sizes[i] as number;
      if (at !== end || Math.floor((at + size - 1) / segmentBytes) !== segment) break;
      end += size;
    }
    return i;
  }

  clear(): void {
    this.bytes = 0;
    this.commitLogOffsets.length = 0;
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
