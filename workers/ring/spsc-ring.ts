// Single-producer single-consumer byte ring over a SharedArrayBuffer (layout in ring-layout.ts).
//
// One thread produces (reserve/commit or tryWrite), one thread consumes (drain); each side may
// also wait for the other. The fast path is wait-free and allocates nothing: a producer encodes
// straight into `bytes`/`buffer`/`view` at the index reserve() returns, and a consumer reads the
// payload in place inside its drain() visitor.
//
// Memory ordering (JS Atomics are sequentially consistent; plain typed-array accesses are not):
// - The producer writes the record header and payload with plain stores, then publishes them with
//   Atomics.store(tail). The consumer reads tail with Atomics.load before it reads any header or
//   payload byte. The SeqCst store/load pair gives happens-before, so every byte in [head, tail)
//   is complete when the consumer reads it.
// - The consumer stores head (Atomics.store) only after its visitor is done with the released
//   bytes, and the producer loads head (Atomics.load) before it writes over them. So the producer
//   never overwrites bytes that are still being read.
// - head is written only by the consumer and tail only by the producer: no read-modify-write is
//   needed on the fast path, only one load and one store per side.
//
// Sleeping without lost wake-ups (the classic race: a waiter checks, finds nothing, and sleeps
// just after the other side published and decided not to notify):
// - A waiter stores waiting = 1, reads the signal word, re-checks its condition, and only then
//   calls Atomics.wait(signal, seenValue). The other side publishes (store tail or head) and then
//   loads waiting; only when it reads 1 does it clear the flag, bump the signal word and notify.
// - All four accesses are SeqCst, so they have one total order. If the publisher read waiting = 0,
//   its publish came before the waiter's store of 1, hence before the waiter's re-check, which
//   then sees the new position and does not sleep. If it read 1, it bumps the signal after the
//   waiter read it: Atomics.wait then either finds a changed value and returns at once, or is
//   already queued and is woken by the notify (the value check and the queueing are atomic with
//   respect to notify). close() and fail() store the state and then bump both signals, which is
//   the same argument with the state word in place of the position.
// - So a busy pipeline pays one extra load per commit and per drain, and no notify at all.
// - A producer on an event loop may defer that load and wake to a microtask (deferWakes): the
//   check then runs after every record the current task commits, still after their tail stores,
//   so the argument above holds, and a sleeping consumer costs one notify per task, not per put.
//
// A pending Atomics.waitAsync does not keep a Node process alive by itself: callers that await
// waitForDataAsync / waitForSpaceAsync keep a ref'd handle (the worker, or a timer) meanwhile.

import { assert } from '../../common/assert.js';
import {
  CAPACITY_WORD,
  DATA_SIGNAL_WORD,
  DATA_WAITING_WORD,
  HEAD_WORD,
  isValidCapacity,
  MAGIC_WORD,
  maxPayloadBytesFor,
  RECORD_ALIGN_BYTES,
  RECORD_FLAGS_MAX,
  RECORD_FLAGS_OFFSET,
  RECORD_HEADER_BYTES,
  RECORD_PAYLOAD_BYTES_OFFSET,
  RECORD_TYPE_MAX,
  RECORD_TYPE_MIN,
  RECORD_TYPE_OFFSET,
  RECORD_TYPE_WRAP,
  RING_HEADER_BYTES,
  RING_MAGIC,
  RingStateWord,
  recordBytesFor,
  SPACE_SIGNAL_WORD,
  SPACE_WAITING_WORD,
  STATE_WORD,
  TAIL_WORD,
} from './ring-layout.js';

export const RingStatus = { OK: 'OK', RING_FULL: 'RING_FULL', RING_CLOSED: 'RING_CLOSED' } as const;
export type RingStatus = (typeof RingStatus)[keyof typeof RingStatus];

export const RingState = {
  OPEN: 'OPEN',
  CLOSING: 'CLOSING',
  CLOSED: 'CLOSED',
  FAILED: 'FAILED',
} as const;
export type RingState = (typeof RingState)[keyof typeof RingState];

