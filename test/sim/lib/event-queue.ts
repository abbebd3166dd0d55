// A binary min-heap of simulation events ordered by (time, sequence number), so that events at
// the same simulated time run in the order they were scheduled and a seed replays exactly.

export class EventQueue<T extends { readonly at: number; readonly seq: number }> {
  readonly #heap: T[] = [];

  get size(): number {
    return this.#heap.length;
  }

  push(event: T): void {
    const heap = this.#heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as T, heap[parent] as T)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  pop(): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left] as T, heap[smallest] as T)) smallest = left;
      if (right < heap.length && before(heap[right] as T, heap[smallest] as T)) smallest = right;
      if (smallest === i) return top;
      swap(heap, i, smallest);
      i = smallest;
    }
  }
}

function before(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function swap<T>(heap: T[], i: number, j: number): void {
  const t = heap[i] as T;
  heap[i] = heap[j] as T;
  heap[j] = t;
}
