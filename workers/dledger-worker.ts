// Entry of the DLedger thread (wiring only): the file log, the TCP transport and the RaftHost of
// ha/dledger, served to the main thread through a HostEndpoint (raft-worker-host.ts starts it).

import { fdatasync as fdatasyncCallback } from 'node:fs';
import { promisify } from 'node:util';
import { createPrng } from '../common/prng.js';
import { NodeFileIO } from '../engine/io/node-file-io.js';
import { FileLogStore } from '../ha/dledger/file-log-store.js';
import { HostEndpoint } from '../ha/dledger/host-endpoint.js';
import { timerScheduler } from '../ha/dledger/host-types.js';
import { RaftHost } from '../ha/dledger/raft-host.js';
import { TcpTransport } from '../ha/dledger/tcp-transport.js';
import type { RaftWorkerData } from './dledger/raft-worker-host.js';
import { runWorker } from './host/worker-side.js';
import { SpscRing } from './ring/spsc-ring.js';

const fdatasync = promisify(fdatasyncCallback);

runWorker<RaftWorkerData>(async (ctx) => {
  const d = ctx.data;
  const events = SpscRing.attach(d.events);
  events.deferWakes();
  // Only peers of the group are counted: the table stays as small as dLegerPeers.
  const lastHeardMs: Record<string, number> = Object.fromEntries(
    d.peers.filter((p) => p.id !== d.selfId).map((p) => [p.id, 0]),
  );
  const endpoint = new HostEndpoint({
    requests: SpscRing.attach(d.requests),
    events,
    scheduler: timerScheduler,
    statusIntervalMs: d.tickMs,
    maxOutboxRecords: d.maxPendingProposals + 100_000,
    lastHeardMs: () => lastHeardMs,
  });
  const log = FileLogStore.open({
    io: new NodeFileIO(),
    dir: d.raftDir,
    flushDiskType: d.flushDiskType,
    onTruncate: (tail) =>
      endpoint.log('warn', 'Raft log: a divergent tail was moved aside', { ...tail }),
  });
  let host: RaftHost | undefined;
  const transport = new TcpTransport({
    group: d.group,
    selfId: d.selfId,
    peerIds: d.peers.map((p) => p.id),
    listenHost: d.peers.find((p) => p.id === d.selfId)?.host ?? '127.0.0.1',
    listenPort: d.peers.find((p) => p.id === d.selfId)?.port ?? 0,
    onMessage: (m) => {
      if (lastHeardMs[m.from] !== undefined) lastHeardMs[m.from] = Date.now();
      host?.deliver(m);
    },
    onError: (error, peerId) =>
      endpoint.log('debug', 'DLedger link', { peerId, error: error.message }),
  });
  try {
    await transport.listen();
  } catch (error) {
    log.close();
    throw error;
  }
  host = new RaftHost({
    id: d.selfId,
    peers: d.peers.map((p) => p.id),
    storage: log,
    transport,
    scheduler: timerScheduler,
    prng: createPrng(d.seed),
    apply: endpoint.apply,
    onRoleChange: endpoint.onRoleChange,
    onFatal: endpoint.onFatal,
    tickMs: d.tickMs,
    maxPendingProposals: d.maxPendingProposals,
    raft: d.raft,
  });
  endpoint.attach(host);
  transport.connect(d.peers);
  host.start();
  const raftHost = host;
  const fail = (error: unknown): void => {
    raftHost.close();
    endpoint.onFatal(error as Error);
  };
  // ASYNC_FLUSH: the periodic fsync runs on libuv's pool, never blocking heartbeats.
  let flushing: Promise<void> | null = null;
  const flushAsync = (): void => {
    flushing ??= log
      .flushWith((fd) => fdatasync(fd))
      .catch(fail)
      .finally(() => {
        flushing = null;
      });
  };
  const cancelFlush =
    d.flushDiskType === 'ASYNC_FLUSH' ? timerScheduler.repeat(d.flushIntervalMs, flushAsync) : null;
  ctx.onControl((message) => {
    if (message.type !== 'CLOSE') return;
    cancelFlush?.();
    endpoint.close();
    void Promise.all([transport.close(), flushing]).then(() => {
      try {
        if (d.flushDiskType === 'ASYNC_FLUSH') log.flush();
      } catch (error) {
        endpoint.log('error', 'Raft log: the last flush failed', { error: String(error) });
      }
      log.close();
      ctx.closed();
    });
  });
  ctx.ready();
});
