// The epoch file of controller mode (RocketMQ 5: EpochFileCache over CheckpointFile): which
// controller epoch wrote each stretch of the CommitLog, as (epoch, startOffset) entries. An entry
// ends where the next one starts; the last one ends at the log's end. A master records an entry
// when it takes over; a slave copies its master's entries as the bytes they cover arrive.
//
// File (RocketMQ's CheckpointFile layout, so a RocketMQ 5 store's file reads here too):
//   <entry count>\n<crc32 of the entry lines, 31 bits>\n<epoch>-<startOffset>\n...
// written to `<path>.tmp`, fsynced, renamed over `<path>`, directory fsynced; the previous file
// is kept as `<path>.bak` and read when the main file is torn or fails its checksum.
//
// Entries have strictly increasing epochs and start offsets. An epoch that wrote nothing (its
// start equals the next one's) is replaced by the next rather than kept beside it.

import { crc32 } from '../../common/bytes.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import type { FileIO } from '../io/file-io.js';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/** At most this many entries are kept (the oldest go first); a bound, not a tuning knob. */
export const MAX_EPOCH_ENTRIES = 4096;

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '.' : path.slice(0, slash);
}

function entryLines(entries: readonly EpochEntry[]): string {
  return entries.map((e) => `${e.epoch}-${e.startOffset}\n`).join('');
}

/** CRC32 as RocketMQ's UtilAll.crc32: the low 31 bits. */
function crc31(text: string): number {
  return crc32(Buffer.from(text, 'utf8')) & 0x7fffffff;
}

/** Parses one file's text; a string says why it is not a valid epoch file. */
export function parseEpochFile(text: string): EpochEntry[] | string {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length < 2) return 'shorter than its two header lines';
  const count = Number(lines[0]);
  const crc = Number(lines[1]);
  const body = lines.slice(2);
  if (!Number.isSafeInteger(count) || body.length !== count)
    return `says ${lines[0]} entries, holds ${body.length}`;
  const text2 = body.map((l) => `${l}\n`).join('');
  if (crc !== 0 && crc !== crc31(text2)) return `checksum ${crc} does not match the entries`;
  const entries: EpochEntry[] = [];
  for (const line of body) {
    const match = /^(\d+)-(\d+)$/.exec(line);
    if (match === null) return `bad entry "${line}"`;
    const entry = { epoch: Number(match[1]), startOffset: Number(match[2]) };
    const last = entries.at(-1);
    if (last !== undefined && (entry.epoch <= last.epoch || entry.startOffset < last.startOffset))
      return `entry "${line}" does not follow ${last.epoch}-${last.startOffset}`;
    entries.push(entry);
  }
  return entries;
}

export class EpochFile {
  readonly path: string;
  readonly #io: FileIO;
  #entries: EpochEntry[];

  private constructor(io: FileIO, path: string, entries: EpochEntry[]) {
    this.#io = io;
    this.path = path;
    this.#entries = entries;
  }

  /** Reads the file (or its backup); a missing file is an empty history. */
  static open(io: FileIO, path: string): EpochFile {
    io.mkdirp(dirOf(path));
    const main = EpochFile.#read(io, path);
    if (Array.isArray(main)) return new EpochFile(io, path, main);
    const backup = EpochFile.#read(io, `${path}.bak`);
    if (Array.isArray(backup)) return new EpochFile(io, path, backup);
    if (main === undefined && backup === undefined) return new EpochFile(io, path, []);
    throw new MqError(
      ErrorCode.CORRUPT_RECORD,
      `Epoch file ${path} cannot be read: ${main ?? 'missing'}; its backup: ${backup ?? 'missing'}`,
      { path },
    );
  }

  static #read(io: FileIO, path: string): EpochEntry[] | string | undefined {
    if (!io.exists(path)) return undefined;
    const fd = io.open(path, { create: false, readOnly: true });
    try {
      const buf = Buffer.alloc(io.sizeOf(fd));
      io.read(fd, buf, 0, buf.byteLength, 0);
      return parseEpochFile(buf.toString('utf8'));
    } finally {
      io.close(fd);
    }
  }

  get entries(): readonly EpochEntry[] {
    return this.#entries;
  }

  get lastEpoch(): number {
    return this.#entries.at(-1)?.epoch ?? 0;
  }

  /**
   * Records that `epoch` writes from `startOffset` on. Epochs and offsets never go back (an
   * assertion-grade refusal: E_ROLE_FENCE_STALE); an entry starting where the last one starts
   * replaces it (that epoch wrote nothing). Durable when it returns.
   */
  append(epoch: number, startOffset: number): void {
    const last = this.#entries.at(-1);
    if (last !== undefined && (epoch <= last.epoch || startOffset < last.startOffset)) {
      if (epoch === last.epoch && startOffset === last.startOffset) return;
      throw new MqError(
        ErrorCode.ROLE_FENCE_STALE,
        `Epoch ${epoch} at ${startOffset} does not follow the last entry ${last.epoch} at ${last.startOffset}`,
        { epoch, startOffset, lastEpoch: last.epoch, lastStartOffset: last.startOffset },
      );
    }
    const kept =
      last !== undefined && last.startOffset === startOffset
        ? this.#entries.slice(0, -1)
        : [...this.#entries];
    kept.push({ epoch, startOffset });
    this.#write(kept.slice(-MAX_EPOCH_ENTRIES));
  }

  /** Drops the entries starting at or after `offset` (the log was cut there). */
  truncateFrom(offset: number): void {
    const kept = this.#entries.filter((e) => e.startOffset < offset);
    if (kept.length !== this.#entries.length) this.#write(kept);
  }

  /** Replaces the whole history (a slave adopting its master's, up to its own end). */
  replace(entries: readonly EpochEntry[]): void {
    const same =
      entries.length === this.#entries.length &&
      entries.every(
        (e, i) =>
          e.epoch === this.#entries[i]?.epoch && e.startOffset === this.#entries[i]?.startOffset,
      );
    if (!same) this.#write(entries.slice(-MAX_EPOCH_ENTRIES));
  }

  #write(entries: EpochEntry[]): void {
    const lines = entryLines(entries);
    const text = Buffer.from(`${entries.length}\n${crc31(lines)}\n${lines}`, 'utf8');
    const io = this.#io;
    const temp = `${this.path}.tmp`;
    const fd = io.open(temp, { create: true });
    try {
      io.truncate(fd, 0);
      io.write(fd, text, 0, text.byteLength, 0);
      io.sync(fd);
    } finally {
      io.close(fd);
    }
    if (io.exists(this.path)) io.rename(this.path, `${this.path}.bak`);
    io.rename(temp, this.path);
    io.syncDir(dirOf(this.path));
    this.#entries = entries;
  }
}

