import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDledgerPeers } from '../../../config/dledger-peers.js';
import {
  addressList,
  bool,
  dledgerPeers,
  hours,
  int,
  type KeySpec,
  oneOf,
  parseHostPort,
  size,
  str,
} from '../../../config/schema.js';

function accepts<T>(spec: KeySpec<T>, raw: string): T {
  const result = spec.parse(raw);
  assert.ok(result.ok, `expected ${JSON.stringify(raw)} to parse`);
  return result.value;
}

function rejects<T>(spec: KeySpec<T>, raw: string): string {
  const result = spec.parse(raw);
  assert.ok(!result.ok, `expected ${JSON.stringify(raw)} to be rejected`);
  return result.reason;
}

describe('schema combinators', () => {
  it('int accepts plain decimal within range only', () => {
    const spec = int({ min: 0, max: 65535, default: 10911, doc: 'port' });
    assert.equal(accepts(spec, '10911'), 10911);
    assert.equal(accepts(spec, '0'), 0);
    assert.equal(accepts(spec, '007'), 7);
    for (const raw of ['', ' 1', '1 ', '+1', '1e3', '0x10', '1_000', '10ms', '1.0', 'NaN']) {
      assert.match(rejects(spec, raw), /decimal integer/);
    }
    assert.match(rejects(spec, '-1'), /at least 0/);
    assert.match(rejects(spec, '65536'), /at most 65535/);
  });

  it('int defaults to the Java int range and rejects unsafe integers', () => {
    const spec = int({ default: 1, doc: 'x' });
    assert.equal(accepts(spec, '-2147483648'), -(2 ** 31));
    assert.match(rejects(spec, '2147483648'), /at most 2147483647/);
    const wide = int({ min: 0, max: Number.MAX_SAFE_INTEGER, default: 0, doc: 'x' });
    assert.match(rejects(wide, '9007199254740993'), /not a safe integer/);
  });

  it('int with clamp replaces an out-of-range value by the bound, with a warning', () => {
    const spec = int({ min: 10, max: 95, clamp: true, default: 75, doc: 'ratio' });
    const result = spec.parse('98');
    assert.ok(result.ok);
    assert.equal(result.value, 95);
    assert.match(result.warning ?? '', /95 is used/);
  });

  it('hours and size carry their units; size takes plain bytes only', () => {
    assert.equal(hours({ default: 72, doc: 'x' }).unit, 'hours');
    const bytes = size({ default: 1024, doc: 'x' });
    assert.equal(bytes.unit, 'bytes');
    assert.equal(accepts(bytes, '1073741824'), 1073741824);
    rejects(bytes, '1g');
    rejects(bytes, '0');
  });

  it('bool accepts true and false in any case and nothing else', () => {
    const spec = bool({ default: false, doc: 'x' });
    assert.equal(accepts(spec, 'TRUE'), true);
    assert.equal(accepts(spec, 'False'), false);
    for (const raw of ['yes', '1', 'on', '', 'truee'])
      assert.match(rejects(spec, raw), /true or false/);
  });

  it('oneOf matches exactly and hints at a case mistake', () => {
    const spec = oneOf(['ASYNC_FLUSH', 'SYNC_FLUSH'], { default: 'ASYNC_FLUSH', doc: 'x' });
    assert.equal(accepts(spec, 'SYNC_FLUSH'), 'SYNC_FLUSH');
    assert.match(rejects(spec, 'sync_flush'), /case-sensitive: SYNC_FLUSH/);
    assert.doesNotMatch(rejects(spec, 'FAST'), /case-sensitive/);
  });

  it('str checks emptiness, pattern and custom checks; an optional key reads empty as unset', () => {
    const required = str({ default: 'x', doc: 'x' });
    assert.match(rejects(required, ''), /empty/);
    const patterned = str({ optional: true, pattern: /^n\d+$/, accepts: 'an id', doc: 'x' });
    assert.equal(accepts(patterned, ''), undefined);
    assert.equal(accepts(patterned, 'n3'), 'n3');
    assert.match(rejects(patterned, 'node3'), /expected an id/);
  });

  it('addressList reads host:port;host:port and allows a trailing separator', () => {
    const spec = addressList({ optional: true, doc: 'x' });
    assert.deepEqual(accepts(spec, '127.0.0.1:9876;ns2:9877;'), [
      { host: '127.0.0.1', port: 9876 },
      { host: 'ns2', port: 9877 },
    ]);
    assert.equal(spec.format(accepts(spec, 'a:1;b:2')), 'a:1;b:2');
    assert.match(rejects(spec, 'a:1;b'), /address 2/);
    assert.match(rejects(spec, 'a:0'), /1\.\.65535/);
    assert.match(rejects(spec, 'a:1;;b:2'), /address 2/);
  });

  it('parseHostPort takes the port after the last colon', () => {
    assert.deepEqual(parseHostPort('[::1]:9876'), {
      ok: true,
      value: { host: '[::1]', port: 9876 },
    });
    assert.equal(parseHostPort(':9876').ok, false);
    assert.equal(parseHostPort('host name:1').ok, false);
  });

  it('a default that its own parser would reject is a programming error', () => {
    assert.throws(() => int({ min: 1, default: 0, doc: 'x' }), { name: 'AssertionError' });
    assert.throws(() => str({ doc: 'x' }), { name: 'AssertionError' });
  });
});

describe('DLedger peers', () => {
  it("reads the seed article's peers string", () => {
    const parsed = parseDledgerPeers(
      'n0-192.168.1.100:40911;n1-192.168.1.101:40911;n2-192.168.1.102:40911',
    );
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.peers[2], {
      id: 'n2',
      host: '192.168.1.102',
      port: 40911,
      address: '192.168.1.102:40911',
    });
  });

  it('splits an entry at the first dash so host names may contain dashes', () => {
    const parsed = parseDledgerPeers('n0-broker-a-0.local:40911');
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.peers[0], {
      id: 'n0',
      host: 'broker-a-0.local',
      port: 40911,
      address: 'broker-a-0.local:40911',
    });
  });

  it('rejects malformed entries, bad ids and repeated ids or addresses', () => {
    const reasons: [string, RegExp][] = [
      ['', /is empty/],
      ['n0', /form id-host:port/],
      ['n0-host', /no port/],
      ['node0-h:1', /letter followed by digits/],
      ['n0-h:99999', /port/],
      ['n0-h:1;n0-g:2', /"n0" appears more than once/],
      ['n0-h:1;n1-h:1', /"h:1" appears more than once/],
    ];
    for (const [text, reason] of reasons) {
      const parsed = parseDledgerPeers(text);
      assert.ok(!parsed.ok, text);
      assert.match(parsed.reason, reason, text);
    }
  });

  it('formats peers back to the same string', () => {
    const spec = dledgerPeers({ optional: true, doc: 'x' });
    const text = 'n0-127.0.0.1:40911;n1-127.0.0.1:40912';
    assert.equal(spec.format(accepts(spec, text)), text);
  });
});
