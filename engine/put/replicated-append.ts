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
import { type RecordStamper, rawChunksOf, readStampedEntry } from './record-stamper.js';

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

export type ApplyStatus = 'OK' | 'ALREADY_APPLIED' | 'OFFSET_MISMATCH' | 'BUSY' | 'FAILED';

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
   * Applies a committed entry at `replicaEnd` (the log's end so far). An entry wholly below it was
   * applied before (a restart replays the Raft log) and is skipped. Returns the new end with the
   * status; BUSY appends nothing (retry later).
   */
  apply(
    pipeline: AppendPipeline,
    entry: Buffer,
    replicaEnd: number,
  ): { status: ApplyStatus; end: number } {
    const stamped = readStampedEntry(entry);
    const end = stamped.commitLogOffset + stamped.length;
    if (end <= replicaEnd) return { status: 'ALREADY_APPLIED', end: replicaEnd };
    if (stamped.previousEnd !== replicaEnd) return { status: 'OFFSET_MISMATCH', end: replicaEnd };
    const chunks = rawChunksOf(entry, stamped, this.#d.chunkBytes);
    const bytes = chunks.reduce((sum, c) => sum + c.bytes.byteLength, 0);
    if (!pipeline.hasRoom(chunks.length, bytes)) return { status: 'BUSY', end: replicaEnd };
    for (const chunk of chunks) {
      // With room checked, a refusal means the pipeline failed: the store is unusable anyway.
      if (!pipeline.submitRaw(chunk.offset, chunk.bytes))
        return { status: 'FAILED', end: replicaEnd };
    }
    this.#d.stamper.applied(stamped);
    return { status: 'OK', end };
  }
}
