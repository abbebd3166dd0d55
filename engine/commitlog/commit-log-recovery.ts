// CommitLog recovery at open (RocketMQ: CommitLog.recoverNormally / recoverAbnormally).
// Scans from a known record boundary, checking every record, and finds the end of the valid log.
// Where the scan stops, it decides between a torn tail (nothing valid after it, nothing durable cut:
// cut it) and damage in the middle of the log (a valid record follows, or the stop is below the
// fsynced offset: refuse to start with E_CORRUPT_RECORD, unless repair moves the bytes aside).
// Repair moves aside only the damaged bytes up to the next valid record, patches over them and
// goes on scanning from that record (damage-patch.ts); only when no valid record follows is
// everything from the damage on moved aside and cut.

import { offsetToFileName } from '../../common/bytes.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import type { RecordLayout } from '../../common/message-codec.js';
import { makeDirsDurable } from '../io/durable-dirs.js';
import type { FileIO } from '../io/file-io.js';
import type { SegmentedFile } from '../mapped/segmented-file.js';
import { canPatch, type DamagePatch, patchDamage } from './damage-patch.js';
import {
  findValidRecordAfter,
  ScanStop,
  type SegmentScanResult,
  scanSegment,
} from './segment-scan.js';

export interface CommitLogRecoveryOptions {
  /** A record boundary known to be preceded only by valid, durable records. */
  scanFromOffset: number;
  /** Everything below this was fdatasync'ed; damage below it is never a torn tail. */
  durableOffset: number;
  checkCrc: boolean;
  maxRecordBytes: number;
  repair: boolean;
  damagedDir: string;
  /** CRC-checked scans of the segments, by segment start, done ahead (in parallel) by the caller. */
  verified?: ReadonlyMap<number, SegmentScanResult>;
}

export interface CommitLogRecoveryResult {
  endOffset: number;
  scannedFromOffset: number;
  recordCount: number;
  lastStoreTimestamp: number;
  /** Bytes cut from a torn tail (0 when the log ended cleanly). */
  tornTail: { atOffset: number; reason: string } | undefined;
  /** Where damaged bytes were moved when repairing (the first repair; all are in `repairs`). */
  repaired: { atOffset: number; movedTo: string; bytes: number; reason: string } | undefined;
  /** Every damaged range patched over, recovery resuming after each. */
  repairs: DamagePatch[];
}

export function recoverCommitLog(
  io: FileIO,
  file: SegmentedFile,
  options: CommitLogRecoveryOptions,
  onRecord: (buf: Buffer, pos: number, layout: RecordLayout) => void,
): CommitLogRecoveryResult {
  const result: CommitLogRecoveryResult = {
    endOffset: 0,
    scannedFromOffset: 0,
    recordCount: 0,
    lastStoreTimestamp: 0,
    tornTail: undefined,
    repaired: undefined,
    repairs: [],
  };
  const segments = file.segments();
  const last = segments.at(-1);
  if (last === undefined) return result;
  let offset = Math.min(
    Math.max(options.scanFromOffset, file.minOffset()),
    last + file.segmentBytes,
  );
  result.scannedFromOffset = offset;
  for (;;) {
    const ahead = options.verified?.get(file.segmentStartOf(offset));
    // After a repair the scan goes on past where the check done ahead stopped: scan it here.
    const verified = ahead !== undefined && ahead.endOffset >= offset ? ahead : undefined;
    const scan = scanSegment(
      file,
      offset,
      verified === undefined
        ? { checkCrc: options.checkCrc, maxRecordBytes: options.maxRecordBytes }
        : {
            checkCrc: false,
            maxRecordBytes: options.maxRecordBytes,
            stopAtOffset: verified.endOffset,
          },
      onRecord,
    );
    if (verified !== undefined && scan.endOffset === verified.endOffset) {
      scan.stop = verified.stop;
      scan.reason = verified.reason;
    }
    result.recordCount += scan.recordCount;
    if (scan.recordCount > 0) result.lastStoreTimestamp = scan.lastStoreTimestamp;
    offset = scan.endOffset;
    if (scan.stop === ScanStop.BLANK || scan.stop === ScanStop.SEGMENT_END) {
      if (!file.hasSegment(offset)) break;
      continue;
    }
    const resumeAt = settleStop(io, file, options, offset, scan.reason, result);
    if (resumeAt === undefined) break;
    offset = resumeAt;
  }
  result.endOffset = offset;
  file.truncateFrom(offset);
  return result;
}

