// What the main thread hands the store's worker threads at spawn (structured-cloned; the
// SharedArrayBuffers are shared, not copied), and the record types of the store's rings.

import type { MessagePort } from 'node:worker_threads';
import type { StoreOptions } from '../../engine/options.js';

/** Append ring (main -> writer): one encoded stored record per record; flags = AppendFlag bits. */
export const APPEND_RECORD = 1;
/** Append ring, a slave's replicated bytes: [commitLogOffset f64][raw CommitLog bytes]. */
export const RAW_RECORD = 2;
export const RAW_HEADER_BYTES = 8;
/** Completion ring (writer -> main): [count u32][pad u32] then count x (queueOffset f64, commitLogOffset f64). */
export const COMPLETION_RECORD = 1;
export const COMPLETION_HEADER_BYTES = 8;
export const COMPLETION_PAIR_BYTES = 16;
/** Completion ring: a queue grew from replicated records: [queueId u32][pad u32][maxOffset f64][topic latin1]. */
export const QUEUE_ADVANCED_RECORD = 2;
export const QUEUE_ADVANCED_HEADER_BYTES = 16;
/** Most completions in one completion-ring record. */
export const COMPLETIONS_PER_RECORD = 4096;

export interface QueueState {
  topic: string;
  queueId: number;
  maxOffset: number;
  minOffset: number;
  maxPhysicOffset: number;
}

/**
 * A module (URL or absolute path) exporting `createFileIO(): FileIO`, used by a worker instead of
 * node:fs (tests inject a fault-injecting file layer this way); node:fs when absent.
 */
export type FileIoModule = string | undefined;

export interface WriterWorkerData {
  options: StoreOptions;
  fileIoModule: FileIoModule;
  endOffset: number;
  lastStoreTimestamp: number;
  queues: QueueState[];
  appendRing: SharedArrayBuffer;
  completionRing: SharedArrayBuffer;
  positions: SharedArrayBuffer;
  tailCache: SharedArrayBuffer;
  queryPort: MessagePort;
}

export interface FlushWorkerData {
  options: StoreOptions;
  fileIoModule: FileIoModule;
  positions: SharedArrayBuffer;
}

export interface IndexQuery {
  id: number;
  topic: string;
  key: string;
  maxNum: number;
  beginTimestamp: number;
  endTimestamp: number;
}

export type IndexQueryReply = { id: number; offsets: number[] } | { id: number; error: string };

/** The writer's storage fault (or NONE once writes succeed again), sent on the query port. */
export interface StorageFaultNotice {
  storageFault: number;
  message: string;
}
