// The bytes that all connections of one server have handed to their sockets and that the kernel
// has not taken yet (replies to clients that read slowly or not at all). Each connection charges
// its own unsent bytes here and re-checks them when a write of its completes; while the sum is at
// or over maxBytes, a connection with unsent output stops reading requests, so it makes no more
// replies until its client has read some. Connections whose output is empty keep reading.
//
// Invariant: totalBytes is the sum of the connections' current charges, each >= 0.

import { assert } from '../common/assert.js';

export class OutputBudget {
  readonly maxBytes: number;
  #totalBytes = 0;

  constructor(maxBytes: number) {
    assert(Number.isSafeInteger(maxBytes) && maxBytes >= 1, 'output budget is at least 1 byte');
    this.maxBytes = maxBytes;
  }

  get totalBytes(): number {
    return this.#totalBytes;
  }

  isOver(): boolean {
    return this.#totalBytes >= this.maxBytes;
  }

  /** Adds a change of one connection's unsent bytes (negative when the kernel took some). */
  change(deltaBytes: number): void {
    this.#totalBytes += deltaBytes;
    assert(this.#totalBytes >= 0, 'output budget total never negative');
  }
}
