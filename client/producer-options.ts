// The producer's options, their defaults and their checks (see docs/client.md for each).

import { Limits } from '../common/limits.js';
import {
  boolOption,
  type ClientOptions,
  intOption,
  type ResolvedClientOptions,
  resolveClientOptions,
} from './client-options.js';
import { AUTO_CREATE_TOPIC_KEY, checkGroup } from './message.js';
import type { SendPolicyOptions } from './send-policy.js';

export interface ProducerOptions extends ClientOptions {
  /** Producer group. Default "DEFAULT_PRODUCER". */
  groupName?: string;
  /** Write a trace of every send to the trace topic (RocketMQ message traces). Default false. */
  enableMsgTrace?: boolean;
  /** The trace topic. Default RMQ_SYS_TRACE_TOPIC. */
  customizedTraceTopic?: string;
  /** Budget for one send with all its retries. Default 3,000 ms. */
  sendMsgTimeoutMs?: number;
  /** Extra attempts on another broker group after a failure. Default 2. */
  retryTimesWhenSendFailed?: number;
  /** Also retry when the message was stored but not flushed or replicated in time. Default false. */
  retryAnotherBrokerWhenNotStoreOK?: boolean;
  /** Bodies at least this long are zlib-compressed. Default 4,096. */
  compressMsgBodyOverHowmuchBytes?: number;
  /** Largest body accepted. Default 4 MiB. */
  maxMessageSizeBytes?: number;
  /** sendAsync calls awaiting their answer at most; more fail with E_TOO_MANY_PENDING_REQUESTS. Default 1,024. */
  maxAsyncSendsInFlight?: number;
  /** Template topic for topics the NameServer does not know. Default "TBW102". */
  createTopicKey?: string;
  /** Queues of an auto-created topic. Default 4. */
  defaultTopicQueueNums?: number;
  /** Send through the createTopicKey route when a topic has none (broker auto-create). Default true. */
  autoCreateTopic?: boolean;
  /** Add the BODY_XXH64 property so the body is checked end to end. Default true. */
  addBodyChecksum?: boolean;
  /**
   * Automatic batching: plain sends of one topic (no selector or queue, no delay, body below
   * compressMsgBodyOverHowmuchBytes, waitStoreMsgOK not false) are combined into one
   * SEND_BATCH_MESSAGE of at most this many messages. Default 1: off, one request per message.
   */
  batchMaxMessages?: number;
  /** Automatic batching: bytes of bodies in one batch at most. Default 256 KiB. */
  batchMaxBytes?: number;
  /** Automatic batching: how long a batch waits for more messages; 0 = the current turn only. Default 0. */
  batchMaxDelayMs?: number;
}

export interface ResolvedProducerOptions extends ResolvedClientOptions, SendPolicyOptions {
  groupName: string;
  compressMsgBodyOverHowmuchBytes: number;
  maxMessageSizeBytes: number;
  maxAsyncSendsInFlight: number;
  createTopicKey: string;
  defaultTopicQueueNums: number;
  autoCreateTopic: boolean;
  addBodyChecksum: boolean;
  batchMaxMessages: number;
  batchMaxBytes: number;
  batchMaxDelayMs: number;
}

export function resolveProducerOptions(options: ProducerOptions): ResolvedProducerOptions {
  const groupName = options.groupName ?? 'DEFAULT_PRODUCER';
  checkGroup(groupName);
  return {
    ...resolveClientOptions(options),
    groupName,
    sendMsgTimeoutMs: intOption(options.sendMsgTimeoutMs, 'sendMsgTimeoutMs', 3000, { min: 1 }),
    retryTimesWhenSendFailed: intOption(
      options.retryTimesWhenSendFailed,
      'retryTimesWhenSendFailed',
      2,
      { min: 0, max: 16 },
    ),
    retryAnotherBrokerWhenNotStoreOK: boolOption(
      options.retryAnotherBrokerWhenNotStoreOK,
      'retryAnotherBrokerWhenNotStoreOK',
      false,
    ),
    compressMsgBodyOverHowmuchBytes: intOption(
      options.compressMsgBodyOverHowmuchBytes,
      'compressMsgBodyOverHowmuchBytes',
      4096,
      { min: 1 },
    ),
    maxMessageSizeBytes: intOption(
      options.maxMessageSizeBytes,
      'maxMessageSizeBytes',
      Limits.maxMessageSizeBytes,
      { min: 1, max: Limits.maxMessageSizeBytes },
    ),
    maxAsyncSendsInFlight: intOption(options.maxAsyncSendsInFlight, 'maxAsyncSendsInFlight', 1024, {
      min: 1,
    }),
    createTopicKey: options.createTopicKey ?? AUTO_CREATE_TOPIC_KEY,
    defaultTopicQueueNums: intOption(options.defaultTopicQueueNums, 'defaultTopicQueueNums', 4, {
      min: 1,
      max: 1024,
    }),
    autoCreateTopic: boolOption(options.autoCreateTopic, 'autoCreateTopic', true),
    addBodyChecksum: boolOption(options.addBodyChecksum, 'addBodyChecksum', true),
    batchMaxMessages: intOption(options.batchMaxMessages, 'batchMaxMessages', 1, {
      min: 1,
      max: 4096,
    }),
    batchMaxBytes: intOption(options.batchMaxBytes, 'batchMaxBytes', 256 * 1024, {
      min: 1,
      max: Limits.maxMessageSizeBytes / 2,
    }),
    batchMaxDelayMs: intOption(options.batchMaxDelayMs, 'batchMaxDelayMs', 0, {
      min: 0,
      max: 10_000,
    }),
  };
}