/** Called once per record by drain(); the payload is `bytes[payloadIndex, +payloadBytes)`. */
export type RecordVisitor = (
  type: number,
  flags: number,
  payloadIndex: number,
  payloadBytes: number,
) => void;

// Outcome of a wait condition check.
const READY = 1;
const NOT_YET = 0;
const NEVER = -1;

// What a wait loop waits for.
const FOR_DATA = 0;
const FOR_SPACE = 1;

type WaitAsyncResult =
  | { async: false; value: 'not-equal' | 'timed-out' }
  | { async: true; value: Promise<'ok' | 'timed-out'> };
interface AtomicsWithWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): WaitAsyncResult;
}
// Node 20 has Atomics.waitAsync; the es2023 lib we compile against does not declare it yet.
const atomicsAsync = Atomics as unknown as AtomicsWithWaitAsync;
assert(typeof atomicsAsync.waitAsync === 'function', 'ring: Atomics.waitAsync is required');

const stateNames: readonly RingState[] = ['OPEN', 'CLOSING', 'CLOSED', 'FAILED'];

export class SpscRing {
  readonly sab: SharedArrayBuffer;
  readonly capacityBytes: number;
  /** Views over the data area only; indexes from reserve() and drain() point into them. */
  readonly bytes: Uint8Array;
  readonly buffer: Buffer;
  readonly view: DataView;

  readonly #words: Int32Array;
  readonly #mask: number;
  // Producer side. #tail mirrors the tail word (only this side writes it); #cachedHead is a
  // possibly stale head, reloaded only when it does not show enough free space.
  #tail: number;
  #cachedHead: number;
  #reservedRecordIndex = -1;
  #reservedPayloadBytes = 0;
  // Consumer side. #head mirrors the head word (only this side writes it).
  #head: number;
  #draining = false;
  // One wait per direction at a time: the waiting word is a flag, not a count of waiters.
  #dataWaitPending = false;
  #spaceWaitPending = false;
  #signalsSent = 0;
  #isWakeDeferred = false;
  #isWakeScheduled = false;

