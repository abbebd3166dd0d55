// petrel check-config <dir> on real files: the ready topologies in conf/ are consistent, and a
// folder with every kind of cross-file mistake gets each one reported with its files and lines.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkTopology, formatFinding } from '../../../cli/check-topology.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';
import { repoRoot } from '../config/config-fixtures.js';

describe('checkTopology', () => {
  const tmp = makeTmpDir('petrel-topology-');
  after(() => tmp.remove());

  it('finds the ready topologies consistent', () => {
    for (const name of ['2m-2s-sync', '2m-2s-async', '3m-6s', 'dledger']) {
      const { files, findings } = checkTopology(join(repoRoot, 'conf', name));
      assert.ok(files >= 4, name);
      assert.deepEqual(findings.map(formatFinding), [], name);
    }
  });

  it('reports duplicate identities, a lonely SYNC_MASTER, shared ports and split DLedger peers', () => {
    const write = (name: string, lines: string[]) =>
      writeFileSync(join(tmp.path, name), `${lines.join('\n')}\n`);
    write('a.properties', [
      'brokerName=broker-a',
      'brokerId=0',
      'brokerRole=SYNC_MASTER',
      'listenPort=20911',
    ]);
    write('a-copy.properties', [
      'brokerName=broker-a',
      'brokerId=0',
      'brokerRole=ASYNC_MASTER',
      'listenPort=20921',
    ]);
    write('b.properties', ['brokerName=broker-b', 'brokerRole=ASYNC_MASTER', 'listenPort=20912']);
    write('namesrv.properties', ['listenPort=20921']);
    const dledger = (self: string, peers: string) => [
      'brokerName=broker-d',
      'enableDLegerCommitLog=true',
      'dLegerGroup=broker-d',
      `dLegerPeers=${peers}`,
      `dLegerSelfId=${self}`,
      `listenPort=${self === 'n0' ? 20931 : 20941}`,
    ];
    write(
      'd0.properties',
      dledger('n0', 'n0-127.0.0.1:40911;n1-127.0.0.1:40912;n2-127.0.0.1:40913'),
    );
    write(
      'd1.properties',
      dledger('n1', 'n0-127.0.0.1:40911;n1-127.0.0.1:40912;n2-127.0.0.1:40999'),
    );
    const found = checkTopology(tmp.path).findings.map(formatFinding);
    const a = join(tmp.path, 'a.properties');
    const copy = join(tmp.path, 'a-copy.properties');
    assert.ok(
      found.includes(
        `${copy}:2, ${a}:2: two brokers are broker-a with brokerId 0 in cluster DefaultCluster`,
      ),
      found.join('\n'),
    );
    assert.ok(
      found.some((f) =>
        f.startsWith(`${a}:3: broker-a is a SYNC_MASTER but no file here is its slave`),
      ),
      found.join('\n'),
    );
    // broker-a's haListenPort is listenPort+1 = 20912, b's listenPort; the NameServer has 20921.
    assert.ok(
      found.some((f) => f.endsWith('port 20912 is used twice: haListenPort and listenPort')),
      found.join('\n'),
    );
    assert.ok(
      found.some(
        (f) => f.includes(`${join(tmp.path, 'namesrv.properties')}:1`) && f.includes('port 20921'),
      ),
      found.join('\n'),
    );
    assert.ok(
      found.some((f) => f.includes('DLedger group broker-d: members list different dLegerPeers')),
      found.join('\n'),
    );
  });
});
