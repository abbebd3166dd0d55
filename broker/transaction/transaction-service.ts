// Resolves transactions: END_TRANSACTION commits or rolls back a half message, and the check
// service asks a producer of the group (CHECK_TRANSACTION_STATE) about half messages left
// unresolved for transactionTimeOut, every transactionCheckInterval, at most transactionCheckMax
// times; then the half message is moved to TRANS_CHECK_MAX_TIME_TOPIC and dropped.
//
// State, rebuilt from the store whenever this broker becomes master: the half and op queues are
// read from the check group's committed offsets (CID_RMQ_SYS_TRANS, kept with the consumer offsets
// and copied to slaves); unresolved half messages are indexed in memory, resolved ones are known
// from the op queue. Unlike RocketMQ, a checked half message is not written again to the half
// queue: its check count lives in the index, so a commit answered for any check of one
// transaction resolves it once, and a second END_TRANSACTION for a resolved half message is
// answered SUCCESS without storing the message again.
//
// Progress: every half offset below `halfProgress` is resolved or dropped; the op queue is read
// again from `opProgress` after a restart, which never passes an op naming a half offset at or
// above halfProgress. Bounded: at most maxPendingTransactions indexed (reading the half queue
// pauses beyond), batches of 32 per read, a bounded number of reads and checks per tick.
//
// RocketMQ: broker/.../transaction/queue/TransactionalMessageServiceImpl.java (check),
// TransactionalMessageCheckService.java, AbstractTransactionalMessageCheckListener.java
// (sendCheckMessage, resolveDiscardMsg), processor/EndTransactionProcessor.java.

import type { Clock } from '../../common/clock.js';
import { encodeHostAddress } from '../../common/host-address.js';
import { createOffsetMessageId, type DecodedMessage, SysFlag } from '../../common/message-codec.js';
import { SystemTopic } from '../../common/topic-rules.js';
import type { GetMessageResult } from '../../engine/index.js';
import {
  createRequest,
  type EndTransactionRequestHeader,
  type Logger,
  MessageProperty,
  type RemotingConnection,
  RequestCode,
  ResponseCode,
} from '../../protocol/index.js';
import { type ScheduleStore, STORED } from '../schedule-message-service.js';
import {
  committedMessage,
  HALF_QUEUE_ID,
  opMessage,
  opTarget,
  prepareMismatch,
  recordForCheck,
  TRANSACTION_CHECK_GROUP,
  TRANSACTION_ID,
} from './half-message.js';

export interface TransactionStore extends ScheduleStore {
  lookMessageByOffset(commitLogOffset: number): Promise<DecodedMessage | undefined>;
  getMaxPhyOffset(): number;
  waitMaxPhyOffsetChange(seen: number, timeoutMs: number): Promise<void>;
}

/** How long END_TRANSACTION waits for a half message acknowledged but not yet readable here. */
const HALF_VISIBLE_WAIT_MS = 1000;

export interface TransactionServiceOptions {
  store(): TransactionStore;
  offsets: {
    query(group: string, topic: string, queueId: number): number;
    commit(group: string, topic: string, queueId: number, offset: number): boolean;
  };
  /** Creates a system topic the service writes to, so that tools can read it. */
  ensureTopic(topic: string): void;
  /** A live connection of a producer of `group`, if any. */
  producerChannel(group: string): RemotingConnection | undefined;
  isActive(): boolean;
  clock: Clock;
  logger: Logger;
  timeoutMs: number;
  checkIntervalMs: number;
  checkMax: number;
  maxPending: number;
}

interface Pending {
  commitLogOffset: number;
  group: string;
  storeTimestamp: number;
  immunityMs: number | undefined;
  checks: number;
  lastCheckMs: number;
}

export interface EndOutcome {
  code: number;
  remark: string | null;
}

const BATCH = 32;
const MAX_READS_PER_TICK = 64;
const MAX_CHECKS_PER_TICK = 1000;

export class TransactionService {
  readonly #o: TransactionServiceOptions;
  #loaded = false;
  #halfProgress = 0;
  #scannedHalf = 0;
  #scannedOp = 0;
  readonly #pending = new Map<number, Pending>();
  /** Resolved half offsets at or above halfProgress -> the op's queue offset. */
  readonly #resolvedAhead = new Map<number, number>();
  #lock: Promise<unknown> = Promise.resolve();

