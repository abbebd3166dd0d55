// All ConsumeQueues of a store, keyed by topic then queue id (RocketMQ's consumeQueueTable).
// Each thread that touches queues holds its own table: the writer appends, readers read.

import { ConsumeQueue } from '../consumequeue/consume-queue.js';
import type { FileIO } from '../io/file-io.js';

export class ConsumeQueueTable {
  #io: FileIO;
  #rootDir: string;
  #segmentBytes: number;
  #followsWriter: boolean;
  #topics = new Map<string, Array<ConsumeQueue | undefined>>();

  constructor(
    io: FileIO,
    rootDir: string,
    segmentBytes: number,
    options: { followsWriter?: boolean } = {},
  ) {
    this.#io = io;
    this.#rootDir = rootDir;
    this.#segmentBytes = segmentBytes;
    this.#followsWriter = options.followsWriter === true;
  }

  get(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.#topics.get(topic)?.[queueId];
  }

  getOrCreate(topic: string, queueId: number): ConsumeQueue {
    let queues = this.#topics.get(topic);
    if (queues === undefined) {
      queues = [];
      this.#topics.set(topic, queues);
    }
    let cq = queues[queueId];
    if (cq === undefined) {
      cq = new ConsumeQueue(this.#io, this.#rootDir, topic, queueId, this.#segmentBytes, {
        followsWriter: this.#followsWriter,
      });
      queues[queueId] = cq;
    }
    return cq;
  }

  /** Deletes a queue's files and starts it over empty (a rebuild from the CommitLog follows). */
  reset(topic: string, queueId: number): ConsumeQueue {
    this.get(topic, queueId)?.close();
    const dir = `${this.#rootDir}/consumequeue/${topic}/${queueId}`;
    for (const name of this.#io.list(dir)) this.#io.unlink(`${dir}/${name}`);
    const queues = this.#topics.get(topic);
    if (queues !== undefined) queues[queueId] = undefined;
    return this.getOrCreate(topic, queueId);
  }

  /** Topic and queue directories found on disk. */
  listOnDisk(): Array<{ topic: string; queueId: number }> {
    const out: Array<{ topic: string; queueId: number }> = [];
    const base = `${this.#rootDir}/consumequeue`;
    for (const topic of this.#io.list(base)) {
      for (const id of this.#io.list(`${base}/${topic}`)) {
        if (/^\d+$/.test(id)) out.push({ topic, queueId: Number(id) });
      }
    }
    return out;
  }

  *all(): Generator<ConsumeQueue> {
    for (const queues of this.#topics.values())
      for (const cq of queues) if (cq !== undefined) yield cq;
  }

  topics(): string[] {
    return [...this.#topics.keys()];
  }

  queuesOf(topic: string): ConsumeQueue[] {
    return (this.#topics.get(topic) ?? []).filter((q): q is ConsumeQueue => q !== undefined);
  }

  close(): void {
    for (const cq of this.all()) cq.close();
    this.#topics.clear();
  }
}
