// The command-line entry points as processes: `mqbroker -p` prints the effective config with the
// source of each value, an unknown key stops the broker with exit code 2 and a "did you mean"
// hint on stderr, a DLedger config loads but the broker refuses to start, `petrel check-config` validates the ready topologies, `petrel bench` runs the
// cluster and Master/Slave benchmarks end to end (one-second windows), and usage errors exit 2.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../engine/index.js';
import { cliPath, stopAll, tmpDir } from '../harness/petrel-processes.js';
import { spawnNode } from '../harness/spawn-process.js';

after(() => stopAll());

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

async function run(name: 'mqbroker' | 'mqnamesrv' | 'petrel', args: string[]) {
  const child = spawnNode(cliPath(name), args);
  const code = await child.exited;
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: child.lines.join('\n'), stderr: child.stderr.join('\n') };
}

describe('CLI', { timeout: 60_000 }, () => {
  it('mqbroker -p prints the effective config with where each value came from', async () => {
    const file = join(repoRoot, 'conf', '2m-2s-sync', 'broker-a.properties');
    const { code, stdout } = await run('mqbroker', ['-c', file, '-p', '-n', '10.0.0.1:9876']);
    assert.equal(code, 0);
    assert.match(stdout, /^brokerName=broker-a\s+# .*broker-a\.properties:\d+$/m);
    assert.match(stdout, /^brokerRole=SYNC_MASTER\s+#/m);
    assert.match(stdout, /^namesrvAddr=10\.0\.0\.1:9876\s+# flag/m);
    assert.match(stdout, /^haListenPort=10912\s+# derived: listenPort\+1$/m);
  });

  it('stops with exit code 2 and a "did you mean" hint on an unknown key', async () => {
    const file = join(tmpDir('petrel-cli-'), 'broker.properties');
    writeFileSync(file, 'brokerName=broker-x\nbrokerNmae=typo\nlistenPort=0\n');
    const { code, stderr } = await run('mqbroker', ['-c', file]);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /broker\.properties:2 brokerNmae: unknown key; did you mean "brokerName"\?/,
    );
  });

  it('refuses a DLedger broker on a store written in Master/Slave mode, saying how to migrate', async () => {
    const dir = tmpDir('petrel-cli-dledger-');
    const file = join(dir, 'broker.properties');
    writeFileSync(
      file,
      [
        'brokerClusterName=tom-cluster',
        'brokerName=broker-a',
        '# 启用Dledger功能',
        'enableDLegerCommitLog=true',
        'dLegerGroup=broker-a',
        'dLegerPeers=n0-192.168.1.100:40911;n1-192.168.1.101:40911;n2-192.168.1.102:40911',
        'dLegerSelfId=n0',
        'listenPort=0',
        `storePathRootDir=${join(dir, 'store')}`,
        '',
      ].join('\n'),
    );
    const printed = await run('mqbroker', ['-c', file, '-p']);
    assert.equal(printed.code, 0);
    assert.match(printed.stdout, /^dLegerSelfId=n0\s+#/m);
    // A message written by a plain master, and no DLedger log beside it.
    const store = await openStore({ storePathRootDir: join(dir, 'store'), threads: false });
    assert.equal(
      (await store.putMessage({ topic: 'T', queueId: 0, body: Buffer.from('m') })).status,
      'PUT_OK',
    );
    await store.close();
    const started = await run('mqbroker', ['-c', file]);
    assert.notEqual(started.code, 0);
    assert.match(started.stderr, /E_DLEDGER_STORE_NOT_MIGRATED/);
    assert.match(started.stderr, /To migrate: start the DLedger group on empty storePathRootDir/);
    assert.doesNotMatch(started.stdout, /listening/);
  });

  it('mqnamesrv -p shows command-line values', async () => {
    const { code, stdout } = await run('mqnamesrv', ['-p', '--listenPort=9999']);
    assert.equal(code, 0);
    assert.match(stdout, /^listenPort=9999\s+# flag --listenPort$/m);
  });

  it('petrel check-config accepts the ready topologies and reports bad values', async () => {
    const ok = await run('petrel', [
      'check-config',
      join(repoRoot, 'conf', '2m-2s-async', 'broker-b-s.properties'),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /valid broker config/);
    const file = join(tmpDir('petrel-cli-'), 'bad.properties');
    writeFileSync(file, 'brokerRole=SLAVE\nbrokerId=0\n');
    const bad = await run('petrel', ['check-config', file]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /brokerId/);
    // Security: an unsupported key is refused at its line; a missing ACL file is found too.
    writeFileSync(file, 'brokerName=a\ntls.ciphers=ALL\n');
    const unsupported = await run('petrel', ['check-config', file]);
    assert.notEqual(unsupported.code, 0);
    assert.match(
      unsupported.stderr,
      /E_CONFIG_UNSUPPORTED[\s\S]*bad\.properties:2 tls\.ciphers: not supported/,
    );
    writeFileSync(
      file,
      `brokerName=a\naclEnable=true\naclFile=${join(tmpDir('petrel-cli-'), 'none.yml')}\n`,
    );
    const noAcl = await run('petrel', ['check-config', file]);
    assert.notEqual(noAcl.code, 0);
    assert.match(noAcl.stderr, /aclFile .*none\.yml does not exist/);
  });

  it('petrel bench produce and ha run real processes and print their tables', {
    timeout: 40_000,
  }, async () => {
    const produce = await run('petrel', [
      'bench',
      'produce',
      '--duration=1',
      '--warmup=0',
      '--clients=petrel',
    ]);
    assert.equal(produce.code, 0, produce.stderr);
    assert.match(produce.stdout, /^Command: `petrel bench produce --duration=1 --warmup=0 /m);
    const sent =
      /^\| Petrel client \(send\) +\| +(\d+) \| +([\d.]+) \| +([\d.]+) \| +([\d.]+) \|/m.exec(
        produce.stdout,
      );
    assert.ok(sent, produce.stdout);
    assert.ok(Number(sent[1]) > 0, 'messages were acknowledged');
    assert.ok(Number(sent[2]) <= Number(sent[3]), 'p50 <= p99');

    const out = join(tmpDir('petrel-bench-'), 'ha.md');
    const ha = await run('petrel', [
      'bench',
      'ha',
      '--duration=1',
      '--warmup=0',
      '--in-flight=8',
      '--setups=SYNC_MASTER',
      `--out=${out}`,
    ]);
    assert.equal(ha.code, 0, ha.stderr);
    const report = readFileSync(out, 'utf8');
    assert.match(report, /<!-- ha:begin -->\n### Master\/Slave \(ASYNC_FLUSH, \d{4}-\d\d-\d\d\)/);
    assert.match(report, /^Machine: .*\d+ cores/m);
    assert.match(report, /^Command: `petrel bench ha --duration=1 /m);
    // setup | in flight | msgs/s | p50 | p99 | replicated MB/s | lag p50 | p99 | max | at stop | catch-up
    const cells = report
      .split('\n')
      .find((l) => l.startsWith('| SYNC_MASTER '))
      ?.split('|')
      .map((c) => c.trim());
    assert.ok(cells, report);
    assert.equal(cells[2], '8');
    assert.ok(Number(cells[3]) > 0, 'SYNC_MASTER sends were acknowledged');
    assert.ok(Number(cells[6]) > 0, 'the slave acknowledged bytes');
    assert.ok(Number.isFinite(Number(cells[11])), `catch-up measured: ${cells[11]}`);
    assert.match(report, /<!-- ha:end -->/);

    const bad = await run('petrel', ['bench', 'ha', '--bogus=1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown option --bogus[\s\S]*petrel bench ha /);
  });

  it('exits 2 with the usage on an unknown option', async () => {
    const { code, stderr } = await run('mqbroker', ['--bogus']);
    assert.equal(code, 2);
    assert.match(stderr, /Unknown option "--bogus"[\s\S]*Usage: mqbroker/);
  });
});
