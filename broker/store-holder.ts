// The broker's current store, for replication modes that replace it at runtime (a slave's
// divergence cut, a controller-mode role change): readers ask for it each time, and listeners
// (arrival notifications, storage faults) are attached to every store that takes over.

import { ErrorCode, MqError } from '../common/errors.js';

export class StoreHolder<S> {
  #store: S | undefined;
  readonly #listeners: Array<(store: S) => void> = [];

  /** The store, or undefined before the first one opened. */
  get current(): S | undefined {
    return this.#store;
  }

  get store(): S {
    const store = this.#store;
    if (store === undefined)
      throw new MqError(ErrorCode.STORE_CLOSED, 'the broker store is not open');
    return store;
  }

  /** Runs `listener` now and on every store that replaces this one. */
  onStore(listener: (store: S) => void): void {
    this.#listeners.push(listener);
    if (this.#store !== undefined) listener(this.#store);
  }

  use(store: S): void {
    this.#store = store;
    for (const listener of this.#listeners) listener(store);
  }
}
