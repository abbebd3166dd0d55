// FileLogStore: durable Raft storage in one directory, through the engine's FileIO (so tests can
// inject faults). Layout and formats (docs/dledger.md):
//
//   raft-entries.log   records appended back to back, index 1 first:
//                        size u32 | crc32 u32 (bytes 8..size) | index i64 | term i64 | type u8 | data
//   raft-hard-state    two 64-byte slots; every write goes to the slot that does not hold the last
//                      synced state, so a torn or lost write always leaves that one intact:
//                        magic u32 | crc32 u32 (bytes 8..64) | seq i64 | term i64 | commit i64 |
//                        voteLength u8 | vote (UTF-8, up to 31 bytes) | zero padding
//   truncated/         bytes of a replaced (uncommitted, divergent) suffix, moved aside before the
//                      cut: <firstIndex>-<lastIndex>-<seq>.log, in the record format above
//
// save() writes the entries, then (fdatasync when `sync`) the hard state (fdatasync when `sync`),
// then calls done: nothing reaches the network before it is durable. open() restores term, vote
// and commit, scans the records, and cuts a torn or corrupt tail (a record that does not fit or
// whose checksum, index or term is wrong) at the last good record. A commit index beyond the
// recovered log means committed entries were lost: open() refuses with E_CORRUPT_RECORD.
//
// Invariants: entries are contiguous from index 1; terms never decrease along the log; entries at
// or below the durable commit index are never replaced by different ones (asserted).
//
// DLedger counterpart: DLedgerMmapFileStore (data + index files, the checkpoint's committed index).

import { assert } from '../../common/assert.js';
import { crc32, readInt64, writeInt64 } from '../../common/bytes.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import type { FileIO } from '../../engine/io/file-io.js';
import {
  EMPTY_HARD_STATE,
  type Entry,
  type EntryType,
  type HardState,
  NO_ENTRIES,
} from '../raft/messages.js';
import type { RaftLogStore } from './host-types.js';

export const ENTRIES_FILE = 'raft-entries.log';
export const HARD_STATE_FILE = 'raft-hard-state';
export const TRUNCATED_DIR = 'truncated';
export const ENTRY_HEADER_BYTES = 25;
export const HARD_STATE_SLOT_BYTES = 64;
const HARD_STATE_MAGIC = 0x52485331; // "RHS1"
const MAX_VOTE_BYTES = 31;
const MAX_RECENT_ENTRIES = 65_536;
const WRITE_BUFFER_BYTES = 1024 * 1024;

export interface TruncatedTail {
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly count: number;
  readonly path: string;
}

export interface FileLogStoreOptions {
  readonly io: FileIO;
  readonly dir: string;
  /** Largest accepted record (entry data + header), bytes; a bigger size field marks corruption. */
  readonly maxEntryBytes?: number;
  /** Newest entries kept in memory for reads (appends to followers), bytes of data (8 MiB). */
  readonly recentCacheBytes?: number;
  /**
   * SYNC_FLUSH (default): save() with `sync` fsyncs the entries and the hard state before done.
   * ASYNC_FLUSH (RocketMQ's flushDiskType, as DLedger flushes its store periodically): entries are
   * written but fsynced only by flush() or with a change of term or vote, so an acknowledgement
   * means "written on a majority", which survives process crashes but not a power loss of a
   * majority. Terms and votes are always durable before done; the commit index written to disk
   * never passes the last fsynced entry, so a power loss never leaves a commit beyond the log.
   */
  readonly flushDiskType?: 'SYNC_FLUSH' | 'ASYNC_FLUSH';
  /** Deliberate bug for the store simulation's self-test: never fsync the entries file. */
  readonly bugs?: { readonly skipEntriesSync?: boolean };
  /** A divergent suffix was moved aside (the broker logs it). */
  readonly onTruncate?: (tail: TruncatedTail) => void;
}

