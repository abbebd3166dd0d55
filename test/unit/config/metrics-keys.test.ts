// RocketMQ 5's metrics keys: PROM and DISABLE load on a broker and a NameServer; the exporters
// Petrel does not have (OTLP_GRPC, LOG) are refused with the key and its line, since a file
// asking for them expects its metrics to go somewhere.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadBrokerConfig, loadNamesrvConfig } from '../../../config/load.js';
import { catchConfigError, testHost as host } from './config-fixtures.js';

describe('metrics keys', () => {
  it('load PROM with a host and port on a broker and a NameServer', () => {
    const text =
      'metricsExporterType=PROM\nmetricsPromExporterHost=127.0.0.1\nmetricsPromExporterPort=5558';
    for (const loaded of [loadBrokerConfig({ text, host }), loadNamesrvConfig({ text, host })]) {
      assert.equal(loaded.config.metricsExporterType, 'PROM');
      assert.equal(loaded.config.metricsPromExporterHost, '127.0.0.1');
      assert.equal(loaded.config.metricsPromExporterPort, 5558);
    }
    const defaults = loadBrokerConfig({ text: '', host }).config;
    assert.equal(defaults.metricsExporterType, 'DISABLE');
    assert.equal(defaults.metricsPromExporterHost, undefined);
    assert.equal(defaults.metricsPromExporterPort, 5557);
  });

  it('refuse an exporter Petrel does not have, naming the key and line', () => {
    const error = catchConfigError(() =>
      loadBrokerConfig({
        file: 'b.properties',
        text: 'brokerName=a\nmetricsExporterType=OTLP_GRPC',
        host,
      }),
    );
    const problem = error.problems[0];
    assert.equal(problem?.key, 'metricsExporterType');
    assert.equal(problem?.line, 2);
    assert.match(problem?.reason ?? '', /expected one of DISABLE \| PROM, got "OTLP_GRPC"/);
  });
});
