// Worker host lifecycle against small fixture workers (test/fixtures/workers/): the READY
// handshake, its deadline, errors crossing the thread boundary with their code, crashes reported
// as E_WORKER_EXITED, and shutdown by CLOSE/CLOSED or by terminate after the deadline.
// Deadlines are short but generous for a loaded 2-core machine; no test sleeps.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MqError } from '../../../../common/errors.js';
import {
  spawnWorker,
  type WorkerHandle,
  workerExecArgv,
} from '../../../../workers/host/worker-host.js';

const fixture = (name: string): URL =>
  new URL(`../../../fixtures/workers/${name}.js`, import.meta.url);

const readyTimeoutMs = 10_000;

function exitReport(handle: WorkerHandle): Promise<MqError> {
  return new Promise((resolve) => handle.onExit(resolve));
}

function causeCode(error: unknown): unknown {
  return (error as { cause?: { code?: unknown } }).cause?.code;
}

describe('spawnWorker', () => {
  it('resolves after READY with the worker data delivered, and closes by CLOSE/CLOSED', async () => {
    const sab = new SharedArrayBuffer(4);
    const handle = await spawnWorker({
      entry: fixture('ready-worker'),
      workerData: { sab, value: 42 },
      readyTimeoutMs,
      name: 'ready',
    });
    assert.equal(Atomics.load(new Int32Array(sab), 0), 42);
    assert.ok(handle.threadId > 0);
    assert.equal(handle.exited, false);
    let reported: MqError | undefined;
    handle.onExit((error) => {
      reported = error;
    });
    const result = await handle.close(10_000);
    assert.deepEqual(result, { outcome: 'CLOSED' });
    assert.equal(handle.exited, true);
    assert.equal(reported, undefined, 'a confirmed close is not an unexpected exit');
    assert.deepEqual(await handle.close(10_000), { outcome: 'CLOSED' });
  });

  it('rejects with E_WORKER_START_TIMEOUT when READY does not come in time', async () => {
    await assert.rejects(
      spawnWorker({
        entry: fixture('silent-worker'),
        workerData: {},
        readyTimeoutMs: 300,
        name: 's',
      }),
      (error: unknown) => {
        assert.ok(error instanceof MqError);
        assert.equal(error.code, 'E_WORKER_START_TIMEOUT');
        return true;
      },
    );
  });

  it('rejects with E_WORKER_EXITED, cause code kept, when the worker throws while starting', async () => {
    await assert.rejects(
      spawnWorker({
        entry: fixture('throwing-worker'),
        workerData: { when: 'start' },
        readyTimeoutMs,
        name: 'thrower',
      }),
      (error: unknown) => {
        assert.ok(error instanceof MqError);
        assert.equal(error.code, 'E_WORKER_EXITED');
        assert.equal(causeCode(error), 'E_CONFIG_INVALID');
        assert.deepEqual((error.cause as MqError).details, { key: 'x' });
        assert.equal(error.details['exitCode'], 1);
        return true;
      },
    );
  });

  it('rejects with E_WORKER_EXITED when the entry cannot be loaded', async () => {
    await assert.rejects(
      spawnWorker({ entry: fixture('no-such-worker'), workerData: {}, readyTimeoutMs, name: 'x' }),
      { code: 'E_WORKER_EXITED' },
    );
  });

  it('checks its options at the edge', () => {
    const base = { entry: fixture('ready-worker'), workerData: {}, readyTimeoutMs, name: 'x' };
    assert.throws(() => spawnWorker({ ...base, readyTimeoutMs: 0 }), RangeError);
    assert.throws(() => spawnWorker({ ...base, name: '' }), TypeError);
    assert.throws(() => spawnWorker({ ...base, workerData: { f: () => 1 } }), {
      name: 'DataCloneError',
    });
  });
});

describe('WorkerHandle exit reports', () => {
  for (const when of ['running', 'rejected'] as const) {
    it(`reports FATAL from a ${when} worker as E_WORKER_EXITED with the original code`, async () => {
      const handle = await spawnWorker({
        entry: fixture('throwing-worker'),
        workerData: { when },
        readyTimeoutMs,
        name: `thrower-${when}`,
      });
      const error = await exitReport(handle);
      assert.equal(error.code, 'E_WORKER_EXITED');
      const expected = when === 'running' ? 'E_IO_ERROR' : 'E_DISK_FULL';
      assert.equal(causeCode(error), expected);
      assert.equal(error.details['workerErrorCode'], expected);
      assert.ok(error.cause instanceof MqError);
      assert.equal(handle.exited, true);
      const late = await exitReport(handle);
      assert.equal(late, error, 'a listener added after the exit still hears of it');
      assert.equal((await handle.close(1000)).outcome, 'EXITED');
    });
  }

  it('reports a worker that calls process.exit as E_WORKER_EXITED with its exit code', async () => {
    const handle = await spawnWorker({
      entry: fixture('exiting-worker'),
      workerData: {},
      readyTimeoutMs,
      name: 'exiter',
    });
    const error = await exitReport(handle);
    assert.equal(error.code, 'E_WORKER_EXITED');
    assert.equal(error.details['exitCode'], 3);
    assert.equal(error.cause, undefined);
  });
});

describe('WorkerHandle.close', () => {
  it('terminates a worker that ignores CLOSE once the deadline passes', async () => {
    const handle = await spawnWorker({
      entry: fixture('stubborn-worker'),
      workerData: {},
      readyTimeoutMs,
      name: 'stubborn',
    });
    const reported = exitReport(handle);
    const started = Date.now();
    const result = await handle.close(200);
    assert.equal(result.outcome, 'TERMINATED');
    assert.ok(Date.now() - started >= 190);
    assert.equal((await reported).code, 'E_WORKER_EXITED');
  });

  it('reaches a worker blocked in Atomics.wait through pollControl', async () => {
    const sab = new SharedArrayBuffer(4);
    const handle = await spawnWorker({
      entry: fixture('polling-worker'),
      workerData: { sab, sleepMs: 5 },
      readyTimeoutMs,
      name: 'poller',
    });
    assert.deepEqual(await handle.close(10_000), { outcome: 'CLOSED' });
    assert.ok(Atomics.load(new Int32Array(sab), 0) >= 1);
  });
});

describe('workerExecArgv', () => {
  it('drops preload flags and their values, keeps the rest', () => {
    assert.deepEqual(
      workerExecArgv([
        '--enable-source-maps',
        '--import',
        'tsx',
        '--require=./a.cjs',
        '-r',
        './b.cjs',
        '--loader',
        'ts-node/esm',
        '--experimental-loader=x.mjs',
        '--max-old-space-size=512',
      ]),
      ['--enable-source-maps', '--max-old-space-size=512'],
    );
  });

  it('leaves the options to inheritance when there is no preload flag to drop', () => {
    assert.equal(workerExecArgv(['--enable-source-maps', '--stack-trace-limit=10']), undefined);
  });
});
