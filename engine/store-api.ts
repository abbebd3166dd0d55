// The embedded engine's public object, as a gateway sees it (RocketMQ: MessageStore, trimmed to
// the calls a broker or a gateway makes). What a broker adds for replication (appending a master's
// bytes, HA figures) is BrokerStore in engine/internal.ts, which this type does not show.
//
// One rule for a closed store: once close() has begun, every call that reads or writes messages or
// queues (puts, gets, queries, offsets, cleanNow, whenWritable) rejects, or throws when it is
// synchronous, with MqError E_STORE_CLOSED. Puts already in flight when close() begins still
// complete (close waits for them up to workerShutdownTimeoutMs; any left then resolve
// SERVICE_NOT_AVAILABLE). Figures (getMaxPhyOffset, getMinPhyOffset, runtimeInfo, options,
// recoveryReport) stay readable; close() again is a no-op.

import type { DecodedMessage } from '../common/message-codec.js';
import type { StoreOptions } from './options.js';
import type { MessageInput } from './put/message-encoder.js';
import type { PutResult } from './put/put-result.js';
import type { GetMessageRequest, GetMessageResult } from './read/get-result.js';
import type { RecoveryReport } from './recovery/store-recovery.js';

export interface PutMessageInput extends Omit<MessageInput, 'body'> {
  /** The body: bytes, or a string stored as its UTF-8 bytes (as the client does). Not empty. */
  body: Uint8Array | string;
  /** Wait for the fdatasync under SYNC_FLUSH (RocketMQ's WAIT property); default true. */
  waitStoreMsgOK?: boolean;
}

export interface QueryMessageRequest {
  topic: string;
  key: string;
  maxNum: number;
  beginTimestamp?: number;
  endTimestamp?: number;
}

export interface MessageStore {
  /**
   * Stores one message. Resolves with a status and never rejects for expected outcomes: an
   * invalid message is MESSAGE_ILLEGAL with a reason, a full pipeline is OS_PAGE_CACHE_BUSY (wait
   * with whenWritable() and retry). Rejects E_STORE_CLOSED after close().
   */
  putMessage(message: PutMessageInput): Promise<PutResult>;
  /**
   * Stores a batch: all or nothing at validation (one invalid message refuses the whole batch, with
   * each message's reason), then one status per message.
   */
  putMessages(messages: readonly PutMessageInput[]): Promise<PutResult[]>;
  /**
   * Resolves once puts are accepted again: at most half of maxPendingPuts in flight and at least
   * half the append ring free (at once when that is so already). Rejects E_STORE_CLOSED when the
   * store closes first.
   */
  whenWritable(): Promise<void>;
  /**
   * Reads up to maxMsgNums messages of one queue from queueOffset. Rejects E_INVALID_ARGUMENT for
   * a maxMsgNums that is not a positive integer, a queueId outside 0..2^31-1 or a queueOffset that
   * is not an integer.
   */
  getMessage(request: GetMessageRequest): Promise<GetMessageResult>;
  /** One past the newest queue offset of a queue (0 for an unknown queue). */
  getMaxOffsetInQueue(topic: string, queueId: number): number;
  getMinOffsetInQueue(topic: string, queueId: number): number;
  /** Queue ids of `topic` that hold ConsumeQueues here. */
  getQueueIdsOfTopic(topic: string): number[];
  /** Topics that hold ConsumeQueues here, in no particular order. */
  getTopicsWithQueues(): string[];
  /** End of the CommitLog (bytes written). */
  getMaxPhyOffset(): number;
  getMinPhyOffset(): number;
  lookMessageByOffset(commitLogOffset: number): Promise<DecodedMessage | undefined>;
  /** Messages of `topic` whose UNIQ_KEY or one of whose KEYS equals `key`, newest first. */
  queryMessage(request: QueryMessageRequest): Promise<{ messages: DecodedMessage[] }>;
  /** The first queue offset whose message was stored at or after `timestamp` (ms). */
  searchOffsetByTimestamp(topic: string, queueId: number, timestamp: number): Promise<number>;
  /**
   * Calls `listener` each time a message becomes readable in a queue (RocketMQ's
   * MessageArrivingListener). Returns a remover.
   */
  onMessageArriving(
    listener: (topic: string, queueId: number, maxOffset: number) => void,
  ): () => void;
  /** Key figures, named as RocketMQ's runtime info where one exists. */
  runtimeInfo(): Record<string, number | string>;
  /** Deletes expired segments now, whatever the hour (RocketMQ's manual delete); returns the count. */
  cleanNow(): number;
  readonly options: Readonly<StoreOptions>;
  /** What recovery found and did when this store opened. */
  readonly recoveryReport: Readonly<RecoveryReport>;
  /** Writes and flushes everything pending, saves the checkpoint and releases the store. */
  close(): Promise<void>;
}
