// Starts the DLedger Raft host on its own thread (workers/dledger-worker.ts): the file log, the
// TCP transport on the dLegerPeers port, ticks, elections and heartbeats all run there, so a busy
// or stalled main loop delays neither heartbeats nor fsyncs. The main thread keeps the state
// machine: it gets a RemoteRaftHost (ha/dledger/remote-raft-host.ts) over two rings.

import type { DLedgerPeer } from '../../common/dledger-peers.js';
import { MqError } from '../../common/errors.js';
import { HOST_CHANNEL_DEFAULTS, type LogEvent } from '../../ha/dledger/host-channel.js';
import type { RoleChangeListener } from '../../ha/dledger/host-types.js';
import type { RaftHostOptions } from '../../ha/dledger/raft-host.js';
import { RemoteRaftHost } from '../../ha/dledger/remote-raft-host.js';
import type { Entry } from '../../ha/raft/messages.js';
import { spawnWorker } from '../host/worker-host.js';
import { SpscRing } from '../ring/spsc-ring.js';

/** Plain data for the worker (structured-cloned; the rings are shared). */
export interface RaftWorkerData {
  readonly requests: SharedArrayBuffer;
  readonly events: SharedArrayBuffer;
  readonly selfId: string;
  readonly group: string;
  readonly peers: readonly DLedgerPeer[];
  readonly raftDir: string;
  readonly seed: number;
  readonly tickMs: number;
  readonly maxPendingProposals: number;
  readonly raft: NonNullable<RaftHostOptions['raft']>;
  /** The broker's flushDiskType; ASYNC_FLUSH fsyncs the Raft log every flushIntervalMs. */
  readonly flushDiskType: 'SYNC_FLUSH' | 'ASYNC_FLUSH';
  readonly flushIntervalMs: number;
}

export interface RaftWorkerOptions extends Omit<RaftWorkerData, 'requests' | 'events'> {
  readonly apply: (entries: readonly Entry[]) => void | PromiseLike<void>;
  readonly onRoleChange: RoleChangeListener;
  readonly onFatal: (error: Error) => void;
  readonly onLog: (event: LogEvent) => void;
  readonly startTimeoutMs: number;
  readonly ringBytes?: number;
}

export interface RaftWorker {
  readonly host: RemoteRaftHost;
  /** Closes the host (pending proposals answered CLOSED), its log and sockets; ends the thread. */
  close(deadlineMs: number): Promise<void>;
}

/**
 * Spawns the worker and resolves once its log is recovered and its port listens.
 * @throws the worker's own error (e.g. E_CORRUPT_RECORD from the log) when it cannot start.
 */
export async function startRaftWorker(options: RaftWorkerOptions): Promise<RaftWorker> {
  const ringBytes = options.ringBytes ?? HOST_CHANNEL_DEFAULTS.ringBytes;
  const requests = SpscRing.create(ringBytes);
  const events = SpscRing.create(ringBytes);
  const { apply, onRoleChange, onFatal, onLog, startTimeoutMs, ringBytes: _, ...rest } = options;
  const data: RaftWorkerData = { ...rest, requests: requests.sab, events: events.sab };
  const host = new RemoteRaftHost({
    id: options.selfId,
    requests,
    events,
    apply,
    onRoleChange,
    onFatal,
    onLog,
    maxPendingProposals: options.maxPendingProposals,
  });
  const handle = await spawnWorker({
    entry: new URL('../dledger-worker.js', import.meta.url),
    workerData: data,
    readyTimeoutMs: startTimeoutMs,
    name: 'dledger',
  }).catch((error: unknown) => {
    const cause = error instanceof MqError ? error.cause : undefined;
    throw cause instanceof MqError ? cause : error;
  });
  handle.onExit((error) => host.fail(error));
  const running = host.start();
  return {
    host,
    close: async (deadlineMs) => {
      host.close();
      await handle.close(deadlineMs);
      await running;
    },
  };
}
