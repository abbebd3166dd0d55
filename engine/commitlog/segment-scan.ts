// Walks the records of one CommitLog segment from a known record boundary, checking each one
// (magic, lengths, stored physical offset == position, and BODYCRC when asked). Used by recovery,
// in-thread or on a piscina worker. Reads in chunks so a 1 GiB segment never sits in memory.

import { assert } from '../../common/assert.js';
import {
  checkRecord,
  emptyLayout,
  RecordCheck,
  type RecordLayout,
} from '../../common/message-codec.js';
import type { SegmentedFile } from '../mapped/segmented-file.js';

export const ScanStop = {
  BLANK: 'BLANK',
  SEGMENT_END: 'SEGMENT_END',
  INVALID: 'INVALID',
  TRUNCATED: 'TRUNCATED',
} as const;
export type ScanStop = (typeof ScanStop)[keyof typeof ScanStop];

export interface SegmentScanResult {
  /** Offset after the last valid record (or the segment end after a BLANK). */
  endOffset: number;
  stop: ScanStop;
  reason: string;
  recordCount: number;
  lastStoreTimestamp: number;
}

const FIRST_READ_EXTRA_BYTES = 1024 * 1024;

export interface ScanOptions {
  checkCrc: boolean;
  maxRecordBytes: number;
  chunkBytes?: number;
  /** Stop here (an offset another pass already found to be where valid records end). */
  stopAtOffset?: number;
}

/**
 * Scans [fromOffset, segment end). `onRecord` sees each valid record in a buffer that is reused:
 * it must copy what it keeps.
 */
export function scanSegment(
  file: SegmentedFile,
  fromOffset: number,
  options: ScanOptions,
  onRecord?: (buf: Buffer, pos: number, layout: RecordLayout) => void,
): SegmentScanResult {
  const segmentStart = file.segmentStartOf(fromOffset);
  const segmentEnd = segmentStart + file.segmentBytes;
  const chunkBytes = Math.max(options.chunkBytes ?? 16 * 1024 * 1024, options.maxRecordBytes + 64);
  const buf = Buffer.allocUnsafe(Math.min(chunkBytes, file.segmentBytes));
  const layout = emptyLayout();
  const result: SegmentScanResult = {
    endOffset: fromOffset,
    stop: ScanStop.SEGMENT_END,
    reason: '',
    recordCount: 0,
    lastStoreTimestamp: 0,
  };
  // The first read holds one largest record and a little more, not a whole chunk: a scan that
  // starts at the end of the log (every open after a clean close) then reads 5 MB, not 16 MB.
  const firstRead = Math.min(buf.byteLength, options.maxRecordBytes + 64 + FIRST_READ_EXTRA_BYTES);
  let chunkStart = fromOffset;
  let chunkLength = file.read(chunkStart, buf, 0, Math.min(firstRead, segmentEnd - chunkStart));
  let offset = fromOffset;
  while (offset < segmentEnd) {
    if (options.stopAtOffset !== undefined && offset >= options.stopAtOffset) {
      return {
        ...result,
        endOffset: offset,
        stop: ScanStop.INVALID,
        reason: 'stopped where verification stopped',
      };
    }
    let pos = offset - chunkStart;
    if (offset > chunkStart && chunkStart + chunkLength < segmentEnd) {
      const size = pos + 4 <= chunkLength ? buf.readInt32BE(pos) : 0;
      const partial = size > 0 && size <= options.maxRecordBytes && pos + size > chunkLength;
      if (pos + 8 > chunkLength || partial) {
        chunkStart = offset;
        chunkLength = file.read(
          chunkStart,
          buf,
          0,
          Math.min(buf.byteLength, segmentEnd - chunkStart),
        );
        pos = 0;
      }
    }
    const available = chunkLength - pos;
    const { check, reason } = checkRecord(
      buf,
      pos,
      {
        available,
        expectedCommitLogOffset: offset,
        checkCrc: options.checkCrc,
        maxRecordBytes: options.maxRecordBytes,
      },
      layout,
    );
    if (check === RecordCheck.BLANK) {
      if (offset + layout.totalSize !== segmentEnd)
        return {
          ...result,
          endOffset: offset,
          stop: ScanStop.INVALID,
          reason: `blank record of ${layout.totalSize} bytes does not end the segment`,
        };
      return { ...result, endOffset: segmentEnd, stop: ScanStop.BLANK };
    }
    if (check !== RecordCheck.OK) {
      const stop = check === RecordCheck.TRUNCATED ? ScanStop.TRUNCATED : ScanStop.INVALID;
      return { ...result, endOffset: offset, stop, reason };
    }
    onRecord?.(buf, pos, layout);
    result.recordCount++;
    result.lastStoreTimestamp = layout.storeTimestamp;
    offset += layout.totalSize;
    result.endOffset = offset;
  }
  assert(offset === segmentEnd, 'scan: walked past the segment end');
  return result;
}

/**
 * After a scan stopped at `fromOffset`: is there any valid record later in the log? A valid record
 * is one whose magic, lengths, stored physical offset (== its position) and CRC all check out.
 * Finding one means the damage is in the middle of the log, not a torn tail.
 */
export function findValidRecordAfter(
  file: SegmentedFile,
  fromOffset: number,
  maxRecordBytes: number,
): number | undefined {
  const magic = Buffer.from([0xda, 0xa3, 0x20, 0xa7]);
  const layout = emptyLayout();
  const chunk = Buffer.allocUnsafe(Math.max(16 * 1024 * 1024, maxRecordBytes * 2 + 64));
  for (const segment of file.segments()) {
    if (segment + file.segmentBytes <= fromOffset) continue;
    // Past the written bytes lie only zeros: no record starts there. One that starts before and
    // runs into them (a zero body) is read whole.
    const written = file.writtenBound(Math.max(segment, fromOffset));
    const segmentEnd = Math.min(segment + file.segmentBytes, written + maxRecordBytes + 64);
    let chunkStart = Math.max(segment, fromOffset + 1);
    while (chunkStart < segmentEnd) {
      const length = file.read(
        chunkStart,
        chunk,
        0,
        Math.min(chunk.byteLength, segmentEnd - chunkStart),
      );
      let at = chunk.indexOf(magic, 4);
      while (at !== -1 && at < length) {
        const pos = at - 4;
        const { check } = checkRecord(
          chunk,
          pos,
          {
            available: length - pos,
            expectedCommitLogOffset: chunkStart + pos,
            checkCrc: true,
            maxRecordBytes,
          },
          layout,
        );
        if (check === RecordCheck.OK) return chunkStart + pos;
        at = chunk.indexOf(magic, at + 1);
      }
      if (chunkStart + length >= segmentEnd) break;
      chunkStart += Math.max(1, length - maxRecordBytes - 64);
    }
  }
  return undefined;
}
