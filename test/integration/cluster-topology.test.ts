// petrel cluster --topology on a copy of conf/2m-2s-async (ports set to 0, so the test takes free
// ports): five processes each with its own log, then the fault switches from a second command —
// kill -9 a master (the supervisor reports it), restart it (a new pid, listening again), pause and
// resume a slave (its process state shows it stopped) — and Ctrl-C stopping every process.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { cliPath, smallBrokerArgs, stopAll, tmpDir } from '../harness/petrel-processes.js';
import { spawnNode } from '../harness/spawn-process.js';
import { waitFor } from '../harness/wait-for.js';
import { repoRoot } from '../unit/config/config-fixtures.js';

const run = promisify(execFile);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The state letter of /proc/<pid>/stat: T when stopped by SIGSTOP. */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

function statePids(dataDir: string): Map<string, number> {
  const state = JSON.parse(readFileSync(join(dataDir, 'cluster-state.json'), 'utf8')) as {
    processes: { name: string; pid: number }[];
  };
  return new Map(state.processes.map((p) => [p.name, p.pid]));
}

describe('petrel cluster --topology and its fault switches', { timeout: 180_000 }, () => {
  const topology = tmpDir('petrel-topology-conf-');
  const dataDir = tmpDir('petrel-topology-data-');
  after(async () => {
    if (existsSync(join(dataDir, 'cluster-state.json'))) {
      for (const pid of statePids(dataDir).values()) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await stopAll();
  });

  it('starts every process with its log, kills, restarts, pauses and resumes one, and stops all', async () => {
    const source = join(repoRoot, 'conf', '2m-2s-async');
    for (const name of readdirSync(source)) {
      copyFileSync(join(source, name), join(topology, name));
      const text = readFileSync(join(topology, name), 'utf8').replace(
        /^listenPort=\d+$/m,
        'listenPort=0',
      );
      writeFileSync(join(topology, name), text);
    }
    const petrel = cliPath('petrel');
    const supervisor = spawnNode(petrel, [
      'cluster',
      '--topology',
      topology,
      '--namesrv-port',
      '0',
      '--data-dir',
      dataDir,
      ...smallBrokerArgs,
    ]);
    await supervisor.waitForLine(/^Press Ctrl-C to stop\.$/, 90_000);
    const consoleUrl = (await supervisor.waitForLine(/^Console: http:\/\/\S+ /, 1000)).split(
      ' ',
    )[1];
    const overview = await fetch(`${consoleUrl}api/overview`);
    assert.equal(overview.status, 200, 'the NameServer serves the web console');
    const started = supervisor.lines
      .map((l) => /^(\S+) listening (\S+) \(pid (\d+)\) log (\S+)$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => ({ name: m[1] ?? '', pid: Number(m[3]), log: m[4] ?? '' }));
    assert.deepEqual(
      started.map((p) => p.name),
      ['namesrv', 'broker-a', 'broker-b', 'broker-a-s', 'broker-b-s'],
    );
    for (const p of started) {
      assert.ok(isAlive(p.pid), p.name);
      assert.match(readFileSync(p.log, 'utf8'), /^listening /m, `${p.name} logs to its own file`);
    }
    const control = (...args: string[]) =>
      run(process.execPath, [petrel, 'cluster', ...args, '--data-dir', dataDir], {
        timeout: 90_000,
      });

    const master = statePids(dataDir).get('broker-a') ?? 0;
    assert.match((await control('kill', 'broker-a')).stdout, /broker-a \(pid \d+\) killed/);
    await supervisor.waitForLine(
      new RegExp(`^broker-a \\(pid ${master}\\) is not running$`),
      10_000,
    );
    assert.ok(!isAlive(master));
    const restarted = await control('restart', 'broker-a');
    const newPid = statePids(dataDir).get('broker-a') ?? 0;
    assert.notEqual(newPid, master);
    assert.ok(isAlive(newPid));
    assert.match(restarted.stdout, new RegExp(`broker-a listening \\S+ \\(pid ${newPid}\\)`));

    const slave = statePids(dataDir).get('broker-b-s') ?? 0;
    await control('pause', 'broker-b-s');
    await waitFor(() => procState(slave) === 'T', { timeoutMs: 5000, what: 'the slave stopped' });
    await control('resume', 'broker-b-s');
    await waitFor(() => procState(slave) !== 'T', { timeoutMs: 5000, what: 'the slave running' });
    const unknown = await control('kill', 'broker-z').catch(
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal((unknown as { code: number }).code, 2);

    supervisor.process.kill('SIGINT');
    assert.equal(await supervisor.exited, 0);
    for (const [name, pid] of statePids(dataDir)) assert.ok(!isAlive(pid), `${name} stopped`);
  });
});
