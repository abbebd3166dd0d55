// Consumer offsets with their I/O: clustering consumers read and commit them on the brokers
// (QUERY_CONSUMER_OFFSET / UPDATE_CONSUMER_OFFSET, to the group's master, or to the broker the
// queue is read from when the master is gone); broadcasting consumers keep them in memory and,
// when asked, in a local file. Commits are batched: a round sends only the queues that moved
// since their last successful commit (OffsetTable.dirty), and a failed commit is retried in the
// next round.
//
// RocketMQ: client/.../consumer/store/RemoteBrokerOffsetStore.java, LocalFileOffsetStore.java.

import { ErrorCode, MqError } from '../common/errors.js';
import { queryConsumerOffset, updateConsumerOffset } from './broker-api.js';
import type { ClientInstance, Target } from './client-instance.js';
import { MessageModel } from './consumer-options.js';
import { loadOffsetFile, offsetFilePath, saveOffsetFile } from './local-offset-file.js';
import { formatQueue, type MessageQueue } from './message-queue.js';
import { OffsetTable } from './offset-store.js';
import { findOffsetCommitAddress, findSubscribeAddress, MASTER_ID } from './topic-route.js';

export interface ConsumerOffsetsOptions {
  instance: ClientInstance;
  groupName: string;
  messageModel: MessageModel;
  /** Broadcasting only: where the offsets file lives; null keeps offsets in memory. */
  offsetStoreDir: string | null;
  /** The broker id a queue was last read from (the commit target when the master is gone). */
  readBrokerIdOf(queue: MessageQueue): number;
}

export class ConsumerOffsets {
  readonly table = new OffsetTable();
  readonly #options: ConsumerOffsetsOptions;
  readonly #filePath: string | null;

  constructor(options: ConsumerOffsetsOptions) {
    this.#options = options;
    const { offsetStoreDir, instance, groupName } = options;
    this.#filePath =
      options.messageModel === MessageModel.BROADCASTING && offsetStoreDir !== null
        ? offsetFilePath(offsetStoreDir, instance.options.clientId, groupName)
        : null;
  }

  get isRemote(): boolean {
    return this.#options.messageModel === MessageModel.CLUSTERING;
  }

  /** Broadcasting with a file: loads it. */
  async load(): Promise<void> {
    if (this.#filePath === null) return;
    for (const stored of await loadOffsetFile(this.#filePath)) {
      this.table.update(stored.queue, stored.offset, false);
      this.table.markCommitted(stored.queue, stored.offset);
    }
  }

  /** The broker to read a queue's offset from: the master, else any broker of its group. */
  #readTarget(queue: MessageQueue): Target {
    const found = findSubscribeAddress(
      this.#options.instance.brokerDatas(),
      queue.brokerName,
      MASTER_ID,
    );
    if (found === null) {
      throw new MqError(
        ErrorCode.NO_ROUTE,
        `No broker of group ${queue.brokerName} to read the offset of ${formatQueue(queue)} from`,
        { brokerName: queue.brokerName },
      );
    }
    return { address: found.address, brokerName: queue.brokerName };
  }

  /**
   * The committed offset of `queue`, or null when none is stored. Clustering asks the broker
   * (errors propagate: the caller must not guess an offset when the broker did not answer).
   */
  async readCommitted(queue: MessageQueue): Promise<number | null> {
    if (!this.isRemote) return this.table.read(queue) ?? null;
    const { instance, groupName } = this.#options;
    const offset = await queryConsumerOffset(instance, this.#readTarget(queue), groupName, queue);
    if (offset !== null && offset >= 0) {
      this.table.update(queue, offset, false);
      this.table.markCommitted(queue, offset);
      return offset;
    }
    return null;
  }

  #commitTarget(queue: MessageQueue): Target {
    const address = findOffsetCommitAddress(
      this.#options.instance.brokerDatas(),
      queue.brokerName,
      this.#options.readBrokerIdOf(queue),
    );
    if (address === null) {
      throw new MqError(
        ErrorCode.NO_ROUTE,
        `No broker of group ${queue.brokerName} to commit the offset of ${formatQueue(queue)} to`,
        { brokerName: queue.brokerName },
      );
    }
    return { address, brokerName: queue.brokerName };
  }

  /** Commits one queue's current offset now. */
  async commitQueue(queue: MessageQueue): Promise<void> {
    const offset = this.table.read(queue);
    if (offset === undefined) return;
    if (!this.isRemote) {
      await this.#saveFile();
      return;
    }
    const { instance, groupName } = this.#options;
    await updateConsumerOffset(instance, this.#commitTarget(queue), groupName, queue, offset);
    this.table.markCommitted(queue, offset);
  }

  /** Commits every queue whose offset moved; returns the errors of the ones that failed. */
  async commitDirty(): Promise<Error[]> {
    const dirty = this.table.dirty();
    if (dirty.length === 0) return [];
    if (!this.isRemote) {
      try {
        await this.#saveFile();
        return [];
      } catch (error) {
        return [error instanceof Error ? error : new Error(String(error))];
      }
    }
    const { instance, groupName } = this.#options;
    const results = await Promise.allSettled(
      dirty.map(async ({ queue, offset }) => {
        await updateConsumerOffset(instance, this.#commitTarget(queue), groupName, queue, offset);
        this.table.markCommitted(queue, offset);
      }),
    );
    return results.flatMap((r) =>
      r.status === 'rejected'
        ? [r.reason instanceof Error ? r.reason : new Error(String(r.reason))]
        : [],
    );
  }

  async #saveFile(): Promise<void> {
    const entries = this.table.entries();
    if (this.#filePath !== null) {
      await saveOffsetFile(
        this.#filePath,
        entries.map((e) => ({ queue: e.queue, offset: e.offset })),
      );
    }
    for (const e of entries) this.table.markCommitted(e.queue, e.offset);
  }
}
