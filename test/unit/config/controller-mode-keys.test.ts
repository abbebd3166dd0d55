// Goal: controller-mode broker keys load as RocketMQ 5 names them, and what Petrel does not
// implement never passes silently. Method: broker configs loaded from text. Checked: the keys and
// their defaults, controllerAddr lists, the epoch file path derived from storePathRootDir, refusal
// of controller mode with DLedger or without controllerAddr, E_CONFIG_UNSUPPORTED for the keys
// that change acknowledgements or elections (with the line, even lenient), a warning for tuning
// keys, and brokerRole / brokerId taken as the controller's to decide.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../../common/errors.js';
import { formatProblem } from '../../../config/config-error.js';
import { loadBrokerConfig } from '../../../config/load.js';
import { catchConfigError, testHost as host } from './config-fixtures.js';

const base = 'brokerName=a\nstorePathRootDir=/data/a\nenableControllerMode=true\n';

describe('controller-mode keys', () => {
  it('loads the RocketMQ 5 keys with Petrel defaults and derives the epoch file path', () => {
    const { config, warnings } = loadBrokerConfig({
      text: `${base}controllerAddr=127.0.0.1:9878;127.0.0.1:9868\nallAckInSyncStateSet=true\nhaMaxTimeSlaveNotCatchup=5000\nbrokerId=2`,
      host,
    });
    assert.equal(config.enableControllerMode, true);
    assert.deepEqual(
      config.controllerAddr?.map((a) => `${a.host}:${a.port}`),
      ['127.0.0.1:9878', '127.0.0.1:9868'],
    );
    assert.equal(config.allAckInSyncStateSet, true);
    assert.equal(config.haMaxTimeSlaveNotCatchup, 5000);
    assert.equal(config.syncBrokerMetadataPeriod, 1000);
    assert.equal(config.checkSyncStateSetPeriod, 1000);
    assert.equal(config.storePathEpochFile, '/data/a/epochFileCheckpoint');
    assert.equal(config.brokerId, 2, 'a configured brokerId is kept as a preference');
    assert.deepEqual(warnings, []);
  });

  it('refuses controller mode with DLedger, and without controllerAddr', () => {
    const both = catchConfigError(() =>
      loadBrokerConfig({
        text: `${base}controllerAddr=127.0.0.1:9878\nenableDLegerCommitLog=true\ndLegerPeers=n0-127.0.0.1:40911\ndLegerSelfId=n0`,
        host,
      }),
    );
    assert.equal(both.code, ErrorCode.CONFIG_INVALID);
    assert.ok(
      both.problems.some((p) =>
        /cannot be combined with enableDLegerCommitLog/.test(formatProblem(p)),
      ),
    );
    const missing = catchConfigError(() => loadBrokerConfig({ text: base, host }));
    assert.ok(missing.problems.some((p) => p.key === 'controllerAddr'));
    // The master's lease is one heartbeat shorter than the controller's timeout.
    const lease = catchConfigError(() =>
      loadBrokerConfig({
        text: `${base}controllerAddr=127.0.0.1:9878\ncontrollerHeartBeatTimeoutMills=300\nbrokerHeartbeatInterval=200`,
        host,
      }),
    );
    assert.ok(
      lease.problems.some((p) => /at least twice brokerHeartbeatInterval/.test(formatProblem(p))),
    );
  });

  it('refuses RocketMQ 5 keys that change acknowledgements or elections, even lenient', () => {
    for (const lenient of [false, true]) {
      const error = catchConfigError(() =>
        loadBrokerConfig({
          text: `${base}controllerAddr=127.0.0.1:9878\nminInSyncReplicas=2\nbrokerElectionPriority=1`,
          host,
          lenient,
        }),
      );
      assert.equal(error.code, ErrorCode.CONFIG_UNSUPPORTED);
      assert.deepEqual(
        error.problems.map((p) => [p.line, p.key]),
        [
          [5, 'minInSyncReplicas'],
          [6, 'brokerElectionPriority'],
        ],
      );
      assert.match(formatProblem(error.problems[0]!), /allAckInSyncStateSet/);
    }
  });

  it('warns about tuning-only keys and about brokerRole, which the controller decides', () => {
    const loaded = loadBrokerConfig({
      text: `${base}controllerAddr=127.0.0.1:9878\nsyncControllerMetadataPeriod=10000\nbrokerRole=SLAVE`,
      host,
    });
    assert.deepEqual(loaded.ignoredKeys, ['syncControllerMetadataPeriod']);
    const text = loaded.warnings.map((w) => `${w.key ?? ''}: ${w.message}`).join('\n');
    assert.match(text, /brokerRole: SLAVE is ignored in controller mode/);
    assert.match(text, /syncControllerMetadataPeriod/);
  });

  it('says controller keys do nothing without the mode', () => {
    const loaded = loadBrokerConfig({ text: 'brokerName=a\nallAckInSyncStateSet=true', host });
    assert.match(loaded.warnings[0]?.message ?? '', /enableControllerMode is false/);
  });
});
