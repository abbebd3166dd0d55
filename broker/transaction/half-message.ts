// The messages of a transaction as RocketMQ stores them. A prepared send (property TRAN_MSG=true)
// is stored as a half message in RMQ_SYS_TRANS_HALF_TOPIC queue 0 with its real topic and queue in
// REAL_TOPIC / REAL_QID, invisible to consumers of the real topic. A commit stores the message
// again in its real topic (sysFlag commit, PREPAREDTRANSACTIONOFFSET = the half's CommitLog offset,
// without TRAN_MSG, REAL_TOPIC, REAL_QID); commit and rollback both write an op message to
// RMQ_SYS_TRANS_OP_HALF_TOPIC whose body is the half's queue offset, tag "d".
//
// RocketMQ: broker/.../transaction/queue/TransactionalMessageBridge.java (parseHalfMessageInner,
// makeOpMessageInner, addRemoveTagInTransactionOp), processor/EndTransactionProcessor.java
// (endMessageTransaction, checkPrepareMessage), TransactionalMessageUtil.java.

import {
  type DecodedMessage,
  emptyLayout,
  RecordField,
  readLayout,
  SysFlag,
  TRANSACTION_TYPE_MASK,
} from '../../common/message-codec.js';
import { SystemTopic } from '../../common/topic-rules.js';
import type { PutMessageInput } from '../../engine/index.js';
import { type EndTransactionRequestHeader, MessageProperty } from '../../protocol/index.js';

/** The half message's queue in RMQ_SYS_TRANS_HALF_TOPIC (and its op queue). */
export const HALF_QUEUE_ID = 0;
/** Tag of an op message that removes a half message (commit or rollback). */
export const REMOVE_TAG = 'd';
/** The consumer group whose offsets record the check service's progress (RocketMQ's name). */
export const TRANSACTION_CHECK_GROUP = 'CID_RMQ_SYS_TRANS';
/** Property carrying the transaction id (the client's UNIQ_KEY) on a half message. */
export const TRANSACTION_ID = '__transactionId__';

export function isPreparedSend(properties: Readonly<Record<string, string>>): boolean {
  return properties[MessageProperty.TRAN_MSG] === 'true';
}

export function withTransactionType(sysFlag: number, type: number): number {
  return (sysFlag & ~TRANSACTION_TYPE_MASK) | type;
}

/** Where and how a prepared send is stored (the properties object is updated in place). */
export function halfPlacement(
  topic: string,
  queueId: number,
  properties: Record<string, string>,
): { topic: string; queueId: number; properties: Record<string, string> } {
  const uniqKey = properties[MessageProperty.UNIQ_KEY];
  if (uniqKey !== undefined && uniqKey !== '') properties[TRANSACTION_ID] = uniqKey;
  properties[MessageProperty.REAL_TOPIC] = topic;
  properties[MessageProperty.REAL_QID] = String(queueId);
  return { topic: SystemTopic.TRANS_HALF_TOPIC, queueId: HALF_QUEUE_ID, properties };
}

/** Why END_TRANSACTION does not match the half message it names, or undefined. */
export function prepareMismatch(
  half: DecodedMessage | undefined,
  header: EndTransactionRequestHeader,
): string | undefined {
  if (half === undefined || half.topic !== SystemTopic.TRANS_HALF_TOPIC) {
    return 'Find prepared transaction message failed';
  }
  if (half.properties[MessageProperty.PGROUP] !== header.producerGroup) {
    return 'The producer group wrong';
  }
  if (half.queueOffset !== header.tranStateTableOffset) {
    return 'The transaction state table offset wrong';
  }
  if (half.commitLogOffset !== header.commitLogOffset) return 'The commit log offset wrong';
  return undefined;
}

/** The committed message: the half message back in its real topic and queue. */
export function committedMessage(half: DecodedMessage): PutMessageInput | undefined {
  const topic = half.properties[MessageProperty.REAL_TOPIC];
  const queueId = Number(half.properties[MessageProperty.REAL_QID]);
  if (topic === undefined || !Number.isSafeInteger(queueId) || queueId < 0) return undefined;
  const properties = { ...half.properties };
  delete properties[MessageProperty.REAL_TOPIC];
  delete properties[MessageProperty.REAL_QID];
  delete properties[MessageProperty.TRAN_MSG];
  return {
    topic,
    queueId,
    body: half.body,
    properties,
    flag: half.flag,
    sysFlag: withTransactionType(half.sysFlag, SysFlag.TRANSACTION_COMMIT),
    bornTimestamp: half.bornTimestamp,
    bornHost: half.bornHost,
    reconsumeTimes: half.reconsumeTimes,
    preparedTransactionOffset: half.commitLogOffset,
    waitStoreMsgOK: false,
  };
}

/** The op message that marks the half message at `halfQueueOffset` as resolved. */
export function opMessage(
  halfQueueOffset: number,
  transactionId: string | undefined,
): PutMessageInput {
  return {
    topic: SystemTopic.TRANS_OP_HALF_TOPIC,
    queueId: HALF_QUEUE_ID,
    body: Buffer.from(String(halfQueueOffset)),
    tags: REMOVE_TAG,
    ...(transactionId === undefined ? {} : { properties: { [TRANSACTION_ID]: transactionId } }),
    waitStoreMsgOK: false,
  };
}

/** The half queue offset an op message names, or undefined for a malformed op. */
export function opTarget(op: DecodedMessage): number | undefined {
  if (op.properties[MessageProperty.TAGS] !== REMOVE_TAG) return undefined;
  const text = op.body.toString('utf8');
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/**
 * A stored half record as a producer's check listener sees it (CHECK_TRANSACTION_STATE body):
 * the same bytes with its real topic and queue id.
 */
export function recordForCheck(record: Buffer, topic: string, queueId: number): Buffer {
  const layout = emptyLayout();
  const reason = readLayout(record, 0, record.length, layout);
  if (reason !== '') throw new RangeError(`half record: ${reason}`);
  const topicBytes = Buffer.from(topic, 'utf8');
  const head = record.subarray(0, layout.topicOffset - 1);
  const tail = record.subarray(layout.topicOffset + layout.topicLength);
  const out = Buffer.concat([head, Buffer.from([topicBytes.length]), topicBytes, tail]);
  out.writeInt32BE(out.length, 0);
  out.writeInt32BE(queueId, RecordField.QUEUEID);
  return out;
}