/** Decides what a scan stop means; returns where to go on scanning after a repair, else undefined. */
function settleStop(
  io: FileIO,
  file: SegmentedFile,
  options: CommitLogRecoveryOptions,
  at: number,
  reason: string,
  result: CommitLogRecoveryResult,
): number | undefined {
  const validAfter = findValidRecordAfter(file, at, options.maxRecordBytes);
  const belowDurable = at < options.durableOffset;
  if (
    validAfter !== undefined &&
    !belowDurable &&
    isUnflushedHole(file, at, validAfter, options.maxRecordBytes)
  ) {
    // After a power loss the page cache may have written back the next segment but not the end
    // of this one: zeros (after at most one torn record) up to the segment end, above the fsynced
    // offset. Nothing from here on was fdatasync'ed, so it is a torn tail, not damage; its bytes
    // are kept in damagedDir.
    result.tornTail = {
      atOffset: at,
      reason: `${reason}; unflushed records follow at ${validAfter}`,
    };
    result.repaired = moveAside(io, file, options.damagedDir, at, reason);
    return;
  }
  if (validAfter === undefined && !belowDurable) {
    // Zeros where the next record would start are the normal end of the log, not a torn record.
    const header = Buffer.alloc(8);
    const n = file.read(
      at,
      header,
      0,
      Math.min(8, file.segmentStartOf(at) + file.segmentBytes - at),
    );
    if (n < 8 || !header.equals(Buffer.alloc(8))) result.tornTail = { atOffset: at, reason };
    return undefined;
  }
  const segmentPath = file.pathOf(file.segmentStartOf(at));
  const why = belowDurable
    ? `it lies below the fsynced offset ${options.durableOffset}`
    : `a valid record follows at offset ${validAfter}`;
  if (!options.repair) {
    throw new MqError(
      ErrorCode.CORRUPT_RECORD,
      `Corrupt CommitLog record at offset ${at} in "${segmentPath}" (position ${at - file.segmentStartOf(at)}): ${reason}; ${why}. Start with repairCorruptRecords to move the damaged bytes aside`,
      {
        offset: at,
        file: segmentPath,
        reason,
        validRecordAfter: validAfter ?? null,
        durableOffset: options.durableOffset,
      },
    );
  }
  if (validAfter !== undefined && canPatch(file, at, validAfter)) {
    const patch = patchDamage(io, file, options.damagedDir, at, validAfter, reason);
    result.repairs.push(patch);
    result.repaired ??= patch;
    return validAfter;
  }
  const moved = moveAside(io, file, options.damagedDir, at, reason);
  result.repaired ??= moved;
  result.repairs.push({ ...moved, resumedAt: at });
  return undefined;
}

/**
 * True when the valid record found after `at` lies in a later segment and this segment holds only
 * zeros after the (possibly torn) record at `at`: the shape a power loss leaves, unlike a bit flip.
 */
function isUnflushedHole(
  file: SegmentedFile,
  at: number,
  validAfter: number,
  maxRecordBytes: number,
): boolean {
  const segmentEnd = file.segmentStartOf(at) + file.segmentBytes;
  if (validAfter < segmentEnd) return false;
  const header = Buffer.alloc(4);
  file.read(at, header, 0, 4);
  const declared = header.readInt32BE(0);
  const torn = declared > 0 && declared <= maxRecordBytes ? declared : 8;
  const chunk = Buffer.alloc(64 * 1024);
  for (let offset = Math.min(at + torn, segmentEnd); offset < segmentEnd; ) {
    const n = file.read(offset, chunk, 0, Math.min(chunk.byteLength, segmentEnd - offset));
    if (n === 0) break;
    if (chunk.subarray(0, n).some((b) => b !== 0)) return false;
    offset += n;
  }
  return true;
}

/** Copies every byte from `at` to the end of the last segment into damagedDir before the cut. */
export function moveAside(
  io: FileIO,
  file: SegmentedFile,
  damagedDir: string,
  at: number,
  reason: string,
): NonNullable<CommitLogRecoveryResult['repaired']> {
  makeDirsDurable(io, damagedDir);
  const movedTo = `${damagedDir}/${offsetToFileName(at)}.bin`;
  const fd = io.open(movedTo, { create: true });
  io.truncate(fd, 0);
  const chunk = Buffer.allocUnsafe(16 * 1024 * 1024);
  const zeros = Buffer.alloc(chunk.byteLength);
  const end = (file.segments().at(-1) ?? 0) + file.segmentBytes;
  let written = 0;
  for (let offset = at; offset < end; ) {
    const length = Math.min(
      chunk.byteLength,
      file.segmentStartOf(offset) + file.segmentBytes - offset,
    );
    const n = file.read(offset, chunk, 0, length);
    // Zero chunks are left as holes: a 1 GiB segment's unused tail costs nothing.
    if (!chunk.subarray(0, n).equals(zeros.subarray(0, n))) {
      io.write(fd, chunk, 0, n, offset - at);
      written = offset - at + n;
    }
    offset += length;
  }
  io.sync(fd);
  io.close(fd);
  io.syncDir(damagedDir);
  return { atOffset: at, movedTo, bytes: written, reason };
}
