// Cross-field rules: roles and brokerId, DLedger membership, derived ports and addresses, segment
// sizes. Problems are located at the line of the key they are about.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadBrokerConfig, loadNamesrvConfig } from '../../../config/load.js';
import { catchConfigError, testHost } from './config-fixtures.js';

const host = testHost;
const load = (text: string) => loadBrokerConfig({ text, host });
const fail = (text: string) => catchConfigError(() => load(text));
const problems = (text: string) => fail(text).problems.map((p) => [p.line, p.key]);

const peers = 'dLegerPeers=n0-127.0.0.1:40911;n1-127.0.0.1:40912;n2-127.0.0.1:40913';

describe('validate: role and brokerId', () => {
  it('keeps brokerId 0 for a master without a warning', () => {
    const loaded = load('brokerRole=SYNC_MASTER\nbrokerId=0');
    assert.equal(loaded.config.brokerId, 0);
    assert.deepEqual(loaded.warnings, []);
  });

  it('forces brokerId 0 for master roles and warns at the brokerId line', () => {
    for (const role of ['ASYNC_MASTER', 'SYNC_MASTER']) {
      const loaded = load(`brokerRole=${role}\nbrokerId=2`);
      assert.equal(loaded.config.brokerId, 0);
      assert.equal(loaded.sources.brokerId.kind, 'derived');
      assert.deepEqual(
        loaded.warnings.map((w) => [w.line, w.key]),
        [[2, 'brokerId']],
      );
    }
  });

  it('requires brokerId above 0 for a SLAVE', () => {
    assert.deepEqual(problems('brokerRole=SLAVE'), [[1, 'brokerId']]);
    assert.deepEqual(problems('brokerRole=SLAVE\nbrokerId=0'), [[2, 'brokerId']]);
    assert.equal(load('brokerRole=SLAVE\nbrokerId=2').config.brokerId, 2);
  });
});

describe('validate: DLedger', () => {
  it('sets brokerId -1 and dLegerGroup from brokerName', () => {
    const loaded = load(`brokerName=raft-a\nenableDLegerCommitLog=true\n${peers}\ndLegerSelfId=n1`);
    assert.equal(loaded.config.brokerId, -1);
    assert.equal(loaded.config.dLegerGroup, 'raft-a');
    assert.deepEqual(loaded.sources.dLegerGroup, { kind: 'derived', rule: 'brokerName' });
    assert.deepEqual(loaded.warnings, []);
  });

  it('requires peers and a self id, reported at the enableDLegerCommitLog line', () => {
    assert.deepEqual(problems('brokerName=a\nenableDLegerCommitLog=true'), [
      [2, 'dLegerPeers'],
      [2, 'dLegerSelfId'],
    ]);
  });

  it('requires the self id and preferred leaders to be among the peers', () => {
    const error = fail(
      `enableDLegerCommitLog=true\n${peers}\ndLegerSelfId=n3\npreferredLeaderId=n0;n7`,
    );
    assert.deepEqual(
      error.problems.map((p) => [p.line, p.key]),
      [
        [3, 'dLegerSelfId'],
        [4, 'preferredLeaderId'],
      ],
    );
    assert.match(
      error.problems[0]?.reason ?? '',
      /"n3" is not among the dLegerPeers ids n0, n1, n2/,
    );
    assert.match(error.problems[1]?.reason ?? '', /"n7"/);
  });

  it('rejects a self DLedger port equal to listenPort', () => {
    assert.deepEqual(
      problems(`listenPort=40911\nenableDLegerCommitLog=true\n${peers}\ndLegerSelfId=n0`),
      [[3, 'dLegerPeers']],
    );
  });

  it('warns that brokerRole and brokerId are ignored in DLedger mode', () => {
    const loaded = load(
      `brokerRole=SLAVE\nbrokerId=3\nenableDLegerCommitLog=true\n${peers}\ndLegerSelfId=n0`,
    );
    assert.equal(loaded.config.brokerId, -1);
    assert.deepEqual(
      loaded.warnings.map((w) => [w.line, w.key]),
      [
        [1, 'brokerRole'],
        [2, 'brokerId'],
      ],
    );
  });

  it('warns about DLedger keys when DLedger mode is off', () => {
    const loaded = load(`${peers}\ndLegerSelfId=n0`);
    assert.equal(loaded.config.brokerId, 0);
    assert.deepEqual(
      loaded.warnings.map((w) => w.key),
      ['dLegerPeers', 'dLegerSelfId'],
    );
  });

  it('checks vote interval bounds', () => {
    const text = `enableDLegerCommitLog=true\n${peers}\ndLegerSelfId=n0\nminVoteIntervalMs=2000`;
    assert.deepEqual(problems(text), [[4, 'minVoteIntervalMs']]);
  });
});

