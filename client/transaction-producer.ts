// TransactionProducer: RocketMQ's transactional messages. sendMessageInTransaction() sends a half
// message (TRAN_MSG=true, PGROUP), which consumers do not see; then runs the local transaction
// and ends it with END_TRANSACTION: COMMIT_MESSAGE makes the message visible, ROLLBACK_MESSAGE
// drops it, UNKNOW (or a throw) leaves it to the broker's check. The broker checks a half message
// left unresolved for transactionTimeOut with any producer of the group (CHECK_TRANSACTION_STATE);
// checkLocalTransaction answers, and this producer sends that answer back.
//
// RocketMQ: client/.../producer/TransactionMQProducer.java, TransactionListener.java,
// DefaultMQProducerImpl.java (sendMessageInTransaction, endTransaction, checkTransactionState),
// ClientRemotingProcessor.checkTransactionState.

import { SysFlag } from '../common/message-codec.js';
import { EndTransactionRequestHeader } from '../protocol/headers/end-transaction-request-header.js';
import { decodeOffsetMsgId } from '../protocol/message-id.js';
import { MessageProperty } from '../protocol/message-properties.js';
import { createRequest, type RemotingCommand } from '../protocol/remoting-command.js';
import type { RemotingConnection } from '../protocol/remoting-connection.js';
import { RequestCode } from '../protocol/request-code.js';
import type { Message, MessageExt } from './message.js';
import { Producer, type ProducerOptions, type SendResult } from './producer.js';
import { decodeMessages } from './pull-decoder.js';

export const LocalTransactionState = {
  COMMIT_MESSAGE: 'COMMIT_MESSAGE',
  ROLLBACK_MESSAGE: 'ROLLBACK_MESSAGE',
  /** RocketMQ's spelling. */
  UNKNOW: 'UNKNOW',
} as const;
export type LocalTransactionState =
  (typeof LocalTransactionState)[keyof typeof LocalTransactionState];

export interface TransactionListener {
  /** Runs the local transaction of a half message the broker stored. */
  executeLocalTransaction(
    message: Message,
    transactionId: string,
    arg: unknown,
  ): LocalTransactionState | Promise<LocalTransactionState>;
  /** Answers the broker's question about a transaction it could not resolve yet. */
  checkLocalTransaction(
    message: MessageExt,
  ): LocalTransactionState | Promise<LocalTransactionState>;
}

export interface TransactionProducerOptions extends ProducerOptions {
  transactionListener: TransactionListener;
  /**
   * Topics whose brokers should know this producer from start() on: a producer that has sent
   * nothing yet is asked about its group's pending transactions only by brokers it heartbeats to.
   */
  checkTopics?: readonly string[];
}

export interface TransactionSendResult extends SendResult {
  localTransactionState: LocalTransactionState;
  /** The message's UNIQ_KEY. */
  transactionId: string;
}

const COMMIT_OR_ROLLBACK: Record<LocalTransactionState, number> = {
  COMMIT_MESSAGE: SysFlag.TRANSACTION_COMMIT,
  ROLLBACK_MESSAGE: SysFlag.TRANSACTION_ROLLBACK,
  UNKNOW: 0,
};

export class TransactionProducer {
  readonly #producer: Producer;
  readonly #listener: TransactionListener;
  readonly #groupName: string;
  readonly #checkTopics: readonly string[];

  constructor(options: TransactionProducerOptions) {
    if (typeof options.transactionListener?.executeLocalTransaction !== 'function') {
      throw new TypeError(
        'transactionListener with executeLocalTransaction and checkLocalTransaction is required',
      );
    }
    this.#listener = options.transactionListener;
    this.#producer = new Producer(options, (request, connection) =>
      this.#onServerRequest(request, connection),
    );
    this.#groupName = this.#producer.groupName;
    this.#checkTopics = options.checkTopics ?? [];
  }

  get clientId(): string {
    return this.#producer.clientId;
  }

  async start(): Promise<void> {
    await this.#producer.start();
    if (this.#checkTopics.length > 0) await this.#producer.learnRoutes(this.#checkTopics);
  }

  shutdown(): Promise<void> {
    return this.#producer.shutdown();
  }

  /**
   * Sends `message` as a half message, runs the local transaction, and ends it. A half message
   * the broker did not store is rolled back without running the local transaction.
   */
  async sendMessageInTransaction(message: Message, arg?: unknown): Promise<TransactionSendResult> {
    const properties = {
      ...(message.properties ?? {}),
      [MessageProperty.TRAN_MSG]: 'true',
      [MessageProperty.PGROUP]: this.#groupName,
    };
    const half = { ...message, properties };
    const sent = await this.#producer.send(half);
    const transactionId = sent.msgId;
    let state: LocalTransactionState = LocalTransactionState.ROLLBACK_MESSAGE;
    if (sent.sendStatus === 'SEND_OK') {
      try {
        state = await this.#listener.executeLocalTransaction(half, transactionId, arg);
      } catch (error) {
        this.#producer.logger.warn('Local transaction failed; the broker will check it', {
          transactionId,
          error: String(error),
        });
        state = LocalTransactionState.UNKNOW;
      }
    }
    if (state !== LocalTransactionState.UNKNOW) {
      try {
        await this.#endTransaction(sent, state);
      } catch (error) {
        this.#producer.logger.warn(
          'END_TRANSACTION failed; the broker will check the transaction',
          {
            transactionId,
            error: String(error),
          },
        );
      }
    }
    return { ...sent, localTransactionState: state, transactionId };
  }

  async #endTransaction(sent: SendResult, state: LocalTransactionState): Promise<void> {
    const header = EndTransactionRequestHeader.encode({
      producerGroup: this.#groupName,
      tranStateTableOffset: sent.queueOffset,
      commitLogOffset: decodeOffsetMsgId(sent.offsetMsgId).commitLogOffset,
      commitOrRollback: COMMIT_OR_ROLLBACK[state],
      fromTransactionCheck: false,
      msgId: sent.msgId,
      transactionId: sent.msgId,
    });
    const request = createRequest(RequestCode.END_TRANSACTION, header);
    await this.#producer.invokeOnMaster(sent.messageQueue.brokerName, request);
  }

  #onServerRequest(request: RemotingCommand, connection: RemotingConnection): null {
    if (request.code !== RequestCode.CHECK_TRANSACTION_STATE) return null;
    void this.#answerCheck(request, connection).catch((error: unknown) => {
      this.#producer.logger.warn('Transaction check not answered', { error: String(error) });
    });
    return null;
  }

  /** Decodes the broker's question, asks the listener, and answers with END_TRANSACTION. */
  async #answerCheck(request: RemotingCommand, connection: RemotingConnection): Promise<void> {
    const fields = request.extFields;
    const [message] = decodeMessages(request.body, {
      brokerName: '',
      checksum: null,
      maxRecordBytes: 64 * 1024 * 1024,
    });
    if (message === undefined) return;
    const transactionId = fields['transactionId'] ?? message.msgId;
    const state = await this.#listener.checkLocalTransaction(message);
    const header = EndTransactionRequestHeader.encode({
      producerGroup: this.#groupName,
      tranStateTableOffset: Number(fields['tranStateTableOffset']),
      commitLogOffset: Number(fields['commitLogOffset']),
      commitOrRollback: COMMIT_OR_ROLLBACK[state],
      fromTransactionCheck: true,
      msgId: fields['msgId'] ?? message.msgId,
      transactionId,
    });
    await connection.invokeOneway(createRequest(RequestCode.END_TRANSACTION, header));
  }
}
