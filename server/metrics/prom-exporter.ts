// The Prometheus endpoint of a broker or NameServer (metricsExporterType=PROM): GET /metrics
// answers the registry's text exposition; every value is computed when Prometheus scrapes, so
// serving requests never touches prom-client. Any other path is 404.
// RocketMQ 5: BrokerMetricsManager starts an OpenTelemetry PrometheusHttpServer on
// metricsPromExporterHost:metricsPromExporterPort.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { listenHttpOrExplain } from '../listen.js';

export interface PromExporter {
  /** http://host:port/metrics as bound (port 0 resolved). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startPromExporter(
  registry: Registry,
  host: string,
  port: number,
): Promise<PromExporter> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) =>
        response
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  await listenHttpOrExplain(
    server,
    'Prometheus endpoint (metricsPromExporterHost / metricsPromExporterPort)',
    host,
    port,
  );
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host === '' || host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${bound}/metrics`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
