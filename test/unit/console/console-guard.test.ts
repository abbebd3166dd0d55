// The console's request checks: Host names a loopback console answers to, the same-origin rules
// for actions (Sec-Fetch-Site, Origin, the console's own header, JSON), and the admin token.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../../common/errors.js';
import { checkHost, checkSameOrigin, checkToken } from '../../../console/console-guard.js';

const sameOrigin = {
  host: '127.0.0.1:8080',
  origin: 'http://127.0.0.1:8080',
  'sec-fetch-site': 'same-origin',
  'x-petrel-console': '1',
  'content-type': 'application/json',
};

describe('console guard', () => {
  it('a loopback console answers to loopback names only (DNS rebinding)', () => {
    assert.equal(checkHost({ host: '127.0.0.1:8080' }, true), null);
    assert.equal(checkHost({ host: 'localhost:8080' }, true), null);
    assert.equal(checkHost({ host: '[::1]:8080' }, true), null);
    assert.equal(
      checkHost({ host: 'evil.example:8080' }, true)?.code,
      ErrorCode.CONSOLE_CROSS_SITE,
    );
    assert.equal(checkHost({ host: 'console.corp:8080' }, false), null);
    assert.equal(checkHost({}, true)?.status, 400);
  });

  it('accepts a same-origin JSON action with the console header', () => {
    assert.equal(checkSameOrigin(sameOrigin), null);
    const curl = {
      host: sameOrigin.host,
      'x-petrel-console': '1',
      'content-type': 'application/json; charset=utf-8',
    };
    assert.equal(checkSameOrigin(curl), null, 'a tool without browser headers');
  });

  it('refuses cross-site requests, missing header and non-JSON bodies', () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ ...sameOrigin, 'sec-fetch-site': 'cross-site' }, 403, 'Sec-Fetch-Site'],
      [{ ...sameOrigin, 'sec-fetch-site': 'same-site' }, 403, 'Sec-Fetch-Site'],
      [{ ...sameOrigin, origin: 'http://evil.example' }, 403, 'Origin'],
      [{ ...sameOrigin, origin: 'null' }, 403, 'Origin'],
      [{ ...sameOrigin, 'x-petrel-console': '' }, 403, 'x-petrel-console'],
      [{ ...sameOrigin, 'content-type': 'text/plain' }, 415, 'JSON'],
      [{ ...sameOrigin, 'content-type': 'application/x-www-form-urlencoded' }, 415, 'JSON'],
    ];
    for (const [headers, status, mention] of cases) {
      const refusal = checkSameOrigin(headers);
      assert.equal(refusal?.status, status, JSON.stringify(headers));
      assert.match(refusal?.message ?? '', new RegExp(mention));
    }
  });

  it('checks the admin token; without one configured the console is read-only', () => {
    assert.equal(checkToken({ 'x-petrel-console-token': 's3cret' }, 's3cret'), null);
    assert.equal(checkToken({ 'x-petrel-console-token': 's3cre' }, 's3cret')?.status, 401);
    assert.equal(checkToken({}, 's3cret')?.code, ErrorCode.CONSOLE_TOKEN);
    const readOnly = checkToken({ 'x-petrel-console-token': 'anything' }, undefined);
    assert.equal(readOnly?.status, 403);
    assert.match(readOnly?.message ?? '', /read-only/);
  });
});
