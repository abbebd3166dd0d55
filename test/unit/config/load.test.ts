// Loading: unknown and RocketMQ-only keys, strict values with their lines, aggregation of every
// problem into one ConfigError, precedence of defaults < file < flags with the source of each
// value, and the frozen result.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '../../../common/errors.js';
import { formatProblem } from '../../../config/config-error.js';
import { loadBrokerConfig, loadNamesrvConfig } from '../../../config/load.js';
import { suggestKey } from '../../../config/suggest.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';
import { catchConfigError, testHost } from './config-fixtures.js';

const host = testHost;

describe('config load: unknown keys', () => {
  it('rejects a typo with a "did you mean" hint at its line', () => {
    const error = catchConfigError(() =>
      loadBrokerConfig({ file: 'broker.conf', text: 'brokerName=a\nbrokerClusterNmae=c', host }),
    );
    assert.equal(error.code, ErrorCode.CONFIG_UNKNOWN_KEY);
    assert.equal(error.file, 'broker.conf');
    assert.equal(error.problems.length, 1);
    const [problem] = error.problems;
    assert.equal(problem?.line, 2);
    assert.equal(problem?.key, 'brokerClusterNmae');
    assert.match(problem?.reason ?? '', /did you mean "brokerClusterName"\?/);
    assert.match(error.message, /broker\.conf:2 brokerClusterNmae: unknown key/);
  });

  it('suggests by edit distance, ignoring case, and stays silent when nothing is close', () => {
    const known = ['brokerName', 'brokerClusterName', 'listenPort', 'flushDiskType'];
    assert.equal(suggestKey('brokername', known), 'brokerName');
    assert.equal(suggestKey('lisenPort', known), 'listenPort');
    assert.equal(suggestKey('flushDsikType', known), 'flushDiskType');
    assert.equal(suggestKey('somethingElse', known), undefined);
    const error = catchConfigError(() => loadBrokerConfig({ text: 'zzz=1', host }));
    assert.equal(error.problems[0]?.reason, 'unknown key');
  });

  it('turns unknown keys into warnings when lenient', () => {
    const loaded = loadBrokerConfig({
      text: 'brokerNmae=x\nlistenPort=10921',
      lenient: true,
      host,
    });
    assert.equal(loaded.config.listenPort, 10921);
    assert.equal(loaded.config.brokerName, 'test-host');
    assert.equal(loaded.warnings.length, 1);
    assert.equal(loaded.warnings[0]?.key, 'brokerNmae');
    assert.match(loaded.warnings[0]?.message ?? '', /did you mean "brokerName"/);
  });

  it('accepts keys RocketMQ knows but Petrel does not use, named in one warning', () => {
    const text =
      'sendMessageThreadPoolNums=16\nbrokerName=a\nuseEpollNativeSelector=true\nclientWorkerThreads=x';
    const loaded = loadBrokerConfig({ text, host });
    assert.deepEqual(loaded.ignoredKeys, [
      'sendMessageThreadPoolNums',
      'useEpollNativeSelector',
      'clientWorkerThreads',
    ]);
    assert.equal(loaded.warnings.length, 1);
    assert.equal(loaded.warnings[0]?.line, 1);
    assert.match(
      loaded.warnings[0]?.message ?? '',
      /known to RocketMQ, not used by Petrel.*sendMessageThreadPoolNums \(line 1\), useEpollNativeSelector \(line 3\), clientWorkerThreads \(line 4\)/,
    );
  });

  it('checks a NameServer file against NameServer keys only', () => {
    const loaded = loadNamesrvConfig({ text: 'listenPort=9877\nproductEnvName=x', host });
    assert.equal(loaded.config.listenPort, 9877);
    assert.deepEqual(loaded.ignoredKeys, ['productEnvName']);
    const error = catchConfigError(() => loadNamesrvConfig({ text: 'brokerName=a', host }));
    assert.equal(error.code, ErrorCode.CONFIG_UNKNOWN_KEY);
  });

  it('treats inherited object names as ordinary unknown keys', () => {
    const error = catchConfigError(() =>
      loadBrokerConfig({ text: 'constructor=1\ntoString=2\n__proto__=3', host }),
    );
    assert.deepEqual(
      error.problems.map((p) => p.key),
      ['constructor', 'toString', '__proto__'],
    );
  });

  it('reports a value without a key at its line', () => {
    const error = catchConfigError(() => loadBrokerConfig({ text: 'brokerName=a\n=value', host }));
    assert.equal(error.code, ErrorCode.CONFIG_INVALID);
    assert.deepEqual(
      error.problems.map((p) => [p.line, p.key, p.reason]),
      [[2, undefined, 'a value without a key']],
    );
  });

  it('reads the pre-4.5.2 spelling mapedFileSizeCommitLog as mappedFileSizeCommitLog', () => {
    const loaded = loadBrokerConfig({ text: 'mapedFileSizeCommitLog=536870912', host });
    assert.equal(loaded.config.mappedFileSizeCommitLog, 536870912);
    assert.match(loaded.warnings[0]?.message ?? '', /pre-4\.5\.2 name of mappedFileSizeCommitLog/);
  });
});

