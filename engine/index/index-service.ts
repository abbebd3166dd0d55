// The key index over all index files (RocketMQ: store/.../index/IndexService.java). Files live in
// <root>/index/, named by creation time (yyyyMMddHHmmssSSS, local time) so names sort by age.
// Every message is indexed by its UNIQ_KEY and each of its space-separated KEYS, as "topic#key".

import { assert } from '../../common/assert.js';
import { makeDirsDurable } from '../io/durable-dirs.js';
import type { FileIO } from '../io/file-io.js';
import { IndexFile, indexFileBytes } from './index-file.js';

export interface IndexServiceOptions {
  rootDir: string;
  maxHashSlotNum: number;
  maxIndexNum: number;
  maxMsgsNumBatch: number;
}

function timeFileName(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}${p(d.getMilliseconds(), 3)}`;
}

export class IndexService {
  #io: FileIO;
  #options: IndexServiceOptions;
  #dir: string;
  #files: IndexFile[] = [];

  constructor(io: FileIO, options: IndexServiceOptions) {
    this.#io = io;
    this.#options = options;
    this.#dir = `${options.rootDir}/index`;
  }

  /** Opens the index files and reads their slot tables (blocking: the writer thread does this). */
  load(): void {
    for (const name of this.#fileNames()) this.#files.push(this.#open(name, 'now'));
  }

  /** As load(), yielding to the event loop between steps (the main thread, while recovering). */
  async loadAsync(yieldToLoop: () => Promise<void>): Promise<void> {
    for (const name of this.#fileNames()) {
      const file = this.#open(name, 'later');
      this.#files.push(file);
      await file.load(yieldToLoop);
    }
  }

  #fileNames(): string[] {
    makeDirsDurable(this.#io, this.#dir);
    const names = this.#io
      .list(this.#dir)
      .filter((n) => /^\d{17}$/.test(n))
      .sort();
    const newest = names.at(-1);
    if (newest !== undefined && !this.#sizedRight(`${this.#dir}/${newest}`)) {
      // Created, but power failed before its size was durable: it never held a durable entry
      // (indexDurableOffset is below its first), so recovery re-indexes into a new file.
      this.#io.unlink(`${this.#dir}/${newest}`);
      this.#io.syncDir(this.#dir);
      names.pop();
    }
    return names;
  }

  #open(name: string, load: 'now' | 'later'): IndexFile {
    const { maxHashSlotNum, maxIndexNum } = this.#options;
    return new IndexFile(
      this.#io,
      `${this.#dir}/${name}`,
      maxHashSlotNum,
      maxIndexNum,
      undefined,
      load,
    );
  }

  #sizedRight(path: string): boolean {
    const fd = this.#io.open(path, { create: false });
    try {
      const { maxHashSlotNum, maxIndexNum } = this.#options;
      return this.#io.sizeOf(fd) === indexFileBytes(maxHashSlotNum, maxIndexNum);
    } finally {
      this.#io.close(fd);
    }
  }

  /** End of the records already indexed (dispatch skips records below it). */
  indexedEndPhyOffset(): number {
    return this.#files.at(-1)?.header.endPhyOffset ?? -1;
  }

  #current(nowMs: number): IndexFile {
    const last = this.#files.at(-1);
    if (last !== undefined && !last.isFull()) return last;
    let name = timeFileName(nowMs);
    for (let ms = nowMs + 1; this.#files.some((f) => f.path.endsWith(name)); ms++)
      name = timeFileName(ms);
    const begin =
      last === undefined
        ? undefined
        : { timestamp: last.header.endTimestamp, phyOffset: last.header.endPhyOffset };
    if (last !== undefined) last.flush();
    const file = new IndexFile(
      this.#io,
      `${this.#dir}/${name}`,
      this.#options.maxHashSlotNum,
      this.#options.maxIndexNum,
      begin,
    );
    this.#io.syncDir(this.#dir);
    this.#files.push(file);
    return file;
  }

  /** Indexes one record's keys; `keys` are the raw KEYS property (space separated) or ''. */
  putRecord(
    topic: string,
    uniqKey: string,
    keys: string,
    phyOffset: number,
    storeTimestamp: number,
    nowMs: number,
  ): void {
    const last = this.#files.at(-1);
    if (last !== undefined && phyOffset < last.header.endPhyOffset) return;
    if (uniqKey !== '') this.#put(`${topic}#${uniqKey}`, phyOffset, storeTimestamp, nowMs);
    if (keys === '') return;
    for (const key of keys.split(' '))
      if (key !== '') this.#put(`${topic}#${key}`, phyOffset, storeTimestamp, nowMs);
  }

  #put(key: string, phyOffset: number, storeTimestamp: number, nowMs: number): void {
    const ok = this.#current(nowMs).putKey(key, phyOffset, storeTimestamp);
    if (!ok)
      assert(
        this.#current(nowMs).putKey(key, phyOffset, storeTimestamp),
        'index: a fresh file refused a key',
      );
  }

  /** Entries added but not yet written to the newest file. */
  get pendingEntries(): number {
    return this.#files.at(-1)?.pendingEntries ?? 0;
  }

  writePending(): void {
    this.#files.at(-1)?.writePending();
  }

  flush(): void {
    this.#files.at(-1)?.flush();
  }

  /** Physical offsets for topic#key, newest first, deduplicated, at most min(maxNum, maxMsgsNumBatch). */
  query(
    topic: string,
    key: string,
    maxNum: number,
    beginTimestamp: number,
    endTimestamp: number,
  ): number[] {
    const limit = Math.min(maxNum, this.#options.maxMsgsNumBatch);
    const found: number[] = [];
    for (let i = this.#files.length - 1; i >= 0 && found.length < limit; i--) {
      const file = this.#files[i];
      if (file === undefined) continue;
      const h = file.header;
      if (h.endTimestamp < beginTimestamp - 1000 || h.beginTimestamp > endTimestamp + 1000) {
        if (h.beginTimestamp < beginTimestamp) break;
        continue;
      }
      file.query(
        `${topic}#${key}`,
        limit - found.length,
        beginTimestamp - 999,
        endTimestamp,
        found,
      );
    }
    return [...new Set(found)];
  }

  /**
   * Recovery re-dispatches from `offset`: records from there on are indexed again rather than
   * skipped as already indexed (duplicates are harmless, queries deduplicate). The header's end
   * offset cannot be trusted for that: a power loss may tear the header (a new end offset beside
   * the old entry count), and the index may hold entries for records a power loss took from the
   * CommitLog (it is synced up to what was written, not flushed), whose offsets new records reuse.
   */
  reindexFrom(offset: number): void {
    for (const file of this.#files)
      if (file.header.endPhyOffset >= offset) file.header.endPhyOffset = offset - 1;
  }

  /** Deletes files whose every entry points below `minCommitLogOffset` (never the newest). */
  deleteExpired(minCommitLogOffset: number): number {
    let deleted = 0;
    while (
      this.#files.length > 1 &&
      (this.#files[0]?.header.endPhyOffset ?? Infinity) < minCommitLogOffset
    ) {
      const file = this.#files.shift();
      file?.close();
      if (file !== undefined) this.#io.unlink(file.path);
      deleted++;
    }
    return deleted;
  }

  /** Deletes every index file (a slave wiped to resync from its master). */
  destroy(): void {
    for (const f of this.#files) {
      f.close();
      this.#io.unlink(f.path);
    }
    this.#files = [];
  }

  close(): void {
    this.writePending();
    for (const f of this.#files) f.close();
    this.#files = [];
  }
}
