// Starts a master's HA sender: on its own worker thread when the store uses threads, else on the
// main thread. Log lines from the worker come back over a MessagePort to the store's logger.

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { EpochEntry } from '../../engine/checkpoint/epoch-file.js';
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
  return async (context: HaSenderContext): Promise<{ close(): Promise<void> }> => {
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
        close: async () => {
          await sender.close();
          commitLog.close();
        },
      };
    }
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (line: HaLogLine) => logger[line.level](line.message));
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
      close: async () => {
        await handle.close(options.workerShutdownTimeoutMs);
        port1.close();
      },
    };
  };
}
