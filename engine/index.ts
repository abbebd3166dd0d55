// petrelmq/engine: the embedded storage engine.
//
//   import { openStore } from 'petrelmq/engine';
//   const store = await openStore({ storePathRootDir: './data', flushDiskType: 'SYNC_FLUSH' });
//   const put = await store.putMessage({ topic: 'orders', queueId: 0, body: Buffer.from('hi'), tags: 'created' });
//   const got = await store.getMessage({ topic: 'orders', queueId: 0, queueOffset: 0, maxMsgNums: 32 });
//   await store.close();
//
// This file is the composition root: with `threads: true` (the default) it runs the CommitLog
// writer and the flush service on worker threads.

import { verifySegmentsInParallel } from '../workers/recovery/verify-pool.js';
import { createWorkerPipeline } from '../workers/store/worker-pipeline.js';
import type { MessageStore } from './message-store.js';
import { assembleStore, type StoreDeps } from './open-store.js';
import type { StoreOptions } from './options.js';

export type { DecodedMessage } from '../common/message-codec.js';
export type { FileIO } from './io/file-io.js';
export type {
  MessageStore,
  PutMessageInput,
  QueryMessageRequest,
  StorageFigures,
} from './message-store.js';
export type { HaSenderFactory, StoreDeps } from './open-store.js';
export type { StoreOptions } from './options.js';
export { defaultStoreOptions } from './options.js';
export type { PutResult, PutStatus } from './put/put-result.js';
export type { GetMessageRequest, GetMessageResult, GetStatus } from './read/get-result.js';
export type { RecoveryReport } from './recovery/store-recovery.js';

/**
 * Opens (creating or recovering) a store.
 * @throws MqError E_STORE_OPTIONS_INVALID, E_STORE_LOCKED, E_SEGMENT_SIZE_MISMATCH, E_CORRUPT_RECORD, ...
 */
export async function openStore(
  options: Partial<StoreOptions> & { storePathRootDir: string },
  deps: StoreDeps = {},
): Promise<MessageStore> {
  const withPool: StoreDeps = { verifySegments: verifySegmentsInParallel, ...deps };
  const threads = options.threads !== false;
  return assembleStore(options, withPool, threads ? createWorkerPipeline : undefined);
}
