// PETREL_LOG_FORMAT=json: a real broker process writes its log as JSON lines on stderr (through
// pino's transport thread), each with level, time, name and msg, and the fields as properties; the
// last line before a clean stop is there too (flushed at exit). A bad format value is refused.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { cliPath, smallBrokerArgs, stopAll, tmpDir } from '../harness/petrel-processes.js';
import { spawnNode } from '../harness/spawn-process.js';

describe('structured logs', { timeout: 60_000 }, () => {
  after(() => stopAll());
  const args = (dir: string) => [
    '--brokerName=broker-json',
    '--brokerIP1=127.0.0.1',
    '--bindAddress=127.0.0.1',
    '--listenPort=0',
    '--haListenPort=0',
    `--storePathRootDir=${dir}`,
    ...smallBrokerArgs,
  ];

  it('writes JSON lines with levels and fields when PETREL_LOG_FORMAT=json', async () => {
    const broker = spawnNode(cliPath('mqbroker'), args(tmpDir('petrel-json-log-')), {
      PETREL_LOG_FORMAT: 'json',
      PETREL_LOG_LEVEL: 'info',
    });
    await broker.waitForLine(/^listening /, 30_000);
    broker.process.kill('SIGTERM');
    assert.equal(await broker.exited, 0);
    const records = broker.stderr.map((line) => JSON.parse(line) as Record<string, unknown>);
    const started = records.find((r) => r['msg'] === 'Broker started');
    assert.equal(started?.['level'], 'info');
    assert.equal(started?.['name'], 'broker broker-json');
    assert.equal(started?.['brokerName'], 'broker-json');
    assert.equal(typeof started?.['time'], 'string');
    assert.ok(
      records.some((r) => r['level'] === 'warn' && String(r['msg']).includes('namesrvAddr')),
    );
    assert.ok(
      records.some((r) => r['msg'] === 'Broker stopped'),
      'the last lines are flushed at exit',
    );
  });

  it('refuses an unknown format', async () => {
    const broker = spawnNode(cliPath('mqbroker'), args(tmpDir('petrel-json-log-')), {
      PETREL_LOG_FORMAT: 'xml',
    });
    assert.equal(await broker.exited, 2);
    assert.match(broker.stderr.join('\n'), /PETREL_LOG_FORMAT is "xml": use text or json/);
  });
});
