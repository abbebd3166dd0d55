// From config to the engine's StoreOptions: same keys and defaults as engine/options.ts, accepted
// by the engine's own check; and the effective-config printout that reads back to the same config.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadBrokerConfig, loadNamesrvConfig } from '../../../config/load.js';
import { parseProperties } from '../../../config/properties.js';
import { storeSchema } from '../../../config/store-schema.js';
import { printEffectiveConfig, toStoreOptions } from '../../../config/to-options.js';
import { defaultStoreOptions, resolveStoreOptions } from '../../../engine/options.js';
import { repoRoot, testHost } from './config-fixtures.js';

describe('to-options', () => {
  it('declares every StoreOptions field with the engine default', () => {
    const storeKeys = Object.keys(storeSchema).sort();
    const engineKeys = [
      ...Object.keys(defaultStoreOptions),
      'storePathRootDir',
      'storePathCommitLog',
      'storeHost',
    ];
    assert.deepEqual(storeKeys, engineKeys.sort());
    for (const [key, value] of Object.entries(defaultStoreOptions)) {
      assert.deepEqual(storeSchema[key as keyof typeof storeSchema].default, value, key);
    }
  });

  it('gives the engine options it accepts, with derived paths and store host', () => {
    const file = join(repoRoot, 'conf', '2m-2s-sync', 'broker-a-s.properties');
    const { config } = loadBrokerConfig({ file, host: testHost });
    const options = toStoreOptions(config);
    assert.ok(Object.isFrozen(options));
    assert.equal(options.storePathRootDir, './data/2m-2s-sync/broker-a-s');
    assert.equal(options.storePathCommitLog, './data/2m-2s-sync/broker-a-s/commitlog');
    assert.equal(options.storeHost, '127.0.0.1:10921');
    assert.equal(options.brokerRole, 'SLAVE');
    assert.deepEqual(resolveStoreOptions(options), options);
  });

  it('carries every store key from the config unchanged', () => {
    const { config } = loadBrokerConfig({
      text: 'flushDiskType=SYNC_FLUSH\nfileReservedTime=48\nthreads=false\nmaxPendingPuts=8',
      host: testHost,
    });
    const options = toStoreOptions(config);
    for (const key of Object.keys(storeSchema) as (keyof typeof storeSchema &
      keyof typeof options)[]) {
      assert.deepEqual(options[key], config[key], key);
    }
  });
});

describe('printEffectiveConfig', () => {
  it('prints key=value with its source, and unset keys commented out', () => {
    const loaded = loadBrokerConfig({
      file: 'broker.conf',
      text: 'brokerName=broker-a\nlistenPort=10921',
      overrides: { namesrvAddr: '127.0.0.1:9876' },
      host: testHost,
    });
    const lines = printEffectiveConfig(loaded).trimEnd().split('\n');
    assert.equal(lines.length, Object.keys(loaded.schema).length);
    assert.match(
      lines.find((l) => l.startsWith('brokerName=')) ?? '',
      /^brokerName=broker-a +# broker\.conf:1$/,
    );
    assert.match(lines.find((l) => l.startsWith('namesrvAddr=')) ?? '', /# flag --namesrvAddr$/);
    assert.match(
      lines.find((l) => l.startsWith('haListenPort=')) ?? '',
      /=10922 +# derived: listenPort\+1$/,
    );
    assert.match(lines.find((l) => l.startsWith('brokerClusterName=')) ?? '', /# default$/);
    assert.ok(lines.includes('#dLegerPeers=  # unset (default)'));
  });

  it('reads back to the same config', () => {
    const text = [
      'brokerName=a b',
      'storePathRootDir= ./data/x #1',
      'enableDLegerCommitLog=true',
      'dLegerPeers=n0-h:1;n1-h:2',
      'dLegerSelfId=n1',
    ].join('\n');
    const broker = loadBrokerConfig({ text, host: testHost });
    const printed = printEffectiveConfig(broker);
    const defined = Object.values(broker.config).filter((v) => v !== undefined);
    assert.equal(parseProperties(printed).entries.length, defined.length);
    assert.deepEqual(loadBrokerConfig({ text: printed, host: testHost }).config, broker.config);
    const namesrv = loadNamesrvConfig({ text: 'listenPort=9877', host: testHost });
    const again = loadNamesrvConfig({ text: printEffectiveConfig(namesrv), host: testHost });
    assert.deepEqual(again.config, namesrv.config);
  });
});
