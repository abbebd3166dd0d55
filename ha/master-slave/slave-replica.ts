// A slave's replication, owned end to end: its store, its HA client, and what happens when the
// master says the slave's log diverges (TRUNCATE): the store is closed, reopened with its CommitLog
// cut at the master's offset (the cut bytes are kept under truncated/ for the operator), and
// replication resumes. The owner (the broker, or a test) learns of each new store through onStore.

import type { Clock } from '../../common/clock.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import {
  HaClient,
  type HaClientDeps,
  type HaClientOptions,
  type ReplicaStore,
} from './ha-client.js';
import type { HaLogger } from './ha-sender.js';

export interface ClosableReplicaStore extends ReplicaStore {
  close(): Promise<void>;
  readonly recoveryReport: {
    truncated?: { fromOffset: number; movedTo: string; bytes: number } | undefined;
  };
}

export interface SlaveReplicaDeps<S extends ClosableReplicaStore> {
  /** Opens the slave's store, cutting its CommitLog at `truncateTo` when given. */
  open(truncateTo?: number): Promise<S>;
  clock: Clock;
  logger: HaLogger;
  onStore?(store: S): void;
  /** Controller mode: the epoch exchange of the HA handshake. */
  epochs?: Pick<HaClientDeps, 'replicaIdentity' | 'onMasterEpochs'>;
}

export class SlaveReplica<S extends ClosableReplicaStore> {
  #deps: SlaveReplicaDeps<S>;
  #options: HaClientOptions;
  #store: S | undefined;
  #client: HaClient | undefined;
  #masterAddress: string | undefined;
  #truncations = 0;
  #closed = false;
  #reopening: Promise<void> | undefined;

  constructor(options: HaClientOptions, deps: SlaveReplicaDeps<S>) {
    this.#options = options;
    this.#deps = deps;
  }

  get store(): S {
    if (this.#store === undefined)
      throw new MqError(ErrorCode.STORE_CLOSED, 'the slave store is not open');
    return this.#store;
  }

  get truncations(): number {
    return this.#truncations;
  }

  get client(): HaClient | undefined {
    return this.#client;
  }

  async start(masterAddress?: string): Promise<void> {
    this.#masterAddress = masterAddress;
    this.#store = await this.#deps.open();
    this.#deps.onStore?.(this.#store);
    this.#startClient();
  }

  setMasterAddress(address: string | undefined): void {
    this.#masterAddress = address;
    this.#client?.setMasterAddress(address);
  }

  #startClient(): void {
    const client = new HaClient(this.store, this.#options, {
      clock: this.#deps.clock,
      logger: this.#deps.logger,
      ...this.#deps.epochs,
      onTruncate: (toOffset, reason) => {
        this.#reopening = this.#truncate(toOffset, reason);
      },
    });
    this.#client = client;
    client.setMasterAddress(this.#masterAddress);
    client.start();
  }

  async #truncate(toOffset: number, reason: string): Promise<void> {
    if (this.#closed) return;
    this.#truncations++;
    await this.#store?.close();
    const store = await this.#deps.open(toOffset);
    this.#store = store;
    const cut = store.recoveryReport.truncated;
    this.#deps.logger.warn(
      cut === undefined
        ? `slave log already ended at or before ${toOffset} (${reason})`
        : `slave cut its CommitLog at ${cut.fromOffset} to match the master (${reason}); ${cut.bytes} bytes kept in ${cut.movedTo}`,
    );
    this.#deps.onStore?.(store);
    if (!this.#closed) this.#startClient();
  }

  /** Resolves once a pending truncate-and-reopen has finished. */
  async settled(): Promise<void> {
    await this.#reopening;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#client?.close();
    await this.#reopening;
    await this.#store?.close();
  }
}