describe('config load: values and aggregation', () => {
  it('reports every mistyped value at its line in one error', () => {
    const text = [
      'brokerName=a',
      'brokerId=one',
      'listenPort=70000',
      'autoCreateTopicEnable=yes',
      'flushDiskType=async_flush',
      'namesrvAddr=127.0.0.1',
    ].join('\n');
    const error = catchConfigError(() => loadBrokerConfig({ file: 'b.conf', text, host }));
    assert.equal(error.code, ErrorCode.CONFIG_INVALID);
    assert.deepEqual(
      error.problems.map((p) => [p.line, p.key]),
      [
        [2, 'brokerId'],
        [3, 'listenPort'],
        [4, 'autoCreateTopicEnable'],
        [5, 'flushDiskType'],
        [6, 'namesrvAddr'],
      ],
    );
    const lines = error.message.split('\n');
    assert.equal(lines[0], 'Invalid broker config "b.conf": 5 problems');
    assert.deepEqual(
      lines.slice(1),
      error.problems.map((p) => `  ${formatProblem(p)}`),
    );
    assert.match(lines[1] ?? '', /^ {2}b\.conf:2 brokerId: expected a decimal integer, got "one"$/);
    assert.deepEqual(error.details['problems'], error.problems);
  });

  it('uses E_CONFIG_INVALID when unknown keys come with other problems', () => {
    const error = catchConfigError(() =>
      loadBrokerConfig({ text: 'brokerNmae=a\nbrokerId=x', host }),
    );
    assert.equal(error.code, ErrorCode.CONFIG_INVALID);
    assert.deepEqual(
      error.problems.map((p) => p.unknownKey),
      [true, false],
    );
  });

  it('reports unknown keys together with cross-field problems', () => {
    const error = catchConfigError(() =>
      loadBrokerConfig({ text: 'brokerNmae=a\nbrokerRole=SLAVE', host }),
    );
    assert.deepEqual(
      error.problems.map((p) => [p.line, p.key]),
      [
        [1, 'brokerNmae'],
        [2, 'brokerId'],
      ],
    );
  });

  it('skips cross-field rules while a single value is invalid', () => {
    const error = catchConfigError(() =>
      loadBrokerConfig({ text: 'brokerRole=SLAVE\nlistenPort=x', host }),
    );
    assert.deepEqual(
      error.problems.map((p) => p.key),
      ['listenPort'],
    );
  });

  it('keeps the last of a repeated key, with a warning, and only checks the last value', () => {
    const loaded = loadBrokerConfig({ text: 'listenPort=x\nlistenPort=10921', host });
    assert.equal(loaded.config.listenPort, 10921);
    assert.deepEqual(loaded.sources.listenPort, { kind: 'file', file: '<text>', line: 2 });
    assert.match(loaded.warnings[0]?.message ?? '', /line 2 overrides line 1/);
  });

  it('clamps the values RocketMQ clamps, with a warning', () => {
    const loaded = loadBrokerConfig({
      text: 'registerNameServerPeriod=5000\ndiskMaxUsedSpaceRatio=98',
      host,
    });
    assert.equal(loaded.config.registerNameServerPeriod, 10_000);
    assert.equal(loaded.config.diskMaxUsedSpaceRatio, 95);
    assert.deepEqual(
      loaded.warnings.map((w) => [w.line, w.key]),
      [
        [1, 'registerNameServerPeriod'],
        [2, 'diskMaxUsedSpaceRatio'],
      ],
    );
  });

  it('reports a malformed escape as a problem of its line', () => {
    const error = catchConfigError(() => loadBrokerConfig({ text: 'brokerName=\\uzz', host }));
    assert.equal(error.problems[0]?.line, 1);
    assert.match(error.problems[0]?.reason ?? '', /malformed/);
  });

  it('reports a file that cannot be read', () => {
    const error = catchConfigError(() =>
      loadBrokerConfig({ file: '/nonexistent/petrel/broker.conf', host }),
    );
    assert.equal(error.code, ErrorCode.CONFIG_INVALID);
    assert.match(error.problems[0]?.reason ?? '', /cannot read file/);
  });
});