/** The entry covering `offset` in a history whose log ends at `endOffset`. */
function endOf(entries: readonly EpochEntry[], index: number, endOffset: number): number {
  return entries[index + 1]?.startOffset ?? endOffset;
}

/**
 * RocketMQ's EpochFileCache.findConsistentPoint: the newest epoch both histories hold with the
 * same start offset; the logs agree up to the smaller of that epoch's two ends. -1 when they
 * share no epoch.
 */
export function findConsistentPoint(
  local: readonly EpochEntry[],
  localEndOffset: number,
  other: readonly EpochEntry[],
  otherEndOffset: number,
): number {
  for (let i = local.length - 1; i >= 0; i--) {
    const mine = local[i]!;
    const j = other.findIndex((e) => e.epoch === mine.epoch);
    if (j < 0 || other[j]!.startOffset !== mine.startOffset) continue;
    return Math.min(endOf(local, i, localEndOffset), endOf(other, j, otherEndOffset));
  }
  return -1;
}

export type EpochDecision =
  | { kind: 'STREAM'; fromOffset: number }
  | { kind: 'TRUNCATE'; toOffset: number; reason: string }
  | { kind: 'REFUSE'; reason: string };

/**
 * Where a joining replica resumes (RocketMQ's AutoSwitch handshake): at its end when its log
 * agrees with the master's up to there, else it cuts to the last common epoch and offset (0 when
 * they share none). A replica that knows a newer epoch than the master's is refused: that master
 * has been deposed.
 */
export function decideEpochStart(
  master: { entries: readonly EpochEntry[]; maxOffset: number; minOffset: number },
  replica: { entries: readonly EpochEntry[]; maxOffset: number },
): EpochDecision {
  const masterEntries = withEpochZero(master.entries);
  const replicaEntries = withEpochZero(replica.entries);
  const masterEpoch = master.entries.at(-1)?.epoch ?? 0;
  const replicaEpoch = replica.entries.at(-1)?.epoch ?? 0;
  if (replicaEpoch > masterEpoch)
    return {
      kind: 'REFUSE',
      reason: `the replica has seen epoch ${replicaEpoch}, newer than this master's ${masterEpoch}`,
    };
  if (replica.maxOffset === 0) return { kind: 'STREAM', fromOffset: master.minOffset };
  const point = findConsistentPoint(
    replicaEntries,
    replica.maxOffset,
    masterEntries,
    master.maxOffset,
  );
  if (point < 0)
    return {
      kind: 'TRUNCATE',
      toOffset: 0,
      reason: 'the replica shares no epoch with the master',
    };
  if (point < replica.maxOffset)
    return {
      kind: 'TRUNCATE',
      toOffset: point,
      reason: `the replica's log after ${point} was written in an epoch the master does not have there`,
    };
  if (replica.maxOffset < master.minOffset)
    return {
      kind: 'TRUNCATE',
      toOffset: 0,
      reason: `the master no longer has offset ${replica.maxOffset} (its oldest is ${master.minOffset})`,
    };
  return { kind: 'STREAM', fromOffset: replica.maxOffset };
}

/**
 * Bytes written before a store's first recorded epoch (before controller mode, or a store that
 * never was master) count as epoch 0 on both sides; the record check of classic HA (the replica's
 * last record against the master's) then guards that stretch.
 */
function withEpochZero(entries: readonly EpochEntry[]): readonly EpochEntry[] {
  const first = entries[0];
  if (first !== undefined && first.startOffset === 0) return entries;
  return [{ epoch: 0, startOffset: 0 }, ...entries];
}

/** The master's entries a replica whose log ends at `endOffset` holds (it copies them). */
export function entriesUpTo(entries: readonly EpochEntry[], endOffset: number): EpochEntry[] {
  return entries.filter((e) => e.startOffset < endOffset);
}
