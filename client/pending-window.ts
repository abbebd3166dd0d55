// The pulled messages of one queue that are not processed yet, in offset order: an array of
// slots (a processed one becomes null) and its offsets, searched by offset. Cheaper than a Map
// per message: a pull appends, a batch finishes mostly in order, and the lowest unprocessed
// offset is the first live slot.
//
// Bounds: the arrays hold at most twice the live messages plus 64 slots; past that, the slots of
// processed messages are squeezed out (amortised over the removals that made them).

export interface OffsetOrdered {
  queueOffset: number;
}

export class PendingWindow<M extends OffsetOrdered> {
  #slots: (M | null)[] = [];
  #offsets: number[] = [];
  /** Index of the first live slot (slots.length when there is none). */
  #head = 0;
  #size = 0;
  /** Where the last removal was: the next one is usually just after it. */
  #hint = 0;

  get size(): number {
    return this.#size;
  }

  /** Slots held, live or processed (at most twice the live messages plus 64). */
  get slotCount(): number {
    return this.#slots.length;
  }

  /** The lowest pending offset, or undefined. */
  firstOffset(): number | undefined {
    return this.#slots[this.#head]?.queueOffset;
  }

  /** Appends `message`, whose offset is above every pending one. */
  push(message: M): void {
    this.#slots.push(message);
    this.#offsets.push(message.queueOffset);
    this.#size++;
  }

  /** True when `message` itself (not another pull of its offset) is pending. */
  has(message: M): boolean {
    return this.#indexOf(message) >= 0;
  }

  /** Removes `message` if it is pending; true when it was. */
  remove(message: M): boolean {
    const index = this.#indexOf(message);
    if (index < 0) return false;
    this.#slots[index] = null;
    this.#size--;
    this.#hint = index + 1;
    while (this.#head < this.#slots.length && this.#slots[this.#head] === null) this.#head++;
    // Processed slots before the head count too: in-order processing leaves only those.
    if (this.#slots.length > 2 * this.#size + 64) this.#squeeze();
    return true;
  }

  /** Drops every pending message at or after `offset`. */
  dropFrom(offset: number): void {
    const from = this.#lowerBound(offset);
    for (let i = from; i < this.#slots.length; i++) if (this.#slots[i] !== null) this.#size--;
    this.#slots.length = from;
    this.#offsets.length = from;
    this.#head = Math.min(this.#head, from);
    this.#hint = from;
  }

  /** Pending messages in offset order. */
  *values(): IterableIterator<M> {
    for (let i = this.#head; i < this.#slots.length; i++) {
      const message = this.#slots[i];
      if (message !== null && message !== undefined) yield message;
    }
  }

  #indexOf(message: M): number {
    const offset = message.queueOffset;
    const index = this.#offsets[this.#hint] === offset ? this.#hint : this.#lowerBound(offset);
    return this.#slots[index] === message ? index : -1;
  }

  /** The first index at or after the head whose offset is >= `offset`. */
  #lowerBound(offset: number): number {
    let low = this.#head;
    let high = this.#offsets.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.#offsets[mid] as number) < offset) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #squeeze(): void {
    const slots: M[] = [];
    for (const message of this.values()) slots.push(message);
    this.#slots = slots;
    this.#offsets = slots.map((m) => m.queueOffset);
    this.#head = 0;
    this.#hint = 0;
  }
}
