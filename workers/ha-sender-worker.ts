// Entry of the HA sender thread (wiring only; the logic is ha/master-slave/ha-sender.ts).

import { systemClock } from '../common/clock.js';
import { TailCache } from '../engine/commitlog/tail-cache.js';
import { PositionSlot, StorePositions } from '../engine/store-positions.js';
import { HaSender } from '../ha/master-slave/ha-sender.js';
import { runWorker } from './host/worker-side.js';
import {
  type HaLogLine,
  type HaReplicasQuery,
  type HaReplicasReply,
  type HaSenderWorkerData,
  haCommitLogView,
  haSenderOptions,
} from './store/ha-sender-host.js';

runWorker<HaSenderWorkerData>(async (ctx) => {
  const d = ctx.data;
  const positions = new StorePositions(d.positions);
  const tailCache = TailCache.attach(d.tailCache, d.tailCacheFloor);
  const commitLog = haCommitLogView(d.options);
  const log = (level: HaLogLine['level']) => (message: string) =>
    d.logPort.postMessage({ level, message } satisfies HaLogLine);
  const logger = { info: log('info'), warn: log('warn') };
  const sender = new HaSender(haSenderOptions(d.options), {
    positions,
    tailCache,
    commitLog,
    epochStarts: d.epochStarts,
    epochEntries: d.epochEntries,
    clock: systemClock,
    logger,
  });
  positions.set(PositionSlot.HA_PORT, await sender.start());
  d.logPort.on('message', (query: HaReplicasQuery) => {
    const reply: HaReplicasReply = { replicasReply: query.replicasQuery, links: sender.inspect() };
    d.logPort.postMessage(reply);
  });
  ctx.onControl((message) => {
    if (message.type !== 'CLOSE') return;
    void sender.close().then(() => {
      commitLog.close();
      d.logPort.close();
      ctx.closed();
    });
  });
  ctx.ready();
});
