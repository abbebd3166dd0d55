// petrelmq/engine: the embedded storage engine (ESM).
//
//   import { openStore, PutStatus } from 'petrelmq/engine';
//   const store = await openStore({ storePathRootDir: './data', flushDiskType: 'SYNC_FLUSH' });
//   const put = await store.putMessage({ topic: 'orders', queueId: 0, body: 'hi', tags: 'created' });
//   if (put.status === PutStatus.PUT_OK) console.log(put.queueOffset);
//   const got = await store.getMessage({ topic: 'orders', queueId: 0, queueOffset: 0, maxMsgNums: 32 });
//   await store.close();
//
// docs/engine.md lists every option, status and error code. The store runs its CommitLog writer
// and flush service on worker threads (`threads: true`, the default); this entry loads no sockets.

import { openBrokerStore, type StoreDeps } from './internal.js';
import type { StoreOptions } from './options.js';
import type { MessageStore } from './store-api.js';

export { ErrorCode, MqError } from '../common/errors.js';
export type { DecodedMessage } from '../common/message-codec.js';
export type { FileIO } from './io/file-io.js';
export type { StorageFigures } from './message-store.js';
export type { StoreDeps } from './open-store.js';
export { BrokerRole, defaultStoreOptions, FlushDiskType, type StoreOptions } from './options.js';
export type { MessageInput } from './put/message-encoder.js';
export {
  isPutWritten,
  type PutFailed,
  type PutFailedStatus,
  type PutResult,
  PutStatus,
  type PutWritten,
  type PutWrittenStatus,
} from './put/put-result.js';
export {
  type GetMessageFound,
  type GetMessageNotFound,
  type GetMessageRequest,
  type GetMessageResult,
  GetStatus,
} from './read/get-result.js';
export type { RecoveryReport } from './recovery/store-recovery.js';
export type { MessageStore, PutMessageInput, QueryMessageRequest } from './store-api.js';

/**
 * Opens (creating or recovering) a store. Resolves once recovery is done and the writer runs.
 * @throws MqError E_STORE_OPTIONS_INVALID (every problem listed), E_STORE_LOCKED (another live
 *   process holds it), E_SEGMENT_SIZE_MISMATCH, E_SEGMENT_NAME_INVALID, E_SEGMENT_GAP,
 *   E_CORRUPT_RECORD, E_IO_ERROR, E_WORKER_START_TIMEOUT (docs/engine.md says what each means).
 */
export function openStore(
  options: Partial<StoreOptions> & { storePathRootDir: string },
  deps: StoreDeps = {},
): Promise<MessageStore> {
  return openBrokerStore(options, deps);
}
