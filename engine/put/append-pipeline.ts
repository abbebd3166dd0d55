// The write side of a store as the facade sees it: in-thread (engine/put/in-thread-pipeline.ts) or
// on worker threads behind rings (workers/host/worker-pipeline.ts). Both feed the same PutTracker.

import type { MessageEncoder } from './message-encoder.js';

export interface RingOccupancy {
  ring: string;
  usedBytes: number;
  capacityBytes: number;
}

export interface AppendPipeline {
  /** Room for `count` more records of `bytes` in total, right now. */
  hasRoom(count: number, bytes: number): boolean;
  /**
   * Hands over the message `encoder` last prepared (`length` bytes). False when it did not fit after
   * all (the put was not taken and must be untracked).
   */
  submit(encoder: MessageEncoder, length: number): boolean;
  /**
   * Replicated CommitLog bytes (the parts, back to back), which must continue the log exactly.
   * False when full.
   */
  submitRaw(commitLogOffset: number, parts: readonly Buffer[]): boolean;
  /** Physical offsets of messages indexed under topic#key, newest first. */
  queryIndex(
    topic: string,
    key: string,
    maxNum: number,
    beginTimestamp: number,
    endTimestamp: number,
  ): Promise<number[]>;
  /** Bytes in use in each ring between the threads, for metrics (none when in-thread). */
  ringOccupancy?(): readonly RingOccupancy[];
  /** Why the pipeline stopped accepting writes, once it has. */
  readonly failure: string | undefined;
  /** Writes, flushes and checkpoints everything, then releases its resources. */
  close(): Promise<void>;
}
