// The command-line entry points as processes: `mqbroker -p` prints the effective config with the
// source of each value, an unknown key stops the broker with exit code 2 and a "did you mean"
// hint on stderr, `petrel check-config` validates the ready topologies, and usage errors exit 2.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
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
  });

  it('exits 2 with the usage on an unknown option', async () => {
    const { code, stderr } = await run('mqbroker', ['--bogus']);
    assert.equal(code, 2);
    assert.match(stderr, /Unknown option "--bogus"[\s\S]*Usage: mqbroker/);
  });
});
