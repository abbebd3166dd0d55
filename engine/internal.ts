// petrelmq's own entry to the engine (not exported by package.json): the broker opens its store
// here and gets a BrokerStore, which adds to the public MessageStore what replication needs. Like
// engine/index.ts it is a composition root: with `threads: true` (the default) the CommitLog
// writer and the flush service run on worker threads. It loads no sockets: a master's HA sender is
// injected by the broker through `deps.haSender`.

import type { DecodedMessage } from '../common/message-codec.js';
import { verifySegmentsInParallel } from '../workers/recovery/verify-pool.js';
import { createWorkerPipeline } from '../workers/store/worker-pipeline.js';
import type { DefaultMessageStore } from './message-store.js';
import { assembleStore, type StoreDeps } from './open-store.js';
import type { StoreOptions } from './options.js';

export type { HaReplicaLink, HaSenderHandle } from './ha-sender-handle.js';
export type { HaSenderContext, HaSenderFactory, StoreDeps } from './open-store.js';

/** The newest complete record of a store's log: what a slave tells its master on connecting. */
export interface RecordFingerprint {
  offset: number;
  size: number;
  bodyCrc: number;
  storeTimestamp: number;
}

/**
 * The store a broker uses: the public MessageStore plus what replication and DLedger need
 * (replicated appends, the live role, storage faults, figures). It is the concrete store; embedders
 * see only MessageStore.
 */
export type BrokerStore = DefaultMessageStore;

/** Opens (creating or recovering) a store; see openStore in engine/index.ts for the errors. */
export async function openBrokerStore(
  options: Partial<StoreOptions> & { storePathRootDir: string },
  deps: StoreDeps = {},
): Promise<BrokerStore> {
  const withPool: StoreDeps = { verifySegments: verifySegmentsInParallel, ...deps };
  const threads = options.threads !== false;
  return assembleStore(options, withPool, threads ? createWorkerPipeline : undefined);
}

export type { DecodedMessage };
