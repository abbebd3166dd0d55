// The NameServer's Prometheus registry (metricsExporterType=PROM): the routes it hands out, read
// when Prometheus scrapes. RocketMQ 5's NameServer has no metrics endpoint; the names follow its
// broker's (rocketmq_topic_number) with node_type="namesrv", and petrel_ names for the rest.

import { Registry } from 'prom-client';
import type { NamesrvConfig } from '../config/load.js';
import { registerProcessMetrics } from '../server/metrics/process-metrics.js';
import { type PromExporter, startPromExporter } from '../server/metrics/prom-exporter.js';
import { scrapedGauge } from '../server/metrics/scraped-metrics.js';
import type { RouteInfoTable } from './route-info-table.js';

export async function startNamesrvMetrics(
  config: NamesrvConfig,
  routes: RouteInfoTable,
  port: number,
): Promise<PromExporter | undefined> {
  if (config.metricsExporterType !== 'PROM') return undefined;
  const registry = new Registry();
  registry.setDefaultLabels({ node_type: 'namesrv', node_id: `namesrv:${port}` });
  const stopProcess = registerProcessMetrics(registry, {});
  scrapedGauge({
    registry,
    name: 'rocketmq_topic_number',
    help: 'Topics in the route table.',
    labelNames: [],
    read: () => [[{}, routes.allTopics().length]],
  });
  scrapedGauge({
    registry,
    name: 'petrel_namesrv_brokers',
    help: 'Brokers registered now, per cluster, broker group and broker id.',
    labelNames: ['cluster', 'broker_name', 'broker_id'],
    read: () => {
      const info = routes.clusterInfo();
      const samples: Array<readonly [Record<string, string>, number]> = [];
      for (const [cluster, names] of Object.entries(info.clusterAddrTable)) {
        for (const name of names) {
          for (const id of Object.keys(info.brokerAddrTable[name]?.brokerAddrs ?? {})) {
            samples.push([{ cluster, broker_name: name, broker_id: id }, 1]);
          }
        }
      }
      return samples;
    },
  });
  const host = config.metricsPromExporterHost ?? config.bindAddress;
  try {
    const exporter = await startPromExporter(registry, host, config.metricsPromExporterPort);
    return {
      ...exporter,
      close: async () => {
        await exporter.close();
        stopProcess();
      },
    };
  } catch (error) {
    stopProcess();
    throw error;
  }
}
