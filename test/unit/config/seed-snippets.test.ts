// The configuration snippets of the article the project starts from, written to files verbatim
// (UTF-8, Chinese comments, inline "# ..." remarks after values) and loaded as a broker would load
// them. Java's Properties would keep "tom-cluster # 集群名称必须相同" as the value and RocketMQ would
// silently drop "brokerId=0 # 0代表Master"; Petrel reads them as their authors meant and says once
// that inline comments are its own extension.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type BrokerConfig, type LoadedConfig, loadBrokerConfig } from '../../../config/load.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';
import { testHost } from './config-fixtures.js';

const master = `# Master配置
brokerClusterName=tom-cluster # 集群名称必须相同
brokerName=broker-a
brokerId=0 # 0代表Master
`;

const slave = `# Slave配置
brokerClusterName=tom-cluster # 集群名称必须相同
brokerName=broker-a
brokerId=1 # 1代表Slave
`;

const roles = `# 高性能与高可靠性的平衡
brokerRole=SYNC_MASTER # 同步复制，保证数据不丢失
flushDiskType=ASYNC_FLUSH # 异步刷盘，保证写入性能
`;

const dledger = `# 启用Dledger功能
enableDLegerCommitLog=true
# Dledger组配置
dLegerGroup=broker-a
# 集群节点列表
dLegerPeers=n0-192.168.1.100:40911;n1-192.168.1.101:40911;n2-192.168.1.102:40911
# 本节点ID
dLegerSelfId=n0
`;

const slaveRoles = `brokerRole=SLAVE # 从节点
flushDiskType=ASYNC_FLUSH # 异步刷盘
`;

describe('seed article snippets', () => {
  const tmp = makeTmpDir('petrel-seed-');
  let index = 0;
  const loadFile = (text: string): LoadedConfig<BrokerConfig> => {
    index++;
    const file = join(tmp.path, `snippet-${index}.properties`);
    writeFileSync(file, text, 'utf8');
    return loadBrokerConfig({ file, host: testHost });
  };
  const inlineWarnings = (loaded: LoadedConfig<BrokerConfig>) =>
    loaded.warnings.filter((w) => w.message.includes('Petrel extension'));

  after(() => tmp.remove());

  it('loads the master snippet: tom-cluster, broker-a, brokerId 0', () => {
    const loaded = loadFile(master);
    assert.equal(loaded.config.brokerClusterName, 'tom-cluster');
    assert.equal(loaded.config.brokerName, 'broker-a');
    assert.equal(loaded.config.brokerId, 0);
    assert.equal(loaded.config.brokerRole, 'ASYNC_MASTER');
    assert.deepEqual(loaded.sources.brokerClusterName, {
      kind: 'file',
      file: loaded.file,
      line: 2,
    });
    assert.equal(loaded.warnings.length, 1);
    assert.equal(inlineWarnings(loaded)[0]?.line, 2);
    assert.match(inlineWarnings(loaded)[0]?.message ?? '', /lines 2, 4/);
  });

  it('loads the slave snippet alone as RocketMQ would: without brokerRole it is a master', () => {
    const loaded = loadFile(slave);
    assert.equal(loaded.config.brokerRole, 'ASYNC_MASTER');
    assert.equal(loaded.config.brokerId, 0);
    assert.deepEqual(loaded.sources.brokerId, {
      kind: 'derived',
      rule: 'brokerRole=ASYNC_MASTER (a master is brokerId 0)',
    });
    const replaced = loaded.warnings.find((w) => w.key === 'brokerId');
    assert.equal(replaced?.line, 4);
    assert.match(replaced?.message ?? '', /set brokerRole=SLAVE/);
  });

  it('loads the replication snippet: SYNC_MASTER with ASYNC_FLUSH', () => {
    const loaded = loadFile(roles);
    assert.equal(loaded.config.brokerRole, 'SYNC_MASTER');
    assert.equal(loaded.config.flushDiskType, 'ASYNC_FLUSH');
    assert.equal(inlineWarnings(loaded).length, 1);
  });

  it('loads the DLedger snippet: remote peers are fine, brokerId is decided at runtime', () => {
    const loaded = loadFile(dledger);
    const config = loaded.config;
    assert.equal(config.enableDLegerCommitLog, true);
    assert.equal(config.dLegerGroup, 'broker-a');
    assert.equal(config.dLegerSelfId, 'n0');
    assert.deepEqual(
      config.dLegerPeers?.map((p) => `${p.id}@${p.host}:${p.port}`),
      ['n0@192.168.1.100:40911', 'n1@192.168.1.101:40911', 'n2@192.168.1.102:40911'],
    );
    assert.equal(config.brokerId, -1);
    assert.deepEqual(loaded.warnings, []);
  });

  it('loads master + replication snippets as a SYNC_MASTER with brokerId 0', () => {
    const loaded = loadFile(`${master}${roles}`);
    assert.equal(loaded.config.brokerClusterName, 'tom-cluster');
    assert.equal(loaded.config.brokerRole, 'SYNC_MASTER');
    assert.equal(loaded.config.flushDiskType, 'ASYNC_FLUSH');
    assert.equal(loaded.config.brokerId, 0);
    assert.equal(loaded.sources.brokerId.kind, 'file');
    assert.equal(loaded.warnings.length, 1);
    assert.match(loaded.warnings[0]?.message ?? '', /lines 2, 4, 6, 7/);
  });

  it('loads slave + SLAVE/ASYNC_FLUSH as the slave of broker-a with brokerId 1', () => {
    const loaded = loadFile(`${slave}${slaveRoles}`);
    assert.equal(loaded.config.brokerClusterName, 'tom-cluster');
    assert.equal(loaded.config.brokerName, 'broker-a');
    assert.equal(loaded.config.brokerRole, 'SLAVE');
    assert.equal(loaded.config.flushDiskType, 'ASYNC_FLUSH');
    assert.equal(loaded.config.brokerId, 1);
    assert.equal(loaded.warnings.length, 1);
  });

  it('loads slave + the SYNC_MASTER snippet verbatim as a master, warning about brokerId 1', () => {
    const loaded = loadFile(`${slave}${roles}`);
    assert.equal(loaded.config.brokerRole, 'SYNC_MASTER');
    assert.equal(loaded.config.brokerId, 0);
    assert.ok(loaded.warnings.some((w) => w.key === 'brokerId' && w.line === 4));
  });

  it('loads master + DLedger snippets: the file brokerId is ignored in DLedger mode', () => {
    const loaded = loadFile(`${master}${dledger}`);
    assert.equal(loaded.config.brokerId, -1);
    assert.equal(loaded.config.dLegerGroup, 'broker-a');
    assert.ok(loaded.warnings.some((w) => w.key === 'brokerId' && /DLedger mode/.test(w.message)));
  });
});
