// Metrics keys, with RocketMQ 5's names (BrokerConfig.metricsExporterType, metricsPromExporterHost,
// metricsPromExporterPort): a broker or NameServer with metricsExporterType=PROM serves Prometheus
// text on http://<host>:<port>/metrics. RocketMQ 5's other exporters (OTLP_GRPC, LOG) are not
// implemented and are refused, since a file asking for them expects metrics to go somewhere.
// RocketMQ: common/.../BrokerConfig.java, common/.../metrics/MetricsExporterType.java.

import { int, oneOf, type Schema, str } from './schema.js';

export const metricsSchema = {
  metricsExporterType: oneOf(['DISABLE', 'PROM'], {
    default: 'DISABLE',
    petrelOnly: true,
    doc: "PROM serves Prometheus metrics over HTTP; DISABLE serves none. RocketMQ 5's key (4.x has none); its OTLP_GRPC and LOG exporters are refused.",
  }),
  metricsPromExporterHost: str({
    optional: true,
    petrelOnly: true,
    doc: "Address the Prometheus endpoint listens on; unset means the remoting port's bindAddress (RocketMQ 5's key; 4.x has none).",
  }),
  metricsPromExporterPort: int({
    min: 0,
    max: 65535,
    default: 5557,
    petrelOnly: true,
    doc: "Port of the Prometheus endpoint (0 picks a free one, printed at start as `metrics http://host:port/metrics`). RocketMQ 5's key; 4.x has none.",
  }),
} satisfies Schema;