describe('validate: ports and addresses', () => {
  it('derives haListenPort from listenPort unless set', () => {
    assert.equal(load('listenPort=10921').config.haListenPort, 10922);
    const explicit = load('listenPort=10921\nhaListenPort=20000');
    assert.equal(explicit.config.haListenPort, 20000);
    assert.equal(explicit.sources.haListenPort.kind, 'file');
    assert.equal(load('listenPort=0').config.haListenPort, 0);
  });

  it('rejects an HA port equal to listenPort or beyond 65535', () => {
    assert.deepEqual(problems('listenPort=10921\nhaListenPort=10921'), [[2, 'haListenPort']]);
    assert.deepEqual(problems('listenPort=65535'), [[1, 'listenPort']]);
  });

  it('derives brokerIP2, storeHost and storePathCommitLog unless set', () => {
    const derived = load('brokerIP1=10.1.1.1\nlistenPort=10921\nstorePathRootDir=./data/a');
    assert.equal(derived.config.brokerIP2, '10.1.1.1');
    assert.equal(derived.config.storeHost, '10.1.1.1:10921');
    assert.equal(derived.config.storePathCommitLog, './data/a/commitlog');
    const set = load('brokerIP2=10.2.2.2\nstoreHost=h:1\nstorePathCommitLog=/cl');
    assert.equal(set.config.brokerIP2, '10.2.2.2');
    assert.equal(set.config.storeHost, 'h:1');
    assert.equal(set.config.storePathCommitLog, '/cl');
  });

  it('warns that haMasterAddress is ignored on a master', () => {
    const loaded = load('haMasterAddress=127.0.0.1:10912');
    assert.deepEqual(
      loaded.warnings.map((w) => [w.line, w.key]),
      [[1, 'haMasterAddress']],
    );
  });
});

describe('validate: segment sizes', () => {
  it('requires CommitLog segments in whole 4 KiB pages', () => {
    assert.deepEqual(problems('mappedFileSizeCommitLog=1000000000'), [
      [1, 'mappedFileSizeCommitLog'],
    ]);
  });

  it('rounds ConsumeQueue segments up to 20-byte units, as RocketMQ does, with a warning', () => {
    const loaded = load('mappedFileSizeConsumeQueue=6000001');
    assert.equal(loaded.config.mappedFileSizeConsumeQueue, 6000020);
    assert.equal(loaded.warnings[0]?.line, 1);
  });

  it('requires maxMessageSize to fit a segment, the append ring and the tail cache', () => {
    assert.deepEqual(problems('mappedFileSizeCommitLog=4096\nmaxMessageSize=4096'), [
      [2, 'maxMessageSize'],
    ]);
    assert.deepEqual(problems('appendRingBytes=1000000\ntailCacheBytes=4194304'), [
      [1, 'appendRingBytes'],
      [2, 'tailCacheBytes'],
    ]);
  });
});

describe('validate: NameServer', () => {
  it('requires the scan interval not to exceed the broker expiry', () => {
    const error = catchConfigError(() =>
      loadNamesrvConfig({ text: 'brokerChannelExpiredTime=5000', host }),
    );
    assert.equal(error.problems[0]?.key, 'scanNotActiveBrokerInterval');
  });
});
