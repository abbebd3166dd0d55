// The ready topologies in conf/: every file loads without an error or a warning, all of them can
// run on one host at once (no port or store directory is used twice), and each topology has the
// shape its name promises.

import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { type BrokerConfig, loadBrokerConfig, loadNamesrvConfig } from '../../../config/load.js';
import { repoRoot, testHost } from './config-fixtures.js';

const confDir = join(repoRoot, 'conf');

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

const files = listFiles(confDir).filter((f) => f.endsWith('.properties'));
const brokers = new Map<string, BrokerConfig>();
for (const file of files.filter((f) => !f.endsWith('namesrv.properties'))) {
  const loaded = loadBrokerConfig({ file, host: testHost });
  assert.deepEqual(loaded.warnings, [], file);
  brokers.set(relative(confDir, file), loaded.config);
}

function topology(name: string): [string, BrokerConfig][] {
  return [...brokers].filter(([file]) => file.startsWith(`${name}/`));
}

describe('conf/ topologies', () => {
  it('loads the NameServer file without a warning', () => {
    const loaded = loadNamesrvConfig({ file: join(confDir, 'namesrv.properties'), host: testHost });
    assert.deepEqual(loaded.warnings, []);
    assert.equal(loaded.config.listenPort, 9876);
  });

  it('has every topology, each file loading without an error or a warning', () => {
    assert.equal(brokers.size, 26);
    assert.deepEqual(
      [...new Set([...brokers.keys()].map((f) => f.split('/')[0]))],
      ['2m-2s-async', '2m-2s-sync', '3m-6s', 'dledger'],
    );
  });

  it('uses each port and store directory once, on 127.0.0.1, under ./data/', () => {
    const ports = new Map<number, string>([[9876, 'namesrv']]);
    const claim = (port: number, owner: string) => {
      assert.ok(!ports.has(port), `${owner} reuses port ${port} of ${ports.get(port)}`);
      ports.set(port, owner);
    };
    const dirs = new Set<string>();
    for (const [file, config] of brokers) {
      claim(config.listenPort, file);
      claim(config.haListenPort, `${file} (HA)`);
      claim(config.listenPort - 2, `${file} (VIP)`);
      const self = config.dLegerPeers?.find((p) => p.id === config.dLegerSelfId);
      if (self !== undefined) claim(self.port, `${file} (DLedger)`);
      assert.equal(config.brokerIP1, '127.0.0.1');
      assert.deepEqual(config.namesrvAddr, [{ host: '127.0.0.1', port: 9876 }]);
      assert.match(config.storePathRootDir, /^\.\/data\//);
      assert.ok(!dirs.has(config.storePathRootDir), `${file} reuses ${config.storePathRootDir}`);
      dirs.add(config.storePathRootDir);
    }
  });

  it('pairs each slave with a master of the same group', () => {
    for (const name of ['2m-2s-sync', '2m-2s-async', '3m-6s']) {
      const group = topology(name);
      const masters = group.filter(([, c]) => c.brokerRole !== 'SLAVE');
      for (const [file, slave] of group.filter(([, c]) => c.brokerRole === 'SLAVE')) {
        assert.ok(slave.brokerId > 0, file);
        const master = masters.find(([, m]) => m.brokerName === slave.brokerName);
        assert.ok(master !== undefined, `${file} has no master`);
        assert.equal(master[1].brokerId, 0);
        assert.equal(master[1].brokerClusterName, slave.brokerClusterName);
      }
    }
  });

  it('gives each topology the shape its name promises', () => {
    const roles = (name: string) =>
      topology(name)
        .map(([, c]) => `${c.brokerName}/${c.brokerId}/${c.brokerRole}/${c.flushDiskType}`)
        .sort();
    assert.deepEqual(roles('2m-2s-sync'), [
      'broker-a/0/SYNC_MASTER/ASYNC_FLUSH',
      'broker-a/1/SLAVE/ASYNC_FLUSH',
      'broker-b/0/SYNC_MASTER/ASYNC_FLUSH',
      'broker-b/1/SLAVE/ASYNC_FLUSH',
    ]);
    assert.deepEqual(roles('2m-2s-async'), [
      'broker-a/0/ASYNC_MASTER/ASYNC_FLUSH',
      'broker-a/1/SLAVE/ASYNC_FLUSH',
      'broker-b/0/ASYNC_MASTER/ASYNC_FLUSH',
      'broker-b/1/SLAVE/ASYNC_FLUSH',
    ]);
    const threeMasters = roles('3m-6s');
    assert.equal(threeMasters.length, 9);
    for (const group of ['a', 'b', 'c']) {
      assert.ok(threeMasters.includes(`broker-${group}/0/SYNC_MASTER/ASYNC_FLUSH`));
      assert.ok(threeMasters.includes(`broker-${group}/1/SLAVE/ASYNC_FLUSH`));
      assert.ok(threeMasters.includes(`broker-${group}/2/SLAVE/ASYNC_FLUSH`));
    }
  });

  it('runs three DLedger groups of three nodes with identical peers and distinct self ids', () => {
    const groups = new Map<string, BrokerConfig[]>();
    for (const [, config] of topology('dledger')) {
      assert.equal(config.enableDLegerCommitLog, true);
      assert.equal(config.brokerId, -1);
      assert.equal(config.dLegerGroup, config.brokerName);
      const group = config.dLegerGroup ?? '';
      groups.set(group, [...(groups.get(group) ?? []), config]);
    }
    assert.deepEqual([...groups.keys()].sort(), ['broker-a', 'broker-b', 'broker-c']);
    for (const members of groups.values()) {
      assert.equal(members.length, 3);
      const [first] = members;
      for (const m of members) assert.deepEqual(m.dLegerPeers, first?.dLegerPeers);
      assert.deepEqual(members.map((m) => m.dLegerSelfId).sort(), ['n0', 'n1', 'n2']);
      assert.ok(first?.dLegerPeers?.every((p) => p.host === '127.0.0.1'));
    }
  });
});