  constructor(options: TransactionServiceOptions) {
    this.#o = options;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Runs `task` after every earlier one: END_TRANSACTION and ticks never interleave. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(task, task);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** END_TRANSACTION from a producer (after its local transaction, or answering a check). */
  endTransaction(header: EndTransactionRequestHeader): Promise<EndOutcome> {
    return this.#serial(() => this.#end(header));
  }

  /** Reads new half and op messages, checks what is due, records progress. */
  tick(): Promise<void> {
    return this.#serial(() => this.#tick());
  }

  async #end(header: EndTransactionRequestHeader): Promise<EndOutcome> {
    if (!this.#o.isActive()) {
      return {
        code: ResponseCode.SLAVE_NOT_AVAILABLE,
        remark: 'end transaction is forbidden on a slave',
      };
    }
    const type = header.commitOrRollback;
    if (type !== SysFlag.TRANSACTION_COMMIT && type !== SysFlag.TRANSACTION_ROLLBACK) {
      return { code: ResponseCode.SUCCESS, remark: 'the transaction stays unresolved' };
    }
    const half = await this.#findHalf(header.commitLogOffset);
    const mismatch = prepareMismatch(half, header);
    if (mismatch !== undefined || half === undefined) {
      return { code: ResponseCode.SYSTEM_ERROR, remark: mismatch ?? 'no half message' };
    }
    await this.#refresh();
    if (this.#isResolved(half.queueOffset)) {
      return { code: ResponseCode.SUCCESS, remark: 'the transaction was already resolved' };
    }
    if (type === SysFlag.TRANSACTION_COMMIT) {
      const outcome = await this.#commit(half);
      if (outcome !== undefined) return outcome;
    }
    await this.#resolve(half, type === SysFlag.TRANSACTION_COMMIT ? 'commit' : 'rollback');
    return { code: ResponseCode.SUCCESS, remark: null };
  }

