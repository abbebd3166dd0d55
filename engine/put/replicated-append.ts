// Replication as a strategy of the append pipeline (DLedger mode): encode -> stamp -> replicate
// (Raft: propose -> commit) -> apply through the raw-append path a slave uses. The leader's own
// store applies its entries the same way as every follower, so the CommitLogs are byte-identical
// and a ConsumeQueue only ever holds committed messages.
//
// The engine knows nothing of Raft: a LogReplicator (ha/dledger/) takes stamped entries and calls
// applyStamped() on every replica, in log order, for each committed one.

import { assert } from '../../common/assert.js';
import { createOffsetMessageId } from '../../common/message-codec.js';
import type { AppendPipeline } from './append-pipeline.js';
import { type PutResult, PutStatus, type PutWrittenStatus } from './put-result.js';
import {
  type RecordStamper,
  rawChunksOf,
  readStampedEntry,
  STAMPED_HEADER_BYTES,
  type StampedRecord,
} from './record-stamper.js';

export interface ReplicateOutcome {
  committed: boolean;
  /** False when the entry was refused before it entered the log (it will never be applied). */
  appended: boolean;
  reason: string;
}

export interface LogReplicator {
  /** Replicates a stamped entry; `settle` is called once, synchronously when refused outright. */
  replicate(entry: Buffer, settle: (outcome: ReplicateOutcome) => void): void;
}

export type ApplyStatus = 'OK' | 'OFFSET_MISMATCH' | 'BUSY' | 'FAILED';

export interface ReplicatedAppendDeps {
  replicator: LogReplicator;
  stamper: RecordStamper;
  storeHost: Uint8Array;
  /** Bound on puts proposed and not yet settled (maxPendingPuts). */
  maxInFlight: number;
  /** Largest raw chunk handed to the pipeline (a BLANK record is split into chunks this big). */
  chunkBytes: number;
}

export class ReplicatedAppend {
  #d: ReplicatedAppendDeps;
  #inFlight = 0;
  /** A proposal failed after entering the log: stamping stops until the next role change. */
  #broken: string | undefined;
  #refusedLater = false;

