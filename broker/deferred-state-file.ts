// A state file (topics.json, subscriptionGroup.json) written shortly after a change instead of at
// every change: creating 10,000 topics rewrites the file a few times, not 10,000 times, and a save
// that fails (a full or read-only disk) is logged and retried instead of failing the request that
// changed the table. Only the newest snapshot function is kept (bounded: one pending write), called
// when the file is written, so a burst of changes costs one snapshot. close() writes it.

import type { StateStore } from './topic-config-manager.js';

export interface DeferredStateFileOptions {
  /** How long after the first unsaved change the file is written. */
  delayMs: number;
  /** Retry period after a failed write. */
  retryMs: number;
  onError: (path: string, error: unknown) => void;
}

export class DeferredStateFile<T> implements StateStore<T> {
  readonly path: string;
  #file: StateStore<T> & { path: string };
  #o: DeferredStateFileOptions;
  #pending: (() => T) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(file: StateStore<T> & { path: string }, options: DeferredStateFileOptions) {
    this.#file = file;
    this.path = file.path;
    this.#o = options;
  }

  load(): T | undefined {
    return this.#file.load();
  }

  save(value: T): void {
    this.saveLater(() => value);
  }

  saveLater(snapshot: () => T): void {
    this.#pending = snapshot;
    this.#schedule(this.#o.delayMs);
  }

  get unsaved(): boolean {
    return this.#pending !== undefined;
  }

  /** Writes the pending value now; false (logged, retried later) when the write failed. */
  flush(): boolean {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const snapshot = this.#pending;
    if (snapshot === undefined) return true;
    try {
      this.#file.save(snapshot());
    } catch (error) {
      this.#o.onError(this.path, error);
      this.#schedule(this.#o.retryMs);
      return false;
    }
    if (this.#pending === snapshot) this.#pending = undefined;
    return true;
  }

  /** Stops the timer after a last write attempt. */
  close(): boolean {
    const saved = this.flush();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    return saved;
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.flush(), delayMs);
    this.#timer.unref();
  }
}
