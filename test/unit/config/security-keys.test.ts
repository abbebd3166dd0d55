// Goal: security keys never pass silently. Method: broker and NameServer configs loaded from
// text. Checked: security keys Petrel does not implement are refused with E_CONFIG_UNSUPPORTED
// naming the key and its line, even with --lenient; TLS listener keys need their files; the
// broker's credentials come in pairs; the HA listener binds where the remoting port does unless
// haListenHost says otherwise, and that value reaches the store options.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../../common/errors.js';
import { formatProblem } from '../../../config/config-error.js';
import { loadBrokerConfig, loadNamesrvConfig } from '../../../config/load.js';
import { printEffectiveConfig, toStoreOptions } from '../../../config/to-options.js';
import { catchConfigError, testHost as host } from './config-fixtures.js';

describe('security keys', () => {
  it('refuses unsupported security keys with E_CONFIG_UNSUPPORTED, the key and the line', () => {
    for (const lenient of [false, true]) {
      const error = catchConfigError(() =>
        loadBrokerConfig({
          text: 'brokerName=a\ntls.ciphers=TLS_AES_128_GCM_SHA256\nauthenticationEnabled=true',
          host,
          lenient,
        }),
      );
      assert.equal(error.code, ErrorCode.CONFIG_UNSUPPORTED);
      assert.deepEqual(
        error.problems.map((p) => [p.line, p.key]),
        [
          [2, 'tls.ciphers'],
          [3, 'authenticationEnabled'],
        ],
      );
      assert.match(
        formatProblem(error.problems[1]!),
        /<text>:3 authenticationEnabled: not supported by Petrel: .*aclEnable=true/,
      );
    }
    const testMode = catchConfigError(() =>
      loadBrokerConfig({ text: 'brokerName=a\ntls.test.mode.enable=true', host }),
    );
    assert.equal(testMode.code, ErrorCode.CONFIG_UNSUPPORTED);
    assert.equal(testMode.problems[0]?.line, 2);
    const onNamesrv = catchConfigError(() => loadNamesrvConfig({ text: 'tls.enable=true', host }));
    assert.equal(onNamesrv.code, ErrorCode.CONFIG_UNSUPPORTED);
  });

  it('accepts aclEnable and the TLS keys as real settings', () => {
    const broker = loadBrokerConfig({
      text: 'brokerName=a\naclEnable=true\nuseTLS=true\ntls.server.mode=enforcing\ntls.server.certPath=/c.pem\ntls.server.keyPath=/k.pem',
      host,
    });
    assert.equal(broker.config.aclEnable, true);
    assert.equal(broker.config['tls.server.mode'], 'enforcing');
    assert.deepEqual(broker.ignoredKeys, []);
    const ns = loadNamesrvConfig({ text: 'aclEnable=true\nrocketmqHome=/opt/rocketmq', host });
    assert.equal(ns.config.aclEnable, true);
    assert.equal(ns.config.rocketmqHome, '/opt/rocketmq');
  });

  it('warns that client certificates do not bind plain TCP clients under permissive', () => {
    const loaded = loadNamesrvConfig({
      text: 'tls.server.mode=permissive\ntls.server.certPath=/c\ntls.server.keyPath=/k\ntls.server.trustCertPath=/ca\ntls.server.need.client.auth=require',
      host,
    });
    assert.equal(loaded.warnings.length, 1);
    assert.equal(loaded.warnings[0]?.line, 5);
    assert.match(loaded.warnings[0]?.message ?? '', /still accepts plain TCP/);
  });

  it('asks for the files a TLS listener needs and for credentials in pairs', () => {
    const error = catchConfigError(() =>
      loadBrokerConfig({
        text: 'brokerName=a\ntls.server.mode=permissive\ntls.server.need.client.auth=require\naclAccessKey=broker1',
        host,
      }),
    );
    assert.equal(error.code, ErrorCode.CONFIG_INVALID);
    assert.deepEqual(error.problems.map((p) => p.key).sort(), [
      'aclSecretKey',
      'tls.server.certPath',
      'tls.server.keyPath',
      'tls.server.trustCertPath',
    ]);
  });

  it('never prints a secret with the effective config', () => {
    const loaded = loadBrokerConfig({
      text: 'brokerName=a\naclAccessKey=broker1\naclSecretKey=s3cr3t-value',
      host,
    });
    const printed = printEffectiveConfig(loaded);
    assert.match(printed, /^aclAccessKey=broker1 /m);
    assert.match(printed, /^#aclSecretKey= {2}# set, not printed: a secret \(<text>:3\)$/m);
    assert.doesNotMatch(printed, /s3cr3t-value/);
  });

  it("never prints the console's admin token; the console is off unless its port is set", () => {
    const off = loadNamesrvConfig({ text: '', host });
    assert.equal(off.config.consoleListenPort, undefined);
    assert.equal(off.config.consoleListenHost, '127.0.0.1');
    const loaded = loadNamesrvConfig({
      text: 'consoleListenPort=8080\nconsoleAdminToken=t0ken-value',
      host,
    });
    assert.equal(loaded.config.consoleListenPort, 8080);
    const printed = printEffectiveConfig(loaded);
    assert.match(printed, /^#consoleAdminToken= {2}# set, not printed: a secret \(<text>:2\)$/m);
    assert.doesNotMatch(printed, /t0ken-value/);
    const error = catchConfigError(() =>
      loadNamesrvConfig({ text: 'consoleMaxConcurrentRequests=0', host }),
    );
    assert.equal(error.problems[0]?.key, 'consoleMaxConcurrentRequests');
  });

  it('binds the HA listener to bindAddress unless haListenHost is set', () => {
    const derived = loadBrokerConfig({ text: 'brokerName=a\nbindAddress=127.0.0.1', host });
    assert.equal(derived.config.haListenHost, '127.0.0.1');
    assert.deepEqual(derived.sources.haListenHost, { kind: 'derived', rule: 'bindAddress' });
    assert.equal(toStoreOptions(derived.config).haListenHost, '127.0.0.1');
    const explicit = loadBrokerConfig({
      text: 'brokerName=a\nbindAddress=127.0.0.1\nhaListenHost=10.0.0.5',
      host,
    });
    assert.equal(explicit.config.haListenHost, '10.0.0.5');
  });
});
