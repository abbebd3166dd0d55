// Starts a master's HA sender: on its own worker thread when the store uses threads, else on the
// main thread. Log lines from the worker come back over a MessagePort to the store's logger.

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { ErrorCode, MqError } from '../../common/errors.js';
import type { EpochEntry } from '../../engine/checkpoint/epoch-file.js';
import type { HaReplicaLink, HaSenderHandle } from '../../engine/ha-sender-handle.js';
import { NodeFileIO } from '../../engine/io/node-file-io.js';
import { SegmentedFile } from '../../engine/mapped/segmented-file.js';
import type { HaSenderContext } from '../../engine/open-store.js';
import type { StoreOptions } from '../../engine/options.js';
import { PositionSlot } from '../../engine/store-positions.js';
import { HaSender } from '../../ha/master-slave/ha-sender.js';
import { spawnWorker } from '../host/worker-host.js';

export interface HaSenderWorkerData {
  options: StoreOptions;
  positions: SharedArrayBuffer;
  tailCache: SharedArrayBuffer;
  tailCacheFloor: number;
  epochStarts: number[];
  epochEntries: EpochEntry[] | undefined;
  logPort: MessagePort;
}

export interface HaLogLine {
  level: 'info' | 'warn';
  message: string;
}

/** Main -> worker over the log port: which slaves stream now. */
export interface HaReplicasQuery {
  replicasQuery: number;
}

/** Worker -> main: the answer to the query of the same number. */
export interface HaReplicasReply {
  replicasReply: number;
  links: HaReplicaLink[];
}

/** Queries in flight to the sender thread at once, and how long one may take. */
const MAX_REPLICA_QUERIES = 16;
const REPLICA_QUERY_TIMEOUT_MS = 2000;

/** Asks the sender thread for its slaves over the port that carries its log lines. */
class ReplicaQueries {
  readonly #port: MessagePort;
  readonly #pending = new Map<number, (links: HaReplicaLink[] | Error) => void>();
  #next = 1;

  constructor(port: MessagePort) {
    this.#port = port;
  }

  onReply(reply: HaReplicasReply): void {
    this.#pending.get(reply.replicasReply)?.(reply.links);
  }

  ask(): Promise<HaReplicaLink[]> {
    if (this.#pending.size >= MAX_REPLICA_QUERIES)
      return Promise.reject(
        new MqError(ErrorCode.TOO_MANY_PENDING_REQUESTS, 'too many HA status queries in flight'),
      );
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => settle(new MqError(ErrorCode.REQUEST_TIMEOUT, 'the HA sender did not answer')),
        REPLICA_QUERY_TIMEOUT_MS,
      );
      timer.unref();
      const settle = (result: HaReplicaLink[] | Error) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      this.#pending.set(id, settle);
      this.#port.postMessage({ replicasQuery: id } satisfies HaReplicasQuery);
    });
  }
}

export function haSenderOptions(o: StoreOptions) {
  return {
    host: o.haListenHost,
    port: o.haListenPort,
    transferBatchBytes: o.haTransferBatchSize,
    heartbeatIntervalMs: o.haSendHeartbeatInterval,
    housekeepingIntervalMs: o.haHousekeepingInterval,
    maxSlaves: o.haMaxSlaves,
  };
}

export function haCommitLogView(o: StoreOptions): SegmentedFile {
  const view = new SegmentedFile(
    new NodeFileIO(),
    o.storePathCommitLog,
    o.mappedFileSizeCommitLog,
    { followsWriter: true },
  );
  view.refresh();
  return view;
}

/** The HA sender a broker injects into openStore: on its own worker unless `threads: false`. */
export function createHaSenderFactory() {
  return async (context: HaSenderContext): Promise<HaSenderHandle> => {
    const { options, positions, tailCache, epochStarts, epochEntries, clock, logger } = context;
    if (!options.threads) {
      const commitLog = haCommitLogView(options);
      const sender = new HaSender(haSenderOptions(options), {
        positions,
        tailCache,
        commitLog,
        epochStarts,
        epochEntries,
        clock,
        logger,
      });
      positions.set(PositionSlot.HA_PORT, await sender.start());
      return {
        replicas: async () => sender.inspect(),
        close: async () => {
          await sender.close();
          commitLog.close();
        },
      };
    }
    const { port1, port2 } = new MessageChannel();
    const queries = new ReplicaQueries(port1);
    port1.on('message', (message: HaLogLine | HaReplicasReply) => {
      if ('replicasReply' in message) queries.onReply(message);
      else logger[message.level](message.message);
    });
    port1.unref();
    const data: HaSenderWorkerData = {
      options: { ...options },
      positions: positions.sab,
      tailCache: tailCache.sab,
      tailCacheFloor: tailCache.floorOffset,
      epochStarts: [...epochStarts],
      epochEntries: epochEntries?.map((e) => ({ ...e })),
      logPort: port2,
    };
    const handle = await spawnWorker({
      entry: new URL('../ha-sender-worker.js', import.meta.url),
      workerData: data,
      readyTimeoutMs: options.workerShutdownTimeoutMs,
      name: 'ha-sender',
      transferList: [port2],
    });
    handle.unref();
    return {
      replicas: () => queries.ask(),
      close: async () => {
        await handle.close(options.workerShutdownTimeoutMs);
        port1.close();
      },
    };
  };
}