  private constructor(sab: SharedArrayBuffer) {
    const words = new Int32Array(sab, 0, RING_HEADER_BYTES / 4);
    const capacityBytes = Atomics.load(words, CAPACITY_WORD);
    assert(Atomics.load(words, MAGIC_WORD) === RING_MAGIC, 'ring: buffer has no ring header');
    assert(isValidCapacity(capacityBytes), 'ring: header capacity is invalid');
    assert(sab.byteLength === RING_HEADER_BYTES + capacityBytes, 'ring: buffer size mismatch');
    this.sab = sab;
    this.capacityBytes = capacityBytes;
    this.bytes = new Uint8Array(sab, RING_HEADER_BYTES, capacityBytes);
    this.buffer = Buffer.from(sab, RING_HEADER_BYTES, capacityBytes);
    this.view = new DataView(sab, RING_HEADER_BYTES, capacityBytes);
    this.#words = words;
    this.#mask = capacityBytes - 1;
    this.#tail = Atomics.load(words, TAIL_WORD) >>> 0;
    this.#head = Atomics.load(words, HEAD_WORD) >>> 0;
    this.#cachedHead = this.#head;
    this.#usedBytes(this.#tail, this.#head);
    assert(this.#tail % RECORD_ALIGN_BYTES === 0, 'ring: tail is not record-aligned');
    assert(this.#head % RECORD_ALIGN_BYTES === 0, 'ring: head is not record-aligned');
  }

  /** Allocates a ring with a data area of capacityBytes (a power of two, 64 B to 1 GiB). */
  static create(capacityBytes: number): SpscRing {
    if (!isValidCapacity(capacityBytes)) {
      throw new RangeError(`Cannot create ring: capacity ${capacityBytes} is not a power of two`);
    }
    const sab = new SharedArrayBuffer(RING_HEADER_BYTES + capacityBytes);
    const words = new Int32Array(sab, 0, RING_HEADER_BYTES / 4);
    Atomics.store(words, CAPACITY_WORD, capacityBytes);
    Atomics.store(words, MAGIC_WORD, RING_MAGIC);
    Atomics.store(words, STATE_WORD, RingStateWord.OPEN);
    return new SpscRing(sab);
  }

  /** The other thread's view of a ring made by create() (its `sab`, sent through workerData). */
  static attach(sab: SharedArrayBuffer): SpscRing {
    return new SpscRing(sab);
  }

  static maxPayloadBytes(capacityBytes: number): number {
    return maxPayloadBytesFor(capacityBytes);
  }

  get state(): RingState {
    const word = this.#loadState();
    const name = stateNames[word - 1];
    assert(name !== undefined, 'ring: state word is invalid');
    return name;
  }

  /**
   * Producer on an event loop (never a thread that blocks): from now on, a commit that finds the
   * consumer asleep wakes it in a microtask, once for all the records committed until then.
   */
  deferWakes(): void {
    this.#isWakeDeferred = true;
  }

  /** Wake-ups this view has sent (notifies); a busy pipeline keeps this near zero. */
  get signalsSent(): number {
    return this.#signalsSent;
  }

  // ---------------------------------------------------------------------------------- producer

  /**
   * Reserves room for a record of payloadBytes and returns the index in `bytes` where its payload
   * goes (contiguous), or -1 when the ring is full or no longer open. Publish it with commit().
   * At most one reservation is open at a time.
   */
  reserve(payloadBytes: number): number {
    assert(this.#reservedRecordIndex === -1, 'ring: a reservation is already open');
    this.#assertPayloadBytes(payloadBytes);
    if (this.#loadState() !== RingStateWord.OPEN) return -1;
    const recordIndex = this.#placeRecord(recordBytesFor(payloadBytes));
    if (recordIndex < 0) return -1;
    assert(recordIndex === (this.#tail & this.#mask), 'ring: record is not at the tail');
    this.#reservedRecordIndex = recordIndex;
    this.#reservedPayloadBytes = payloadBytes;
    return recordIndex + RECORD_HEADER_BYTES;
  }

  /**
   * Publishes the open reservation as a record of this type. payloadBytes may shrink the
   * reservation (an encoder that reserved a maximum and wrote less); it defaults to all of it.
   */
  commit(type: number, flags = 0, payloadBytes = this.#reservedPayloadBytes): void {
    const recordIndex = this.#reservedRecordIndex;
    assert(recordIndex >= 0, 'ring: commit without a reservation');
    assert(Number.isInteger(type), 'ring: record type is not an integer');
    assert(type >= RECORD_TYPE_MIN && type <= RECORD_TYPE_MAX, 'ring: record type out of range');
    assert(Number.isInteger(flags), 'ring: record flags is not an integer');
    assert(flags >= 0 && flags <= RECORD_FLAGS_MAX, 'ring: record flags out of range');
    assert(Number.isInteger(payloadBytes), 'ring: committed length is not an integer');
    assert(payloadBytes >= 0, 'ring: committed length is negative');
    assert(payloadBytes <= this.#reservedPayloadBytes, 'ring: commit is larger than reserved');
    this.#writeHeader(recordIndex, payloadBytes, type, flags);
    this.#reservedRecordIndex = -1;
    this.#publishTail(recordBytesFor(payloadBytes));
  }

  /** Drops the open reservation without publishing anything (an encoder gave up). */
  cancelReservation(): void {
    assert(this.#reservedRecordIndex >= 0, 'ring: no reservation to cancel');
    this.#reservedRecordIndex = -1;
  }

  /** Copies payload into a new record. RING_FULL is backpressure; RING_CLOSED is final. */
  tryWrite(type: number, payload: Uint8Array, flags = 0): RingStatus {
    const payloadIndex = this.reserve(payload.byteLength);
    if (payloadIndex < 0) {
      return this.#loadState() === RingStateWord.OPEN
        ? RingStatus.RING_FULL
        : RingStatus.RING_CLOSED;
    }
    this.bytes.set(payload, payloadIndex);
    this.commit(type, flags);
    return RingStatus.OK;
  }

  /** Free bytes in total (not necessarily contiguous); a snapshot when read by the consumer. */
  freeBytes(): number {
    const tail = Atomics.load(this.#words, TAIL_WORD) >>> 0;
    const head = Atomics.load(this.#words, HEAD_WORD) >>> 0;
    return this.capacityBytes - this.#usedBytes(tail, head);
  }

  // ---------------------------------------------------------------------------------- consumer

  /**
   * Visits the records available now, oldest first, at most maxRecords of them, then releases
   * them all with one store of head. Returns the number of records visited. The payload bytes
   * are valid only inside the visitor. If the visitor throws, the records it finished are
   * released and the one it threw on stays in the ring. A FAILED ring yields nothing.
   * `beforeRelease` runs just before records are released (also when the visitor threw): the
   * last moment their payloads are valid.
   */
  drain(
    visit: RecordVisitor,
    maxRecords = Number.MAX_SAFE_INTEGER,
    beforeRelease?: () => void,
  ): number {
    assert(!this.#draining, 'ring: drain is not re-entrant');
    assert(Number.isSafeInteger(maxRecords) && maxRecords > 0, 'ring: maxRecords out of range');
    if (this.#loadState() === RingStateWord.FAILED) return 0;
    // Ordering: tail is loaded before any record byte is read (see the header comment).
    const tail = Atomics.load(this.#words, TAIL_WORD) >>> 0;
    let head = this.#head;
    let visited = 0;
    this.#draining = true;
    try {
      while (head !== tail && visited < maxRecords) {
        const recordIndex = head & this.#mask;
        const payloadBytes = this.view.getUint32(recordIndex + RECORD_PAYLOAD_BYTES_OFFSET, true);
        const type = this.view.getUint16(recordIndex + RECORD_TYPE_OFFSET, true);
        const flags = this.view.getUint16(recordIndex + RECORD_FLAGS_OFFSET, true);
        const availableBytes = this.#usedBytes(tail, head);
        const recordBytes = this.#checkRecord(recordIndex, payloadBytes, type, availableBytes);
        if (type !== RECORD_TYPE_WRAP) {
          visit(type, flags, recordIndex + RECORD_HEADER_BYTES, payloadBytes);
          visited++;
        } else {
          assert(flags === 0, 'ring: wrap record has flags');
        }
        head = (head + recordBytes) >>> 0;
      }
    } finally {
      this.#draining = false;
      if (head !== this.#head) {
        beforeRelease?.();
        this.#publishHead(head);
      }
    }
    return visited;
  }

  /** True when no record is waiting (a snapshot when read by the producer). */
  isEmpty(): boolean {
    return Atomics.load(this.#words, TAIL_WORD) === Atomics.load(this.#words, HEAD_WORD);
  }

  // ---------------------------------------------------------------------------------- waiting

  /**
   * Consumer: blocks with Atomics.wait until a record is available (true), or until the timeout
   * passes or the ring can have no more records (false: check `state`). Worker threads only.
   * timeoutMs may be Infinity.
   */
  waitForData(timeoutMs: number): boolean {
    assert(!this.#dataWaitPending, 'ring: only one data wait at a time');
    this.#dataWaitPending = true;
    try {
      return this.#waitSync(FOR_DATA, 0, timeoutMs);
    } finally {
      this.#dataWaitPending = false;
    }
  }

  /**
   * Consumer on the main thread: as waitForData, with Atomics.waitAsync. A pending waitAsync does
   * not keep the process alive: hold a ref'd handle (the worker, a timer) while awaiting.
   */
  async waitForDataAsync(timeoutMs: number): Promise<boolean> {
    assert(!this.#dataWaitPending, 'ring: only one data wait at a time');
    this.#dataWaitPending = true;
    try {
      return await this.#waitAsync(FOR_DATA, 0, timeoutMs);
    } finally {
      this.#dataWaitPending = false;
    }
  }

  /**
   * Producer: blocks until reserve(payloadBytes) would succeed (true), or until the timeout
   * passes or the ring is no longer open (false). Worker threads only.
   */
  waitForSpace(payloadBytes: number, timeoutMs: number): boolean {
    this.#assertPayloadBytes(payloadBytes);
    assert(this.#reservedRecordIndex === -1, 'ring: waiting for space with a reservation open');
    assert(!this.#spaceWaitPending, 'ring: only one space wait at a time');
    this.#spaceWaitPending = true;
    try {
      return this.#waitSync(FOR_SPACE, payloadBytes, timeoutMs);
    } finally {
      this.#spaceWaitPending = false;
    }
  }

  /** Producer on the main thread: as waitForSpace, with Atomics.waitAsync (same keep-alive note). */
  async waitForSpaceAsync(payloadBytes: number, timeoutMs: number): Promise<boolean> {
    this.#assertPayloadBytes(payloadBytes);
    assert(this.#reservedRecordIndex === -1, 'ring: waiting for space with a reservation open');
    assert(!this.#spaceWaitPending, 'ring: only one space wait at a time');
    this.#spaceWaitPending = true;
    try {
      return await this.#waitAsync(FOR_SPACE, payloadBytes, timeoutMs);
    } finally {
      this.#spaceWaitPending = false;
    }
  }

  // ---------------------------------------------------------------------------------- lifecycle

  /**
   * End of stream: no new reservation succeeds; records already committed are still drained, and
   * the ring becomes CLOSED once they are. Wakes every waiter. Idempotent. Meant for the producer:
   * if the consumer closes while the producer holds a reservation, that record may go unread.
   */
  close(): void {
    assert(this.#reservedRecordIndex === -1, 'ring: close with a reservation open');
    const previous = Atomics.compareExchange(
      this.#words,
      STATE_WORD,
      RingStateWord.OPEN,
      RingStateWord.CLOSING,
    );
    if (previous !== RingStateWord.OPEN) return;
    // Pairs with the state load in #publishHead: one of the two sides sees the ring both closing
    // and empty, and moves it to CLOSED.
    if (this.isEmpty()) this.#finishClosing();
    this.#wakeAll();
  }

  /** Abandons the ring: writes and drains stop at once and every waiter wakes. Idempotent. */
  fail(): void {
    for (;;) {
      const state = this.#loadState();
      if (state === RingStateWord.CLOSED || state === RingStateWord.FAILED) return;
      if (Atomics.compareExchange(this.#words, STATE_WORD, state, RingStateWord.FAILED) === state) {
        break;
      }
    }
    this.#wakeAll();
  }

  // ---------------------------------------------------------------------------------- private

  #loadState(): number {
    return Atomics.load(this.#words, STATE_WORD);
  }

  #usedBytes(tail: number, head: number): number {
    const used = (tail - head) >>> 0;
    assert(used <= this.capacityBytes, 'ring: positions are more than a capacity apart');
    return used;
  }

  #assertPayloadBytes(payloadBytes: number): void {
    assert(Number.isInteger(payloadBytes), 'ring: payload length is not an integer');
    assert(payloadBytes >= 0, 'ring: payload length is negative');
    assert(payloadBytes <= this.capacityBytes - RECORD_HEADER_BYTES, 'ring: payload too large');
  }

  /**
   * Finds recordBytes of contiguous room at the tail and returns its index, or -1. When the record
   * does not fit before the end, a WRAP record fills the end first (if it fits itself), even when
   * the record then has to wait for room at index 0: that is what lets a record as large as the
   * whole data area through once the consumer has caught up.
   */
  #placeRecord(recordBytes: number): number {
    const recordIndex = this.#tail & this.#mask;
    const bytesToEnd = this.capacityBytes - recordIndex;
    if (recordBytes <= bytesToEnd) return this.#hasFree(recordBytes) ? recordIndex : -1;
    if (!this.#hasFree(bytesToEnd)) return -1;
    this.#writeHeader(recordIndex, bytesToEnd - RECORD_HEADER_BYTES, RECORD_TYPE_WRAP, 0);
    this.#publishTail(bytesToEnd);
    assert((this.#tail & this.#mask) === 0, 'ring: wrap record did not reach the end');
    return this.#hasFree(recordBytes) ? 0 : -1;
  }

  #hasFree(bytes: number): boolean {
    if (this.capacityBytes - this.#usedBytes(this.#tail, this.#cachedHead) >= bytes) return true;
    this.#cachedHead = Atomics.load(this.#words, HEAD_WORD) >>> 0;
    return this.capacityBytes - this.#usedBytes(this.#tail, this.#cachedHead) >= bytes;
  }

  #writeHeader(recordIndex: number, payloadBytes: number, type: number, flags: number): void {
    assert(recordIndex % RECORD_ALIGN_BYTES === 0, 'ring: record index is not aligned');
    assert(
      recordIndex + recordBytesFor(payloadBytes) <= this.capacityBytes,
      'ring: record overruns',
    );
    this.view.setUint32(recordIndex + RECORD_PAYLOAD_BYTES_OFFSET, payloadBytes, true);
    this.view.setUint16(recordIndex + RECORD_TYPE_OFFSET, type, true);
    this.view.setUint16(recordIndex + RECORD_FLAGS_OFFSET, flags, true);
  }

  #publishTail(recordBytes: number): void {
    assert(Atomics.load(this.#words, TAIL_WORD) >>> 0 === this.#tail, 'ring: a second producer');
    this.#tail = (this.#tail + recordBytes) >>> 0;
    // Publishes the header and payload written before it (SeqCst store; see the header comment).
    Atomics.store(this.#words, TAIL_WORD, this.#tail | 0);
    // Dekker pairing with the waiter's store of dataWaiting: read after our tail store.
    if (!this.#isWakeDeferred) {
      this.#wakeIfWaiting(DATA_WAITING_WORD, DATA_SIGNAL_WORD);
    } else if (!this.#isWakeScheduled) {
      this.#isWakeScheduled = true;
      queueMicrotask(this.#deferredWake);
    }
  }

  readonly #deferredWake = (): void => {
    this.#isWakeScheduled = false;
    this.#wakeIfWaiting(DATA_WAITING_WORD, DATA_SIGNAL_WORD);
  };

  #publishHead(head: number): void {
    assert(Atomics.load(this.#words, HEAD_WORD) >>> 0 === this.#head, 'ring: a second consumer');
    this.#usedBytes(Atomics.load(this.#words, TAIL_WORD) >>> 0, head);
    this.#head = head;
    // Releases the bytes before head: the visitor is done with them.
    Atomics.store(this.#words, HEAD_WORD, head | 0);
    this.#wakeIfWaiting(SPACE_WAITING_WORD, SPACE_SIGNAL_WORD);
    // Pairs with close(): we stored head, then read the state.
    if (this.#loadState() === RingStateWord.CLOSING && this.isEmpty()) this.#finishClosing();
  }

  #finishClosing(): void {
    Atomics.compareExchange(this.#words, STATE_WORD, RingStateWord.CLOSING, RingStateWord.CLOSED);
  }

  #checkRecord(recordIndex: number, payloadBytes: number, type: number, available: number): number {
    assert(recordIndex % RECORD_ALIGN_BYTES === 0, 'ring: record header is not aligned');
    assert(payloadBytes <= this.capacityBytes - RECORD_HEADER_BYTES, 'ring: record length too big');
    const recordBytes = recordBytesFor(payloadBytes);
    assert(recordBytes <= this.capacityBytes - recordIndex, 'ring: record crosses the end');
    assert(recordBytes <= available, 'ring: record extends past the tail');
    if (type === RECORD_TYPE_WRAP) {
      assert(recordBytes === this.capacityBytes - recordIndex, 'ring: wrap record is short');
    } else {
      assert(type >= RECORD_TYPE_MIN && type <= RECORD_TYPE_MAX, 'ring: record type is invalid');
    }
    return recordBytes;
  }

  // The notifier clears the flag it acts on, so a burst of records sent before the waiter runs
  // again (an async waiter resumes only on its next turn) costs one notify, not one per record.
  // The waiter sets the flag again before each wait, so no wake-up is lost by clearing it here.
  #wakeIfWaiting(waitingWord: number, signalWord: number): void {
    if (Atomics.load(this.#words, waitingWord) === 0) return;
    if (Atomics.exchange(this.#words, waitingWord, 0) !== 0) this.#signal(signalWord);
  }

  #signal(signalWord: number): void {
    Atomics.add(this.#words, signalWord, 1);
    Atomics.notify(this.#words, signalWord);
    this.#signalsSent++;
  }

  #wakeAll(): void {
    this.#signal(DATA_SIGNAL_WORD);
    this.#signal(SPACE_SIGNAL_WORD);
  }

  #condition(waitFor: number, payloadBytes: number): number {
    const state = this.#loadState();
    if (waitFor === FOR_DATA) {
      if (state === RingStateWord.FAILED) return NEVER;
      if (Atomics.load(this.#words, TAIL_WORD) >>> 0 !== this.#head) return READY;
      return state === RingStateWord.OPEN ? NOT_YET : NEVER;
    }
    if (state !== RingStateWord.OPEN) return NEVER;
    return this.#placeRecord(recordBytesFor(payloadBytes)) >= 0 ? READY : NOT_YET;
  }

  // Announces the waiter and re-checks; returns the signal value to wait on, or null when the
  // re-check already decided (then the waiting flag is cleared again).
  #announce(waitFor: number, payloadBytes: number): number | null {
    const waitingWord = waitFor === FOR_DATA ? DATA_WAITING_WORD : SPACE_WAITING_WORD;
    const signalWord = waitFor === FOR_DATA ? DATA_SIGNAL_WORD : SPACE_SIGNAL_WORD;
    Atomics.store(this.#words, waitingWord, 1);
    const seen = Atomics.load(this.#words, signalWord);
    if (this.#condition(waitFor, payloadBytes) === NOT_YET) return seen;
    Atomics.store(this.#words, waitingWord, 0);
    return null;
  }

  #waitSync(waitFor: number, payloadBytes: number, timeoutMs: number): boolean {
    assert(timeoutMs >= 0, 'ring: timeout is negative or NaN');
    const deadlineMs = performance.now() + timeoutMs;
    const signalWord = waitFor === FOR_DATA ? DATA_SIGNAL_WORD : SPACE_SIGNAL_WORD;
    for (;;) {
      const condition = this.#condition(waitFor, payloadBytes);
      if (condition !== NOT_YET) return condition === READY;
      const remainingMs = deadlineMs - performance.now();
      if (remainingMs <= 0) return false;
      const seen = this.#announce(waitFor, payloadBytes);
      if (seen === null) continue;
      Atomics.wait(this.#words, signalWord, seen, remainingMs);
      this.#clearWaiting(waitFor);
    }
  }

  async #waitAsync(waitFor: number, payloadBytes: number, timeoutMs: number): Promise<boolean> {
    assert(timeoutMs >= 0, 'ring: timeout is negative or NaN');
    const deadlineMs = performance.now() + timeoutMs;
    const signalWord = waitFor === FOR_DATA ? DATA_SIGNAL_WORD : SPACE_SIGNAL_WORD;
    for (;;) {
      const condition = this.#condition(waitFor, payloadBytes);
      if (condition !== NOT_YET) return condition === READY;
      const remainingMs = deadlineMs - performance.now();
      if (remainingMs <= 0) return false;
      const seen = this.#announce(waitFor, payloadBytes);
      if (seen === null) continue;
      const result = atomicsAsync.waitAsync(this.#words, signalWord, seen, remainingMs);
      try {
        if (result.async) await result.value;
      } finally {
        this.#clearWaiting(waitFor);
      }
    }
  }

  #clearWaiting(waitFor: number): void {
    Atomics.store(this.#words, waitFor === FOR_DATA ? DATA_WAITING_WORD : SPACE_WAITING_WORD, 0);
  }
}