  constructor(deps: ReplicatedAppendDeps) {
    this.#d = deps;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Why puts are refused until the next role change (or until nothing is in flight), if they are. */
  get brokenReason(): string | undefined {
    if (this.#refusedLater) return 'a replicated put was refused; waiting for puts in flight';
    return this.#broken;
  }

  hasRoom(count: number): boolean {
    return this.#inFlight + count <= this.#d.maxInFlight;
  }

  /** A role change: forget what this node proposed; the next leader term starts from the applied log. */
  reset(): void {
    this.#d.stamper.reset();
    this.#broken = undefined;
    this.#refusedLater = false;
  }

  /** `entry` holds an encoded, unstamped record after the stamp header. */
  put(entry: Buffer, uniqKey: string, nowMs: number): Promise<PutResult> {
    assert(this.#broken === undefined, 'replicated append: put while broken');
    const stamped = this.#d.stamper.stamp(entry, nowMs);
    this.#inFlight++;
    return new Promise((resolve) => {
      let submitting = true;
      this.#d.replicator.replicate(entry, (outcome) => {
        this.#inFlight--;
        const written = (status: PutWrittenStatus): PutResult => ({
          status,
          msgId: createOffsetMessageId(this.#d.storeHost, stamped.commitLogOffset),
          uniqKey,
          queueOffset: stamped.queueOffset,
          commitLogOffset: stamped.commitLogOffset,
          wroteBytes: stamped.length,
        });
        if (outcome.committed) {
          resolve(written(PutStatus.PUT_OK));
          return;
        }
        if (submitting && !outcome.appended) this.#d.stamper.undoLast();
        else if (outcome.appended)
          this.#broken ??= `a replicated put failed after it was proposed: ${outcome.reason}`;
        else this.#refusedLater = true;
        // A later refusal (nothing appended) left a hole in the stamped offsets: stamping waits
        // until nothing is in flight, when the applied log is again the whole truth.
        if (this.#refusedLater && this.#inFlight === 0 && this.#broken === undefined) {
          this.#d.stamper.reset();
          this.#refusedLater = false;
        }
        // In the log but not committed: it may still commit under the next leader, so the answer
        // is "stored, not confirmed" with the offsets it was stamped with (clients do not resend
        // it by default), never a definite failure.
        if (outcome.appended) resolve(written(PutStatus.FLUSH_SLAVE_TIMEOUT));
        else resolve({ status: PutStatus.SERVICE_NOT_AVAILABLE, reason: outcome.reason });
      });
      submitting = false;
    });
  }

  /**
   * Applies committed entries, in log order, at `replicaEnd` (the log's end so far). An entry
   * wholly below it was applied before (a restart replays the Raft log) and is skipped. Records
   * that continue each other go to the pipeline together, up to chunkBytes at a time. Returns the
   * new end with the status; on BUSY the entries up to `end` are applied and the rest are not
   * (retry them later).
   */
  apply(
    pipeline: AppendPipeline,
    entries: readonly Buffer[],
    replicaEnd: number,
  ): { status: ApplyStatus; end: number } {
    const run = new RawRun(pipeline, this.#d.stamper, this.#d.chunkBytes, replicaEnd);
    for (const entry of entries) {
      const stamped = readStampedEntry(entry);
      const end = stamped.commitLogOffset + stamped.length;
      if (end <= run.end) continue;
      // The record continues the log, or the BLANK record before it does (a BUSY retry may find
      // that BLANK applied already).
      if (stamped.commitLogOffset !== run.end) {
        if (stamped.previousEnd !== run.end) return run.finish('OFFSET_MISMATCH');
        const chunks = rawChunksOf(entry, stamped, this.#d.chunkBytes);
        const status = run.closeSegment(chunks.slice(0, -1));
        if (status !== 'OK') return run.finish(status);
      }
      const status = run.add(stamped, entry.subarray(STAMPED_HEADER_BYTES));
      if (status !== 'OK') return run.finish(status);
    }
    return run.finish('OK');
  }
}

/**
 * Contiguous records gathered into one raw submission. The stamper hears of a record only once
 * the submission that holds it is taken, so `end` is always what the pipeline has.
 */
class RawRun {
  #parts: Buffer[] = [];
  #records: StampedRecord[] = [];
  #bytes = 0;
  /** Where the gathered records start: the end of what the pipeline has. */
  #start: number;

  readonly #pipeline: AppendPipeline;
  readonly #stamper: RecordStamper;
  readonly #maxBytes: number;

  constructor(
    pipeline: AppendPipeline,
    stamper: RecordStamper,
    maxBytes: number,
    replicaEnd: number,
  ) {
    this.#pipeline = pipeline;
    this.#stamper = stamper;
    this.#maxBytes = maxBytes;
    this.#start = replicaEnd;
  }

  /** The end of the log counting the records gathered, not yet submitted. */
  get end(): number {
    return this.#start + this.#bytes;
  }

  add(stamped: StampedRecord, record: Buffer): ApplyStatus {
    if (this.#bytes > 0 && this.#bytes + record.byteLength > this.#maxBytes) {
      const status = this.#submit();
      if (status !== 'OK') return status;
    }
    assert(stamped.commitLogOffset === this.end, 'replicated append: a run with a gap');
    this.#parts.push(record);
    this.#records.push(stamped);
    this.#bytes += record.byteLength;
    return 'OK';
  }

  /** The BLANK record closing a segment, in one or more chunks: all of them or none. */
  closeSegment(chunks: ReadonlyArray<{ offset: number; bytes: Buffer }>): ApplyStatus {
    const status = this.#submit();
    if (status !== 'OK') return status;
    const bytes = chunks.reduce((sum, c) => sum + c.bytes.byteLength, 0);
    if (!this.#pipeline.hasRoom(chunks.length, bytes)) return 'BUSY';
    for (const chunk of chunks)
      if (!this.#pipeline.submitRaw(chunk.offset, [chunk.bytes])) return 'FAILED';
    this.#start += bytes;
    return 'OK';
  }

  /** Submits what is gathered unless the pipeline just refused it; `status` is the entries' own. */
  finish(status: ApplyStatus): { status: ApplyStatus; end: number } {
    if (status === 'OK' || status === 'OFFSET_MISMATCH') {
      const submitted = this.#submit();
      if (submitted !== 'OK') return { status: submitted, end: this.#start };
    }
    return { status, end: this.#start };
  }

  #submit(): ApplyStatus {
    if (this.#bytes === 0) return 'OK';
    if (!this.#pipeline.hasRoom(1, this.#bytes)) return 'BUSY';
    // With room checked, a refusal means the pipeline failed: the store is unusable anyway.
    if (!this.#pipeline.submitRaw(this.#start, this.#parts)) return 'FAILED';
    for (const record of this.#records) this.#stamper.applied(record);
    this.#start += this.#bytes;
    this.#parts = [];
    this.#records = [];
    this.#bytes = 0;
    return 'OK';
  }
}
