// The console's HTTP API against a real NameServer process, without a browser: its bounds and
// refusals, each with its status and stable code. A read-only console (no consoleAdminToken)
// refuses every action; a console with a token refuses a body over 16 KiB, a body that is not a
// JSON object, an unknown action or view, a Host that is not loopback (DNS rebinding), and a
// request beyond consoleMaxConcurrentRequests while one is still running, which then ends at
// consoleRequestTimeoutMs.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startNamesrv, stopAll } from '../harness/petrel-processes.js';

const TOKEN = 'api-test-token';

async function consoleOf(extra: string[]): Promise<URL> {
  const ns = await startNamesrv(['--consoleListenPort=0', ...extra]);
  return new URL((await ns.child.waitForLine(/^console http:/, 20_000)).split(' ')[1]!);
}

const actionHeaders = {
  'content-type': 'application/json',
  'x-petrel-console': '1',
  'x-petrel-console-token': TOKEN,
};

async function errorOf(response: Response): Promise<[number, string]> {
  const body = (await response.json()) as { error?: { code: string } };
  return [response.status, body.error?.code ?? 'none'];
}

describe('the console API', { timeout: 60_000 }, () => {
  let readOnly: URL;
  let guarded: URL;

  before(async () => {
    readOnly = await consoleOf([]);
    guarded = await consoleOf([
      `--consoleAdminToken=${TOKEN}`,
      '--consoleMaxConcurrentRequests=1',
      '--consoleRequestTimeoutMs=1000',
    ]);
  });

  after(() => stopAll());

  it('serves read views without login, and refuses actions on a read-only console', async () => {
    const overview = (await (await fetch(new URL('api/overview', readOnly))).json()) as {
      readOnly: boolean;
    };
    assert.equal(overview.readOnly, true);
    const action = await fetch(new URL('api/actions/createTopic', readOnly), {
      method: 'POST',
      headers: actionHeaders,
      body: JSON.stringify({ topic: 'T' }),
    });
    assert.deepEqual(await errorOf(action), [403, 'E_CONSOLE_TOKEN']);
  });

  it('refuses malformed and oversized requests with stable codes', async () => {
    const post = (path: string, body: string) =>
      fetch(new URL(path, guarded), { method: 'POST', headers: actionHeaders, body });
    assert.deepEqual(await errorOf(await post('api/actions/createTopic', 'x'.repeat(20_000))), [
      400,
      'E_CONSOLE_REQUEST_INVALID',
    ]);
    assert.deepEqual(await errorOf(await post('api/actions/createTopic', '[1]')), [
      400,
      'E_CONSOLE_REQUEST_INVALID',
    ]);
    assert.deepEqual(await errorOf(await post('api/actions/rebootEverything', '{}')), [
      400,
      'E_CONSOLE_REQUEST_INVALID',
    ]);
    assert.deepEqual(await errorOf(await fetch(new URL('api/nothing', guarded))), [
      400,
      'E_CONSOLE_REQUEST_INVALID',
    ]);
    assert.deepEqual(await errorOf(await fetch(new URL('api/topic?topic=a%20b', guarded))), [
      400,
      'E_CONSOLE_REQUEST_INVALID',
    ]);
    const page = await fetch(guarded);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  });

  it('answers only to loopback host names (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const r = request(
        {
          host: '127.0.0.1',
          port: guarded.port,
          path: '/api/overview',
          headers: { host: 'rebound.example' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      r.on('error', reject);
      r.end();
    });
    assert.equal(status, 403);
  });

  it('answers 503 beyond the concurrent requests, and ends a stalled one at the deadline', async () => {
    // An action whose body never finishes holds the one slot.
    let stalledStatus: Promise<number> = Promise.resolve(0);
    const stalled = request({
      host: '127.0.0.1',
      port: guarded.port,
      method: 'POST',
      path: '/api/actions/createTopic',
      headers: { ...actionHeaders, host: guarded.host, 'content-length': '100' },
    });
    stalledStatus = new Promise((resolve, reject) => {
      stalled.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      stalled.on('error', reject);
    });
    stalled.write('{"topic":');
    // The slot is taken once the console has read the headers; wait for the 503 that proves it.
    let busy: [number, string] = [0, ''];
    for (let i = 0; i < 200 && busy[0] !== 503; i++) {
      busy = await errorOf(await fetch(new URL('api/overview', guarded)));
    }
    assert.deepEqual(busy, [503, 'E_CONSOLE_BUSY']);
    assert.equal(await stalledStatus, 504, 'the stalled request ends at consoleRequestTimeoutMs');
    stalled.destroy();
    const overview = await fetch(new URL('api/overview', guarded));
    assert.equal(overview.status, 200, 'the slot is free again');
  });
});
