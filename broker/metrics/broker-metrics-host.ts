// Starts the broker's Prometheus endpoint when metricsExporterType=PROM (RocketMQ 5's key), on
// metricsPromExporterHost (default: the broker's bindAddress) and metricsPromExporterPort.

import { startPromExporter } from '../../server/metrics/prom-exporter.js';
import type { BrokerContext } from '../broker-context.js';
import { createBrokerMetrics } from './broker-metrics.js';

export interface RunningMetrics {
  readonly url: string;
  close(): Promise<void>;
}

export async function startBrokerMetrics(
  ctx: BrokerContext,
  /** Master/Slave replication (a DLedger member reports no master link: its Raft log is its link). */
  replication: { isMasterReachable?(): boolean },
  bindAddress: string,
): Promise<RunningMetrics | undefined> {
  const { config } = ctx;
  if (config.metricsExporterType !== 'PROM') return undefined;
  const metrics = createBrokerMetrics(ctx, () => {
    const ha = ctx.store.haStatus();
    return {
      connectedSlaves: ha.slaveCount,
      masterReachable: replication.isMasterReachable?.() ?? true,
    };
  });
  const host = config.metricsPromExporterHost ?? bindAddress;
  try {
    const exporter = await startPromExporter(
      metrics.registry,
      host,
      config.metricsPromExporterPort,
    );
    ctx.logger.info('Prometheus metrics served', { url: exporter.url });
    return {
      url: exporter.url,
      close: async () => {
        await exporter.close();
        metrics.close();
      },
    };
  } catch (error) {
    metrics.close();
    throw error;
  }
}
