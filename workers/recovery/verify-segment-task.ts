// A piscina task: checks one CommitLog segment record by record, with CRCs, from a record boundary
// to its end. Recovery runs one task per segment in parallel, then does the ordered dispatch pass.

import { type SegmentScanResult, scanSegment } from '../../engine/commitlog/segment-scan.js';
import { NodeFileIO } from '../../engine/io/node-file-io.js';
import { SegmentedFile } from '../../engine/mapped/segmented-file.js';
import type { VerifyTask } from '../../engine/recovery/store-recovery.js';

export function verifySegment(task: VerifyTask): SegmentScanResult {
  const file = new SegmentedFile(new NodeFileIO(), task.dir, task.segmentBytes, {
    followsWriter: true,
  });
  file.refresh();
  try {
    return scanSegment(file, task.fromOffset, {
      checkCrc: true,
      maxRecordBytes: task.maxRecordBytes,
    });
  } finally {
    file.close();
  }
}
