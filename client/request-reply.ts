// Request/reply messages (RocketMQ 4.6+). Producer.request() sends a message carrying
// CORRELATION_ID, REPLY_TO_CLIENT (its client id) and TTL, and waits for the reply: the replier
// builds it with createReplyMessage() and sends it (SEND_REPLY_MESSAGE_V2) to <cluster>_REPLY_TOPIC;
// the broker that receives it pushes it (PUSH_REPLY_MESSAGE_TO_CLIENT) over the requester's own
// connection. Waiting requests are bounded; each ends with its reply or E_REQUEST_TIMEOUT.
//
// RocketMQ: client/.../impl/producer/DefaultMQProducerImpl.java (request, prepareSendRequest),
// client/.../utils/MessageUtil.java (createReplyMessage), ClientRemotingProcessor.receiveReplyMessage,
// RequestFutureHolder.

import { ErrorCode, MqError } from '../common/errors.js';
import { replyTopicOf } from '../common/topic-rules.js';
import { decodePropertiesObject, MessageProperty } from '../protocol/message-properties.js';
import { createResponse, type RemotingCommand } from '../protocol/remoting-command.js';
import { ResponseCode } from '../protocol/response-code.js';
import type { Message, MessageExt } from './message.js';

/** The MSG_TYPE of a reply (MixAll.REPLY_MESSAGE_FLAG). */
export const REPLY_MESSAGE_FLAG = 'reply';

/** The reply to `request` (a received request message), for the cluster that stored it. */
export function createReplyMessage(request: MessageExt, body: Uint8Array | string): Message {
  const cluster = request.properties[MessageProperty.CLUSTER];
  const correlationId = request.properties[MessageProperty.CORRELATION_ID];
  const replyTo = request.properties[MessageProperty.REPLY_TO_CLIENT];
  if (cluster === undefined || correlationId === undefined || replyTo === undefined) {
    throw new MqError(
      ErrorCode.CLIENT_STATE,
      `Message ${request.msgId} is not a request: it lacks CLUSTER, CORRELATION_ID or REPLY_TO_CLIENT`,
    );
  }
  return {
    topic: replyTopicOf(cluster),
    body,
    properties: {
      [MessageProperty.MSG_TYPE]: REPLY_MESSAGE_FLAG,
      [MessageProperty.CORRELATION_ID]: correlationId,
      [MessageProperty.REPLY_TO_CLIENT]: replyTo,
      [MessageProperty.TTL]: request.properties[MessageProperty.TTL] ?? '',
    },
  };
}

interface Waiting {
  resolve(reply: MessageExt): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Requests waiting for their replies, by correlation id. */
export class ReplyWaiter {
  readonly #maxWaiting: number;
  readonly #waiting = new Map<string, Waiting>();

  constructor(maxWaiting: number) {
    this.#maxWaiting = maxWaiting;
  }

  /** Resolves with the reply to `correlationId`, or rejects after `timeoutMs`. */
  wait(correlationId: string, timeoutMs: number): Promise<MessageExt> {
    if (this.#waiting.size >= this.#maxWaiting) {
      return Promise.reject(
        new MqError(
          ErrorCode.TOO_MANY_PENDING_REQUESTS,
          `${this.#maxWaiting} requests already wait for replies`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(correlationId);
        reject(
          new MqError(
            ErrorCode.REQUEST_TIMEOUT,
            `No reply to request ${correlationId} within ${timeoutMs} ms`,
            {
              correlationId,
            },
          ),
        );
      }, timeoutMs);
      this.#waiting.set(correlationId, { resolve, reject, timer });
    });
  }

  /** Stops waiting for `correlationId` (its request was not sent). */
  cancel(correlationId: string, error: Error): void {
    const waiting = this.#waiting.get(correlationId);
    if (waiting === undefined) return;
    this.#waiting.delete(correlationId);
    clearTimeout(waiting.timer);
    waiting.reject(error);
  }

  /** PUSH_REPLY_MESSAGE_TO_CLIENT: hands the reply to its request; always answers SUCCESS. */
  onPush(request: RemotingCommand): RemotingCommand {
    const reply = replyOf(request);
    const correlationId = reply.properties[MessageProperty.CORRELATION_ID];
    const waiting = correlationId === undefined ? undefined : this.#waiting.get(correlationId);
    if (correlationId !== undefined && waiting !== undefined) {
      this.#waiting.delete(correlationId);
      clearTimeout(waiting.timer);
      waiting.resolve(reply);
    }
    return createResponse(request, ResponseCode.SUCCESS);
  }

  close(): void {
    for (const [id] of this.#waiting) {
      this.cancel(id, new MqError(ErrorCode.CLIENT_STATE, 'The producer was shut down'));
    }
  }
}

function replyOf(request: RemotingCommand): MessageExt {
  const f = request.extFields;
  const properties = decodePropertiesObject(f['properties'] ?? '');
  const num = (name: string) => Number(f[name] ?? 0);
  return {
    topic: f['topic'] ?? '',
    tags: properties[MessageProperty.TAGS],
    keys: (properties[MessageProperty.KEYS] ?? '').split(' ').filter((k) => k !== ''),
    body: request.body ?? Buffer.alloc(0),
    properties,
    msgId: properties[MessageProperty.UNIQ_KEY] ?? '',
    offsetMsgId: '',
    brokerName: '',
    queueId: num('queueId'),
    queueOffset: 0,
    commitLogOffset: 0,
    reconsumeTimes: num('reconsumeTimes'),
    bornTimestamp: num('bornTimestamp'),
    storeTimestamp: num('storeTimestamp'),
    bornHost: f['bornHost'] ?? '',
    storeHost: f['storeHost'] ?? '',
    flag: num('flag'),
    sysFlag: num('sysFlag'),
    storeSize: request.body?.length ?? 0,
  };
}
