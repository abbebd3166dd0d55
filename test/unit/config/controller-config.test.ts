// Goal: the controller keys load as RocketMQ 5 writes them, and nothing that changes meaning
// passes silently. Method: NameServer and standalone controller configs loaded from text.
// Checked: RocketMQ's deploy example loads verbatim with Petrel's fast defaults; the peers and
// self id are required (and checked) once the controller is on; unsupported keys and values are
// refused with E_CONFIG_UNSUPPORTED and their line; tuning keys are accepted with a warning.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../../common/errors.js';
import { loadControllerConfig, loadNamesrvConfig } from '../../../config/load.js';
import { catchConfigError, testHost as host } from './config-fixtures.js';

/** RocketMQ 5.1.4 docs/cn/controller/deploy.md, the NameServer part, verbatim. */
const ROCKETMQ_DEPLOY_EXAMPLE = [
  'enableControllerInNamesrv = true',
  'controllerDLegerGroup = group1',
  'controllerDLegerPeers = n0-127.0.0.1:9877;n1-127.0.0.1:9878;n2-127.0.0.1:9879',
  'controllerDLegerSelfId = n0',
  'controllerStorePath = /home/admin/DledgerController',
  'enableElectUncleanMaster = false',
  'notifyBrokerRoleChanged = true',
].join('\n');

describe('controller keys', () => {
  it("load RocketMQ's deploy example verbatim in a NameServer file", () => {
    const { config, warnings } = loadNamesrvConfig({ text: ROCKETMQ_DEPLOY_EXAMPLE, host });
    assert.equal(config.enableControllerInNamesrv, true);
    assert.equal(config.controllerDLegerGroup, 'group1');
    assert.deepEqual(
      config.controllerDLegerPeers?.map((p) => `${p.id}@${p.port}`),
      ['n0@9877', 'n1@9878', 'n2@9879'],
    );
    assert.equal(config.controllerDLegerSelfId, 'n0');
    assert.equal(config.controllerStorePath, '/home/admin/DledgerController');
    assert.equal(config.enableElectUncleanMaster, false);
    assert.equal(config.notifyBrokerRoleChanged, true);
    assert.equal(config.scanInactiveMasterInterval, 100);
    assert.equal(config.controllerHeartBeatTimeoutMills, 1000);
    assert.deepEqual(warnings, []);
  });

  it('need peers, a self id among them and a group once the controller is on', () => {
    const missing = catchConfigError(() =>
      loadNamesrvConfig({ text: 'enableControllerInNamesrv=true', host }),
    );
    assert.equal(missing.code, ErrorCode.CONFIG_INVALID);
    assert.deepEqual(missing.problems.map((p) => p.key).sort(), [
      'controllerDLegerGroup',
      'controllerDLegerPeers',
      'controllerDLegerSelfId',
    ]);
    const stranger = catchConfigError(() =>
      loadControllerConfig({
        text: 'controllerDLegerGroup=g\ncontrollerDLegerPeers=n0-127.0.0.1:9877\ncontrollerDLegerSelfId=n5',
        host,
      }),
    );
    assert.match(stranger.problems[0]?.reason ?? '', /"n5" is not among the controllerDLegerPeers/);
    const samePort = catchConfigError(() =>
      loadControllerConfig({
        text: 'listenPort=9877\ncontrollerDLegerGroup=g\ncontrollerDLegerPeers=n0-127.0.0.1:9877\ncontrollerDLegerSelfId=n0',
        host,
      }),
    );
    assert.match(samePort.problems[0]?.reason ?? '', /Raft port 9877 is also the listenPort/);
  });

  it('are reported as ignored on a NameServer that hosts no controller', () => {
    const { warnings } = loadNamesrvConfig({ text: 'enableElectUncleanMaster=true', host });
    assert.match(warnings[0]?.message ?? '', /ignored: enableControllerInNamesrv is false/);
  });

  it('refuse what Petrel does not implement, with the key and its line, even when lenient', () => {
    const base =
      'controllerDLegerGroup=g\ncontrollerDLegerPeers=n0-127.0.0.1:9877\ncontrollerDLegerSelfId=n0\n';
    for (const lenient of [false, true]) {
      const jraft = catchConfigError(() =>
        loadControllerConfig({ text: `${base}jRaftGroupId=jRaft-Controller`, host, lenient }),
      );
      assert.equal(jraft.code, ErrorCode.CONFIG_UNSUPPORTED);
      assert.deepEqual([jraft.problems[0]?.key, jraft.problems[0]?.line], ['jRaftGroupId', 4]);
    }
    const type = catchConfigError(() =>
      loadControllerConfig({ text: `${base}controllerType=jRaft`, host }),
    );
    assert.equal(type.code, ErrorCode.CONFIG_UNSUPPORTED);
    assert.equal(type.problems[0]?.key, 'controllerType');
    const reads = catchConfigError(() =>
      loadNamesrvConfig({
        text: `enableControllerInNamesrv=true\n${base}processReadEvent=true`,
        host,
      }),
    );
    assert.equal(reads.code, ErrorCode.CONFIG_UNSUPPORTED);
    const ok = loadControllerConfig({
      text: `${base}controllerType=DLedger\nprocessReadEvent=false\ncontrollerThreadPoolNums=16\nmappedFileSize=1024`,
      host,
    });
    assert.deepEqual(ok.ignoredKeys, ['controllerThreadPoolNums', 'mappedFileSize']);
    assert.match(ok.warnings[0]?.message ?? '', /not used by Petrel.*controllerThreadPoolNums/);
  });
});
