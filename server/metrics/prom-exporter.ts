// The Prometheus endpoint of a broker or NameServer (metricsExporterType=PROM): GET /metrics
// answers the registry's text exposition; every value is computed when Prometheus scrapes, so
// serving requests never touches prom-client. Any other path is 404.
// RocketMQ 5: BrokerMetricsManager starts an OpenTelemetry PrometheusHttpServer on
// metricsPromExporterHost:metricsPromExporterPort.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { ErrorCode, MqError } from '../../common/errors.js';

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
  await listen(server, host, port);
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

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      reject(
        new MqError(
          ErrorCode.LISTEN_FAILED,
          `The Prometheus endpoint cannot listen on ${host}:${port} (metricsPromExporterHost / metricsPromExporterPort): ${error.message}`,
          { host, port },
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen({ host: host === '' ? undefined : host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
