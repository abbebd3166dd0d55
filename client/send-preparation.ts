// What a producer puts on the wire for a send: the message checked against the size limit, its
// body compressed past compressMsgBodyOverHowmuchBytes (single sends only), and its properties with
// a fresh UNIQ_KEY and the BODY_XXH64 checksum; batches as SEND_BATCH_MESSAGE bodies.
//
// RocketMQ: client/.../impl/producer/DefaultMQProducerImpl.java (tryToCompressMessage, sendKernelImpl),
// client/.../producer/DefaultMQProducer.java (batch).

import { deflateSync } from 'node:zlib';
import { SysFlag } from '../common/message-codec.js';
import { UniqIdGenerator } from '../protocol/message-id.js';
import { encodeProperties, MessageProperty } from '../protocol/message-properties.js';
import { encodeBatchBody } from './batch-codec.js';
import { type BodyChecksum, loadBodyChecksum } from './body-checksum.js';
import { buildSendProperties, checkMessage, type Message } from './message.js';
import type { ResolvedProducerOptions } from './producer-options.js';
import { REPLY_MESSAGE_FLAG } from './request-reply.js';

/** One message of a batch body: its bytes, flag, properties and unique id. */
export interface BatchEntry {
  body: Buffer;
  flag: number;
  properties: string;
  uniqKey: string;
}

/** A message ready for the wire: final body bytes, sysFlag and properties. */
export interface PreparedSend {
  topic: string;
  body: Buffer;
  sysFlag: number;
  flag: number;
  properties: string;
  uniqKey: string;
  /** A reply to a request message (MSG_TYPE=reply). */
  isReply?: boolean;
}

export class SendPreparation {
  readonly #options: ResolvedProducerOptions;
  readonly #uniqIds: UniqIdGenerator;
  #checksum: BodyChecksum | null = null;

  constructor(options: ResolvedProducerOptions) {
    this.#options = options;
    this.#uniqIds = new UniqIdGenerator({
      ip: options.clientIp,
      pid: process.pid,
      instanceHash: options.prng.int(0, 0x7fffffff),
      clock: options.clock,
    });
  }

  /** Loads the body hasher when the producer adds BODY_XXH64. */
  async start(): Promise<void> {
    if (this.#options.addBodyChecksum) this.#checksum = await loadBodyChecksum();
  }

  #finishBody(body: Buffer, canCompress: boolean): { body: Buffer; sysFlag: number } {
    if (canCompress && body.length >= this.#options.compressMsgBodyOverHowmuchBytes) {
      return { body: deflateSync(body, { level: 5 }), sysFlag: SysFlag.COMPRESSED };
    }
    return { body, sysFlag: 0 };
  }

  /** One message as sent alone: checked, compressed when large, with its properties. */
  single(message: Message): PreparedSend {
    const raw = checkMessage(message, this.#options.maxMessageSizeBytes);
    const { body, sysFlag } = this.#finishBody(raw, true);
    const uniqKey = this.#uniqIds.next();
    const properties = buildSendProperties(message, {
      uniqKey,
      bodyXxh64: this.#checksum?.hex(body) ?? null,
    });
    return {
      topic: message.topic,
      body,
      sysFlag,
      flag: message.flag ?? 0,
      properties: encodeProperties(properties),
      uniqKey,
      isReply: message.properties?.[MessageProperty.MSG_TYPE] === REPLY_MESSAGE_FLAG,
    };
  }

  /** A sendBatch() of one topic, none delayed. */
  batch(messages: readonly Message[]): PreparedSend {
    const first = messages[0];
    if (first === undefined) throw new RangeError('A batch needs at least one message');
    const entries = messages.map((message) => {
      if (message.topic !== first.topic) {
        throw new TypeError(`Batch mixes topics "${first.topic}" and "${message.topic}"`);
      }
      if (message.delayTimeLevel !== undefined && message.delayTimeLevel > 0) {
        throw new TypeError('Batch messages cannot be delayed');
      }
      return this.batchEntry(message);
    });
    return this.batchPrepared(first.topic, entries, first.waitStoreMsgOK !== false);
  }

  /** One message of a batch (never compressed: RocketMQ batches carry plain bodies). */
  batchEntry(message: Message): BatchEntry {
    const body = checkMessage(message, this.#options.maxMessageSizeBytes);
    const uniqKey = this.#uniqIds.next();
    const properties = buildSendProperties(message, {
      uniqKey,
      bodyXxh64: this.#checksum?.hex(body) ?? null,
    });
    return { body, flag: message.flag ?? 0, properties: encodeProperties(properties), uniqKey };
  }

  /** The SEND_BATCH_MESSAGE body of `entries`, within maxMessageSizeBytes. */
  batchPrepared(topic: string, entries: BatchEntry[], wait: boolean): PreparedSend {
    const body = encodeBatchBody(entries);
    if (body.length > this.#options.maxMessageSizeBytes) {
      throw new RangeError(
        `Batch of ${body.length} bytes exceeds maxMessageSizeBytes ${this.#options.maxMessageSizeBytes}`,
      );
    }
    return {
      topic,
      body,
      sysFlag: 0,
      flag: 0,
      properties: encodeProperties({ WAIT: wait ? 'true' : 'false' }),
      uniqKey: entries.map((e) => e.uniqKey).join(','),
    };
  }
}