export interface RecoveryReport {
  readonly lastIndex: number;
  readonly hardState: HardState;
  /** Bytes cut from the end of the entries file (a torn or corrupt tail). */
  readonly cutBytes: number;
}

export class FileLogStore implements RaftLogStore {
  readonly #io: FileIO;
  readonly #dir: string;
  readonly #onTruncate: ((tail: TruncatedTail) => void) | undefined;
  readonly #entriesFd: number;
  readonly #stateFd: number;
  /** #terms[i] and #offsets[i] belong to index i + 1; #offsets has one more item: the file end. */
  readonly #terms: number[] = [];
  readonly #offsets: number[] = [0];
  #hardState: HardState = EMPTY_HARD_STATE;
  #stateSeq = 0;
  /** The slot holding the newest hard state known durable (recovered, or written with a sync). */
  #syncedSlot = 1;
  #truncations = 0;
  /** Where saves encode their records (grows to the largest record, at least WRITE_BUFFER_BYTES). */
  #writeBuffer = new Uint8Array(WRITE_BUFFER_BYTES);
  /** The newest entries written, contiguous, ending at lastIndex(): #recent from #recentHead on. */
  readonly #recent: Entry[] = [];
  #recentHead = 0;
  #recentBytes = 0;
  readonly #recentMaxBytes: number;
  readonly #isEntriesSyncSkipped: boolean;
  readonly #isAsyncFlush: boolean;
  /** Entries up to here are on stable storage. */
  #syncedLastIndex = 0;
  /** The hard state last written with an fsync (its term and vote are durable). */
  #syncedHardState: HardState = EMPTY_HARD_STATE;
  /** The commit index last written to the hard-state file. */
  #writtenCommit = 0;
  #isClosed = false;
  readonly recovery: RecoveryReport;

