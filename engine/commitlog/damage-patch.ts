// Repair of damage in the middle of the CommitLog (repairCorruptRecords=true): only the damaged
// bytes [at, resumeAt) are moved aside, into <root>/damaged/<offset>.bin, and replaced in place by
// records that recovery reads as valid and dispatch skips: a BLANK where the damage runs to the end
// of a segment, else filler records (a rolled-back transaction in topic %DAMAGED%, which gets no
// ConsumeQueue unit and no index entry). Recovery then resynchronises on the valid record at
// resumeAt and keeps everything after it; the queues show a gap where the damaged records were.

import { crc32, offsetToFileName } from '../../common/bytes.js';
import {
  END_FILE_MIN_BLANK_LENGTH,
  encodeBlankRecord,
  encodeRecord,
  recordLength,
  SysFlag,
} from '../../common/message-codec.js';
import type { FileIO } from '../io/file-io.js';
import type { SegmentedFile } from '../mapped/segmented-file.js';

const FILLER_TOPIC = Buffer.from('%DAMAGED%', 'latin1');
const FILLER_SYS_FLAG = SysFlag.TRANSACTION_ROLLBACK;
const HOST = new Uint8Array(8);
/** The smallest filler record: an empty body. */
export const MIN_FILLER_BYTES = recordLength(FILLER_SYS_FLAG, 0, FILLER_TOPIC.byteLength, 0);

export interface DamagePatch {
  atOffset: number;
  /** The first valid record after the damage, where recovery went on. */
  resumedAt: number;
  movedTo: string;
  /** Damaged bytes moved aside (resumedAt - atOffset). */
  bytes: number;
  reason: string;
}

/** Whether [at, resumeAt) can be patched over (a filler needs MIN_FILLER_BYTES where it goes). */
export function canPatch(file: SegmentedFile, at: number, resumeAt: number): boolean {
  const resumeSegment = file.segmentStartOf(resumeAt);
  const tailInResumeSegment = resumeAt - Math.max(at, resumeSegment);
  const fits = (n: number) => n === 0 || n >= MIN_FILLER_BYTES;
  if (file.segmentStartOf(at) === resumeSegment) return fits(resumeAt - at);
  return fits(tailInResumeSegment);
}

export function patchDamage(
  io: FileIO,
  file: SegmentedFile,
  damagedDir: string,
  at: number,
  resumeAt: number,
  reason: string,
): DamagePatch {
  const movedTo = `${damagedDir}/${offsetToFileName(at)}.bin`;
  copyAside(io, file, damagedDir, movedTo, at, resumeAt);
  for (let offset = at; offset < resumeAt; ) {
    const segmentEnd = file.segmentStartOf(offset) + file.segmentBytes;
    if (resumeAt >= segmentEnd) {
      // The damage runs to the end of this segment: a BLANK says "go on at the next segment".
      const blank = Buffer.alloc(END_FILE_MIN_BLANK_LENGTH);
      encodeBlankRecord(blank, 0, segmentEnd - offset);
      file.write(offset, blank, 0, blank.byteLength);
      offset = segmentEnd;
      continue;
    }
    writeFillers(file, offset, resumeAt);
    offset = resumeAt;
  }
  file.sync(at, resumeAt);
  return { atOffset: at, resumedAt: resumeAt, movedTo, bytes: resumeAt - at, reason };
}

/** Filler records exactly covering [from, to) (within one segment), each at most 64 KiB. */
function writeFillers(file: SegmentedFile, from: number, to: number): void {
  const maxFillerBytes = 64 * 1024;
  for (let offset = from; offset < to; ) {
    let size = Math.min(to - offset, maxFillerBytes);
    // Never leave a remainder too small for one more filler.
    if (to - offset - size > 0 && to - offset - size < MIN_FILLER_BYTES) size -= MIN_FILLER_BYTES;
    const body = Buffer.alloc(size - MIN_FILLER_BYTES);
    const record = Buffer.alloc(size);
    encodeRecord(record, 0, {
      bodyCrc: crc32(body),
      queueId: 0,
      flag: 0,
      queueOffset: 0,
      commitLogOffset: offset,
      sysFlag: FILLER_SYS_FLAG,
      bornTimestamp: 0,
      bornHost: HOST,
      storeTimestamp: 0,
      storeHost: HOST,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      body,
      topic: FILLER_TOPIC,
      properties: Buffer.alloc(0),
    });
    file.write(offset, record, 0, size);
    offset += size;
  }
}

/** Copies [from, to) into `movedTo`, leaving zero runs as holes; fdatasyncs it. */
function copyAside(
  io: FileIO,
  file: SegmentedFile,
  damagedDir: string,
  movedTo: string,
  from: number,
  to: number,
): void {
  io.mkdirp(damagedDir);
  const fd = io.open(movedTo, { create: true });
  io.truncate(fd, 0);
  const chunk = Buffer.allocUnsafe(Math.min(16 * 1024 * 1024, Math.max(1, to - from)));
  for (let offset = from; offset < to; ) {
    const length = Math.min(
      chunk.byteLength,
      to - offset,
      file.segmentStartOf(offset) + file.segmentBytes - offset,
    );
    const n = file.read(offset, chunk, 0, length);
    if (chunk.subarray(0, n).some((b) => b !== 0)) io.write(fd, chunk, 0, n, offset - from);
    offset += length;
  }
  io.truncate(fd, to - from);
  io.sync(fd);
  io.close(fd);
  io.syncDir(damagedDir);
}