  /**
   * The half message at `commitLogOffset`. A replica may acknowledge a message (DLedger: once a
   * majority holds it) a moment before it can read it back: such an offset is waited for.
   */
  async #findHalf(commitLogOffset: number): Promise<DecodedMessage | undefined> {
    const store = this.#o.store();
    const deadlineMs = this.#o.clock.monotonicMs() + HALF_VISIBLE_WAIT_MS;
    for (;;) {
      const half = await store.lookMessageByOffset(commitLogOffset);
      const end = store.getMaxPhyOffset();
      const leftMs = deadlineMs - this.#o.clock.monotonicMs();
      if (half !== undefined || commitLogOffset < end || leftMs <= 0) return half;
      await store.waitMaxPhyOffsetChange(end, leftMs);
    }
  }

  async #commit(half: DecodedMessage): Promise<EndOutcome | undefined> {
    const message = committedMessage(half);
    if (message === undefined) {
      return {
        code: ResponseCode.SYSTEM_ERROR,
        remark: 'the half message has no REAL_TOPIC / REAL_QID',
      };
    }
    const put = await this.#o.store().putMessage(message);
    if (STORED.has(put.status)) return undefined;
    const code =
      put.status === 'OS_PAGE_CACHE_BUSY' ? ResponseCode.SYSTEM_BUSY : ResponseCode.SYSTEM_ERROR;
    return { code, remark: `the committed message was not stored: ${put.reason ?? put.status}` };
  }

  /** Writes the op message and forgets the half message. */
  async #resolve(half: DecodedMessage, how: string): Promise<void> {
    const txId = half.properties[TRANSACTION_ID] ?? half.properties[MessageProperty.UNIQ_KEY];
    const put = await this.#o.store().putMessage(opMessage(half.queueOffset, txId));
    this.#pending.delete(half.queueOffset);
    if (half.queueOffset >= this.#halfProgress) {
      this.#resolvedAhead.set(half.queueOffset, put.queueOffset ?? this.#scannedOp);
    }
    if (!STORED.has(put.status)) {
      this.#o.logger.error(
        'Transaction op message not stored: the half message may be checked again after a restart',
        {
          halfQueueOffset: half.queueOffset,
          how,
          status: put.status,
        },
      );
    }
  }

  #isResolved(halfOffset: number): boolean {
    if (halfOffset < this.#halfProgress || this.#resolvedAhead.has(halfOffset)) return true;
    return halfOffset < this.#scannedHalf && !this.#pending.has(halfOffset);
  }

  #load(): void {
    const store = this.#o.store();
    const start = (topic: string) => {
      const committed = this.#o.offsets.query(TRANSACTION_CHECK_GROUP, topic, HALF_QUEUE_ID);
      return Math.max(committed, store.getMinOffsetInQueue(topic, HALF_QUEUE_ID), 0);
    };
    this.#halfProgress = start(SystemTopic.TRANS_HALF_TOPIC);
    this.#scannedHalf = this.#halfProgress;
    this.#scannedOp = start(SystemTopic.TRANS_OP_HALF_TOPIC);
    this.#pending.clear();
    this.#resolvedAhead.clear();
    this.#loaded = true;
  }

  async #refresh(): Promise<void> {
    if (!this.#loaded) this.#load();
    await this.#readOps();
    await this.#readHalves();
  }

  /** Up to `count` messages (decoded, and as stored) of a half or op queue from `from`. */
  async #read(topic: string, from: number, count = BATCH): Promise<GetMessageResult> {
    return this.#o.store().getMessage({
      topic,
      queueId: HALF_QUEUE_ID,
      queueOffset: from,
      maxMsgNums: count,
    });
  }

  async #readOps(): Promise<void> {
    for (let reads = 0; reads < MAX_READS_PER_TICK; reads++) {
      const result = await this.#read(SystemTopic.TRANS_OP_HALF_TOPIC, this.#scannedOp);
      for (const op of result.messages) {
        const target = opTarget(op);
        if (target === undefined || target < this.#halfProgress) continue;
        this.#pending.delete(target);
        if (!this.#resolvedAhead.has(target)) this.#resolvedAhead.set(target, op.queueOffset);
      }
      if (!this.#advance(result, (offset) => (this.#scannedOp = offset), this.#scannedOp)) return;
    }
  }

  async #readHalves(): Promise<void> {
    for (let reads = 0; reads < MAX_READS_PER_TICK; reads++) {
      if (this.#pending.size >= this.#o.maxPending) return;
      const result = await this.#read(SystemTopic.TRANS_HALF_TOPIC, this.#scannedHalf);
      for (const half of result.messages) {
        if (this.#pending.size >= this.#o.maxPending) return;
        this.#scannedHalf = half.queueOffset + 1;
        if (this.#resolvedAhead.has(half.queueOffset)) continue;
        const immunity = Number(half.properties[MessageProperty.CHECK_IMMUNITY_TIME_IN_SECONDS]);
        this.#pending.set(half.queueOffset, {
          commitLogOffset: half.commitLogOffset,
          group: half.properties[MessageProperty.PGROUP] ?? '',
          storeTimestamp: half.storeTimestamp,
          immunityMs: Number.isFinite(immunity) && immunity > 0 ? immunity * 1000 : undefined,
          checks: 0,
          lastCheckMs: Number.NEGATIVE_INFINITY,
        });
      }
      if (!this.#advance(result, (offset) => (this.#scannedHalf = offset), this.#scannedHalf))
        return;
    }
  }

  /** Moves a read position past what a read returned; false when there is nothing more now. */
  #advance(result: GetMessageResult, set: (offset: number) => void, at: number): boolean {
    const movesOn = result.status === 'FOUND' || result.status === 'OFFSET_TOO_SMALL';
    if (movesOn && result.nextBeginOffset > at) set(result.nextBeginOffset);
    return movesOn && result.nextBeginOffset > at;
  }

  async #tick(): Promise<void> {
    if (!this.#o.isActive()) {
      this.#loaded = false;
      return;
    }
    await this.#refresh();
    const nowMs = this.#o.clock.nowMs();
    let checks = 0;
    for (const [halfOffset, p] of [...this.#pending]) {
      if (checks >= MAX_CHECKS_PER_TICK) break;
      if (nowMs - p.storeTimestamp < (p.immunityMs ?? this.#o.timeoutMs)) continue;
      if (nowMs - p.lastCheckMs < this.#o.checkIntervalMs) continue;
      checks++;
      if (p.checks >= this.#o.checkMax) await this.#discard(halfOffset, p);
      else await this.#check(halfOffset, p, nowMs);
    }
    this.#recordProgress();
  }

  /** Asks a producer of the group; a check counts only when a producer was there to ask. */
  async #check(halfOffset: number, p: Pending, nowMs: number): Promise<void> {
    p.lastCheckMs = nowMs;
    const channel = this.#o.producerChannel(p.group);
    if (channel === undefined) {
      this.#o.logger.debug('No producer of the group to check a transaction with', {
        group: p.group,
        halfQueueOffset: halfOffset,
      });
      return;
    }
    const raw = await this.#read(SystemTopic.TRANS_HALF_TOPIC, halfOffset, 1);
    const half = raw.messages[0];
    const record = raw.records[0];
    if (half === undefined || record === undefined || half.queueOffset !== halfOffset) return;
    p.checks++;
    const realTopic = half.properties[MessageProperty.REAL_TOPIC] ?? half.topic;
    const realQueueId = Number(half.properties[MessageProperty.REAL_QID] ?? 0);
    const uniqKey = half.properties[MessageProperty.UNIQ_KEY] ?? '';
    const request = createRequest(
      RequestCode.CHECK_TRANSACTION_STATE,
      {
        tranStateTableOffset: halfOffset,
        commitLogOffset: half.commitLogOffset,
        msgId: uniqKey,
        transactionId: half.properties[TRANSACTION_ID] ?? uniqKey,
        offsetMsgId: createOffsetMessageId(encodeHostAddress(half.storeHost), half.commitLogOffset),
      },
      recordForCheck(record, realTopic, realQueueId),
    );
    channel.invokeOneway(request).catch((error: unknown) => {
      this.#o.logger.warn('Transaction check not sent', { group: p.group, error: String(error) });
    });
  }

  /** After transactionCheckMax checks: kept in TRANS_CHECK_MAX_TIME_TOPIC, resolved here. */
  async #discard(halfOffset: number, p: Pending): Promise<void> {
    const half = await this.#o.store().lookMessageByOffset(p.commitLogOffset);
    if (half === undefined) {
      this.#pending.delete(halfOffset);
      return;
    }
    this.#o.ensureTopic(SystemTopic.TRANS_CHECK_MAX_TIME_TOPIC);
    await this.#o.store().putMessage({
      topic: SystemTopic.TRANS_CHECK_MAX_TIME_TOPIC,
      queueId: 0,
      body: half.body,
      properties: half.properties,
      flag: half.flag,
      bornTimestamp: half.bornTimestamp,
      bornHost: half.bornHost,
      waitStoreMsgOK: false,
    });
    this.#o.logger.warn('Transaction dropped after transactionCheckMax checks', {
      group: p.group,
      halfQueueOffset: halfOffset,
      checks: p.checks,
      topic: half.properties[MessageProperty.REAL_TOPIC],
      keptIn: SystemTopic.TRANS_CHECK_MAX_TIME_TOPIC,
    });
    await this.#resolve(half, 'dropped after the last check');
  }

  #recordProgress(): void {
    let half = this.#scannedHalf;
    for (const offset of this.#pending.keys()) half = Math.min(half, offset);
    this.#halfProgress = half;
    let op = this.#scannedOp;
    for (const [offset, opOffset] of [...this.#resolvedAhead]) {
      if (offset < half) this.#resolvedAhead.delete(offset);
      else op = Math.min(op, opOffset);
    }
    const { offsets } = this.#o;
    offsets.commit(TRANSACTION_CHECK_GROUP, SystemTopic.TRANS_HALF_TOPIC, HALF_QUEUE_ID, half);
    offsets.commit(TRANSACTION_CHECK_GROUP, SystemTopic.TRANS_OP_HALF_TOPIC, HALF_QUEUE_ID, op);
  }
}