  private constructor(options: FileLogStoreOptions) {
    this.#io = options.io;
    this.#dir = options.dir;
    this.#onTruncate = options.onTruncate;
    this.#recentMaxBytes = options.recentCacheBytes ?? 8 * 1024 * 1024;
    this.#isEntriesSyncSkipped = options.bugs?.skipEntriesSync === true;
    this.#isAsyncFlush = options.flushDiskType === 'ASYNC_FLUSH';
    options.io.mkdirp(options.dir);
    this.#entriesFd = options.io.open(`${options.dir}/${ENTRIES_FILE}`, { create: true });
    this.#stateFd = options.io.open(`${options.dir}/${HARD_STATE_FILE}`, { create: true });
    this.#readHardState();
    const cutBytes = this.#scanEntries(options.maxEntryBytes ?? 64 * 1024 * 1024);
    this.#syncedLastIndex = this.lastIndex();
    this.#syncedHardState = this.#hardState;
    this.#writtenCommit = this.#hardState.commit;
    this.recovery = { lastIndex: this.lastIndex(), hardState: this.#hardState, cutBytes };
  }

  /**
   * Open (creating when absent) the store in `dir` and recover it.
   * @throws MqError CORRUPT_RECORD when the durable commit index is beyond the recovered log.
   */
  static open(options: FileLogStoreOptions): FileLogStore {
    const store = new FileLogStore(options);
    const { hardState } = store.recovery;
    if (hardState.commit > store.lastIndex()) {
      store.close();
      throw new MqError(
        ErrorCode.CORRUPT_RECORD,
        `Raft log in ${options.dir} ends at index ${store.lastIndex()} but index ${hardState.commit} was committed: committed entries are missing`,
        { dir: options.dir, lastIndex: store.lastIndex(), commit: hardState.commit },
      );
    }
    return store;
  }

  // ---------------------------------------------------------------------------------------------
  // LogStorage (what the core reads).

  hardState(): HardState {
    return this.#hardState;
  }

  firstIndex(): number {
    return 1;
  }

  lastIndex(): number {
    return this.#terms.length;
  }

  term(index: number): number {
    assert(index >= 0 && index <= this.#terms.length, 'file log: term index out of range');
    return index === 0 ? 0 : (this.#terms[index - 1] as number);
  }

  entries(lo: number, hi: number, maxEntries: number): readonly Entry[] {
    assert(lo >= 1 && lo <= hi && hi <= this.#terms.length + 1, 'file log: bad entries range');
    assert(maxEntries >= 1, 'file log: maxEntries must be positive');
    const end = Math.min(hi, lo + maxEntries);
    if (lo === end) return NO_ENTRIES;
    const head = this.#recentHead;
    const recentFirst = this.#terms.length - (this.#recent.length - head) + 1;
    if (lo >= recentFirst) {
      return this.#recent.slice(head + lo - recentFirst, head + end - recentFirst);
    }
    const start = this.#offsets[lo - 1] as number;
    const bytes = new Uint8Array((this.#offsets[end - 1] as number) - start);
    const read = this.#io.read(this.#entriesFd, bytes, 0, bytes.length, start);
    assert(read === bytes.length, 'file log: short read of stored entries');
    const result: Entry[] = [];
    let position = 0;
    for (let index = lo; index < end; index++) {
      const decoded = decodeRecord(bytes, position, bytes.length);
      assert(decoded !== null && decoded.entry.index === index, 'file log: stored record changed');
      result.push(decoded.entry);
      position += decoded.size;
    }
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // The write side (the host's step 1).

  save(
    entries: readonly Entry[],
    hardState: HardState | null,
    sync: boolean,
    done: (error: Error | null) => void,
  ): void {
    try {
      assert(!this.#isClosed, 'file log: save after close');
      // ASYNC_FLUSH still makes a new term or vote durable, and the entries before it.
      const isVoteChanged =
        hardState !== null &&
        (hardState.term !== this.#syncedHardState.term ||
          hardState.vote !== this.#syncedHardState.vote);
      const isSynced = sync && (!this.#isAsyncFlush || isVoteChanged);
      this.#writeEntries(entries, isSynced);
      if (hardState !== null) this.#writeHardState(hardState, isSynced);
    } catch (error) {
      done(error as Error);
      return;
    }
    done(null);
  }

  #remember(entry: Entry): void {
    this.#recent.push(entry);
    this.#recentBytes += entry.data.length;
    while (
      this.#recentHead < this.#recent.length &&
      (this.#recentBytes > this.#recentMaxBytes ||
        this.#recent.length - this.#recentHead > MAX_RECENT_ENTRIES)
    ) {
      this.#recentBytes -= (this.#recent[this.#recentHead] as Entry).data.length;
      this.#recentHead++;
    }
    if (this.#recentHead > 1024 && this.#recentHead * 2 > this.#recent.length) {
      this.#recent.splice(0, this.#recentHead);
      this.#recentHead = 0;
    }
  }

  /**
   * ASYNC_FLUSH: make every written entry and the current commit index durable (the broker calls
   * it every flushIntervalCommitLog ms). Does nothing when all is durable already.
   */
  flush(): void {
    assert(!this.#isClosed, 'file log: flush after close');
    if (this.#syncedLastIndex < this.lastIndex()) {
      if (!this.#isEntriesSyncSkipped) this.#io.sync(this.#entriesFd);
      this.#syncedLastIndex = this.lastIndex();
    }
    if (this.#writtenCommit < this.#hardState.commit) this.#writeHardState(this.#hardState, true);
  }

  /**
   * flush() without blocking the calling thread: `syncFile(fd)` fsyncs the entries file elsewhere
   * (the DLedger thread passes fs.fdatasync on libuv's pool), so heartbeats and appends go on
   * meanwhile. The commit index is then written without an fsync (never past the synced entries),
   * which a crash may lose: a lower recovered commit is safe. One call at a time.
   */
  async flushWith(syncFile: (fd: number) => Promise<void>): Promise<void> {
    assert(!this.#isClosed, 'file log: flush after close');
    const upTo = this.lastIndex();
    const cuts = this.#truncations;
    if (this.#syncedLastIndex < upTo && !this.#isEntriesSyncSkipped) {
      await syncFile(this.#entriesFd);
      if (this.#isClosed) return;
    }
    // A cut during the fsync may have replaced entries below upTo: they are not covered.
    if (cuts === this.#truncations) this.#syncedLastIndex = Math.max(this.#syncedLastIndex, upTo);
    if (this.#writtenCommit < Math.min(this.#hardState.commit, this.#syncedLastIndex)) {
      this.#writeHardState(this.#hardState, false);
    }
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#io.close(this.#entriesFd);
    this.#io.close(this.#stateFd);
  }

  #writeEntries(entries: readonly Entry[], sync: boolean): void {
    const first = entries[0];
    if (first === undefined) return;
    assert(first.index >= 1 && first.index <= this.#terms.length + 1, 'file log: append gap');
    const commit = this.#hardState.commit;
    for (const entry of entries) {
      if (entry.index > Math.min(commit, this.#terms.length)) break;
      assert(entry.term === this.term(entry.index), 'file log: append changes a committed entry');
    }
    // Entries the log already holds (same index and term) are the same entries: keep them, so
    // only a real conflict moves anything aside.
    let kept = 0;
    while (kept < entries.length) {
      const entry = entries[kept] as Entry;
      if (entry.index > this.#terms.length || entry.term !== this.term(entry.index)) break;
      kept++;
    }
    const last = entries[entries.length - 1] as Entry;
    const cutFrom = kept < entries.length ? (entries[kept] as Entry).index : last.index + 1;
    if (cutFrom <= this.#terms.length) this.#cutSuffix(cutFrom);
    const fresh = entries.slice(kept);
    if (fresh.length === 0) return;
    // Records are encoded into one reused buffer and written a buffer-full at a time: a save of
    // large entries allocates nothing of their size.
    let buffered = 0;
    let fileOffset = this.#offsets[this.#terms.length] as number;
    for (const entry of fresh) {
      assert(entry.index === this.#terms.length + 1, 'file log: entries not contiguous');
      assert(entry.term >= this.term(entry.index - 1), 'file log: term goes backwards');
      const size = ENTRY_HEADER_BYTES + entry.data.length;
      if (buffered + size > this.#writeBuffer.length && buffered > 0) {
        this.#io.write(this.#entriesFd, this.#writeBuffer, 0, buffered, fileOffset);
        fileOffset += buffered;
        buffered = 0;
      }
      if (size > this.#writeBuffer.length) this.#writeBuffer = new Uint8Array(size);
      encodeRecordInto(this.#writeBuffer, buffered, entry);
      buffered += size;
      this.#terms.push(entry.term);
      this.#offsets.push(fileOffset + buffered);
      this.#remember(entry);
    }
    this.#io.write(this.#entriesFd, this.#writeBuffer, 0, buffered, fileOffset);
    if (sync) {
      if (!this.#isEntriesSyncSkipped) this.#io.sync(this.#entriesFd);
      this.#syncedLastIndex = this.lastIndex();
    }
  }

  /** Move entries from `fromIndex` on into truncated/, then cut the file. */
  #cutSuffix(fromIndex: number): void {
    assert(fromIndex > this.#hardState.commit, 'file log: cut below the commit index');
    const lastIndex = this.#terms.length;
    const start = this.#offsets[fromIndex - 1] as number;
    const end = this.#offsets[lastIndex] as number;
    const bytes = new Uint8Array(end - start);
    this.#io.read(this.#entriesFd, bytes, 0, bytes.length, start);
    const dir = `${this.#dir}/${TRUNCATED_DIR}`;
    this.#io.mkdirp(dir);
    // Never reuse a name: a crash may bring back an earlier hard-state seq.
    let path = '';
    do {
      this.#truncations++;
      path = `${dir}/${fromIndex}-${lastIndex}-${this.#stateSeq}-${this.#truncations}.log`;
    } while (this.#io.exists(path));
    const fd = this.#io.open(path, { create: true });
    try {
      this.#io.write(fd, bytes, 0, bytes.length, 0);
      this.#io.sync(fd);
    } finally {
      this.#io.close(fd);
    }
    this.#io.syncDir(dir);
    this.#io.truncate(this.#entriesFd, start);
    this.#terms.length = fromIndex - 1;
    this.#syncedLastIndex = Math.min(this.#syncedLastIndex, fromIndex - 1);
    const keep = Math.max(this.#recentHead, this.#recent.length - (lastIndex - fromIndex + 1));
    for (const dropped of this.#recent.splice(keep)) this.#recentBytes -= dropped.data.length;
    this.#offsets.length = fromIndex;
    this.#onTruncate?.({
      firstIndex: fromIndex,
      lastIndex,
      count: lastIndex - fromIndex + 1,
      path,
    });
  }

  #writeHardState(hardState: HardState, sync: boolean): void {
    assert(hardState.term >= this.#hardState.term, 'file log: term goes backwards');
    assert(hardState.commit >= this.#hardState.commit, 'file log: commit goes backwards');
    assert(hardState.commit <= this.#terms.length, 'file log: commit beyond the log');
    this.#stateSeq++;
    // On disk the commit never passes the durable entries (ASYNC_FLUSH writes entries unsynced).
    const commit = Math.min(hardState.commit, this.#syncedLastIndex);
    const slot = encodeHardState({ ...hardState, commit }, this.#stateSeq);
    const target = 1 - this.#syncedSlot;
    this.#io.write(this.#stateFd, slot, 0, slot.length, target * HARD_STATE_SLOT_BYTES);
    if (sync) {
      this.#io.sync(this.#stateFd);
      this.#syncedSlot = target;
      this.#syncedHardState = hardState;
    }
    this.#writtenCommit = commit;
    this.#hardState = hardState;
  }

  // ---------------------------------------------------------------------------------------------
  // Recovery.

  #readHardState(): void {
    const bytes = new Uint8Array(2 * HARD_STATE_SLOT_BYTES);
    const read = this.#io.read(this.#stateFd, bytes, 0, bytes.length, 0);
    for (let slot = 0; slot < 2; slot++) {
      const start = slot * HARD_STATE_SLOT_BYTES;
      if (read < start + HARD_STATE_SLOT_BYTES) continue;
      const decoded = decodeHardState(bytes.subarray(start, start + HARD_STATE_SLOT_BYTES));
      if (decoded !== null && decoded.seq > this.#stateSeq) {
        this.#stateSeq = decoded.seq;
        this.#hardState = decoded.hardState;
        this.#syncedSlot = slot;
      }
    }
  }

  /** Rebuild the term and offset tables; cut the file after the last good record. */
  #scanEntries(maxEntryBytes: number): number {
    const size = this.#io.sizeOf(this.#entriesFd);
    let chunk = new Uint8Array(Math.min(1024 * 1024, Math.max(size, ENTRY_HEADER_BYTES)));
    let position = 0;
    while (position < size) {
      const length = this.#io.read(this.#entriesFd, chunk, 0, chunk.length, position);
      let used = 0;
      for (;;) {
        const decoded = decodeRecord(chunk, used, length, maxEntryBytes);
        if (decoded === null) break;
        const { entry } = decoded;
        const lastTerm = this.term(this.#terms.length);
        if (entry.index !== this.#terms.length + 1 || entry.term < lastTerm) break;
        used += decoded.size;
        this.#terms.push(entry.term);
        this.#offsets.push(position + used);
      }
      if (used === 0) {
        // A record larger than the buffer: grow it once to the claimed size, if that is sane.
        const claimed = length >= 4 ? new DataView(chunk.buffer).getUint32(0) : 0;
        const isPlausible = claimed <= maxEntryBytes + ENTRY_HEADER_BYTES;
        if (claimed <= chunk.length || !isPlausible || position + claimed > size) break;
        chunk = new Uint8Array(claimed);
        continue;
      }
      position += used;
    }
    if (position === size) return 0;
    this.#io.truncate(this.#entriesFd, position);
    this.#io.sync(this.#entriesFd);
    return size - position;
  }
}

// -----------------------------------------------------------------------------------------------
// Record and hard-state codecs.

export function encodeRecord(entry: Entry): Uint8Array {
  const bytes = new Uint8Array(ENTRY_HEADER_BYTES + entry.data.length);
  encodeRecordInto(bytes, 0, entry);
  return bytes;
}

/** Writes the entry's record at `at` in `target` (room checked by the caller). */
function encodeRecordInto(target: Uint8Array, at: number, entry: Entry): void {
  const size = ENTRY_HEADER_BYTES + entry.data.length;
  const view = new DataView(target.buffer, target.byteOffset + at, size);
  view.setUint32(0, size);
  writeInt64(view, 8, entry.index);
  writeInt64(view, 16, entry.term);
  target[at + 24] = entry.type;
  target.set(entry.data, at + ENTRY_HEADER_BYTES);
  view.setUint32(4, crc32(target.subarray(at + 8, at + size)));
}

/** The record at `position`, or null when it is incomplete or corrupt (size, checksum). */
export function decodeRecord(
  bytes: Uint8Array,
  position: number,
  end: number,
  maxEntryBytes = Number.MAX_SAFE_INTEGER,
): { entry: Entry; size: number } | null {
  if (end - position < ENTRY_HEADER_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + position, end - position);
  const size = view.getUint32(0);
  if (size < ENTRY_HEADER_BYTES || size > end - position) return null;
  if (size - ENTRY_HEADER_BYTES > maxEntryBytes) return null;
  const record = bytes.subarray(position, position + size);
  if (crc32(record.subarray(8)) !== view.getUint32(4)) return null;
  const type = record[24] as number;
  if (type > 1) return null;
  const entry: Entry = {
    index: readInt64(view, 8),
    term: readInt64(view, 16),
    type: type as EntryType,
    data: record.slice(ENTRY_HEADER_BYTES),
  };
  return { entry, size };
}

export function encodeHardState(hardState: HardState, seq: number): Uint8Array {
  const bytes = new Uint8Array(HARD_STATE_SLOT_BYTES);
  const view = new DataView(bytes.buffer);
  const vote = new TextEncoder().encode(hardState.vote ?? '');
  assert(vote.length <= MAX_VOTE_BYTES, 'file log: vote id too long');
  view.setUint32(0, HARD_STATE_MAGIC);
  writeInt64(view, 8, seq);
  writeInt64(view, 16, hardState.term);
  writeInt64(view, 24, hardState.commit);
  bytes[32] = hardState.vote === null ? 0 : vote.length;
  bytes.set(vote, 33);
  view.setUint32(4, crc32(bytes.subarray(8)));
  return bytes;
}

export function decodeHardState(slot: Uint8Array): { seq: number; hardState: HardState } | null {
  const view = new DataView(slot.buffer, slot.byteOffset, slot.length);
  if (view.getUint32(0) !== HARD_STATE_MAGIC) return null;
  if (crc32(slot.subarray(8)) !== view.getUint32(4)) return null;
  const voteLength = slot[32] as number;
  if (voteLength > MAX_VOTE_BYTES) return null;
  const vote =
    voteLength === 0 ? null : new TextDecoder().decode(slot.subarray(33, 33 + voteLength));
  return {
    seq: readInt64(view, 8),
    hardState: { term: readInt64(view, 16), vote, commit: readInt64(view, 24) },
  };
}