describe('config load: files', () => {
  const tmp = makeTmpDir('petrel-load-');
  after(() => tmp.remove());

  it('reads UTF-8 files with Chinese comments and records file:line sources', () => {
    const file = join(tmp.path, 'broker-a.properties');
    writeFileSync(file, '# 主节点配置\nbrokerName=broker-a\n# 端口\nlistenPort=10921\n', 'utf8');
    const loaded = loadBrokerConfig({ file, host });
    assert.equal(loaded.file, file);
    assert.deepEqual(loaded.sources.listenPort, { kind: 'file', file, line: 4 });
    assert.deepEqual(loaded.warnings, []);
  });

  it('reads a file that is not UTF-8 as ISO-8859-1, with a warning', () => {
    const file = join(tmp.path, 'latin1.properties');
    writeFileSync(file, Buffer.from('# caf\xe9\nbrokerName=a\n', 'latin1'));
    const loaded = loadBrokerConfig({ file, host });
    assert.equal(loaded.config.brokerName, 'a');
    assert.match(loaded.warnings[0]?.message ?? '', /ISO-8859-1/);
  });
});

describe('config load: precedence and result', () => {
  it('takes defaults < file < flags and records where each value came from', () => {
    const loaded = loadBrokerConfig({
      file: 'broker-a.properties',
      text: 'brokerName=broker-a\nlistenPort=10921\nnamesrvAddr=10.0.0.1:9876',
      overrides: { namesrvAddr: '127.0.0.1:9876;127.0.0.2:9876', listenPort: '11000' },
      host,
    });
    const { config, sources } = loaded;
    assert.equal(config.listenPort, 11000);
    assert.deepEqual(sources.listenPort, { kind: 'flag', flag: '--listenPort' });
    assert.deepEqual(config.namesrvAddr, [
      { host: '127.0.0.1', port: 9876 },
      { host: '127.0.0.2', port: 9876 },
    ]);
    assert.deepEqual(sources.brokerName, { kind: 'file', file: 'broker-a.properties', line: 1 });
    assert.deepEqual(sources.brokerClusterName, { kind: 'default' });
    assert.equal(config.haListenPort, 11001);
    assert.deepEqual(sources.haListenPort, { kind: 'derived', rule: 'listenPort+1' });
  });

  it('locates problems in flags at the command line', () => {
    const error = catchConfigError(() =>
      loadBrokerConfig({ overrides: { listenPort: 'x', brokerNmae: 'a' }, host }),
    );
    assert.deepEqual(
      error.problems.map((p) => [p.where, p.line, p.key]),
      [
        ['command line', undefined, 'listenPort'],
        ['command line', undefined, 'brokerNmae'],
      ],
    );
  });

  it('reports keys from flags as coming from the command line', () => {
    const loaded = loadBrokerConfig({
      overrides: { clientWorkerThreads: '4', brokerNmae: 'a' },
      lenient: true,
      host,
    });
    assert.deepEqual(
      loaded.warnings.map((w) => [w.where, w.key]),
      [
        ['command line', 'brokerNmae'],
        ['command line', undefined],
      ],
    );
    assert.match(loaded.warnings[1]?.message ?? '', /clientWorkerThreads \(command line\)/);
  });

  it('fills host-dependent defaults from the host', () => {
    const { config } = loadBrokerConfig({ host });
    assert.equal(config.brokerName, 'test-host');
    assert.equal(config.brokerIP1, '192.0.2.10');
    assert.equal(config.brokerIP2, '192.0.2.10');
    assert.equal(config.storePathRootDir, '/home/test/store');
    assert.equal(config.storePathCommitLog, '/home/test/store/commitlog');
    assert.equal(config.storeHost, '192.0.2.10:10911');
    const namesrv = loadNamesrvConfig({ host });
    assert.equal(namesrv.config.listenPort, 9876);
    assert.equal(namesrv.config.kvConfigPath, '/home/test/namesrv/kvConfig.json');
  });

  it('returns a frozen config, sources and warnings', () => {
    const loaded = loadBrokerConfig({ text: 'brokerName=a', host });
    assert.ok(Object.isFrozen(loaded));
    assert.ok(Object.isFrozen(loaded.config));
    assert.ok(Object.isFrozen(loaded.sources));
    assert.ok(Object.isFrozen(loaded.warnings));
    assert.throws(() => {
      (loaded.config as { listenPort: number }).listenPort = 1;
    }, TypeError);
    assert.deepEqual(Object.keys(loaded.config), Object.keys(loaded.schema));
  });
});
