// The .properties parser against hand-written cases of java.util.Properties#load semantics
// (worked out from its LineReader and load0/loadConvert), run with Petrel's two extensions off;
// then the extensions themselves, decoding, and an escape round trip checked with fast-check.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodePropertiesBytes,
  escapePropertiesKey,
  escapePropertiesValue,
  parseProperties,
} from '../../../config/properties.js';

const javaMode = { inlineComments: false, trimTrailingWhitespace: false } as const;

function javaLoad(text: string): Record<string, string> {
  const parsed = parseProperties(text, javaMode);
  assert.deepEqual(parsed.errors, []);
  return Object.fromEntries([...parsed.byKey.values()].map((e) => [e.key, e.value]));
}

// [input, what java.util.Properties holds afterwards]
const javaCases: readonly [string, Record<string, string>][] = [
  ['key=value', { key: 'value' }],
  ['key = value', { key: 'value' }],
  ['key:value', { key: 'value' }],
  ['key value', { key: 'value' }],
  ['key\t=  value', { key: 'value' }],
  ['key = = value', { key: '= value' }],
  ['key  value = x', { key: 'value = x' }],
  ['key::v', { key: ':v' }],
  ['   key=value', { key: 'value' }],
  ['\f\tkey=value', { key: 'value' }],
  ['key=', { key: '' }],
  ['key', { key: '' }],
  ['key   ', { key: '' }],
  ['# comment\n! also a comment\n   # indented comment\nk=v', { k: 'v' }],
  ['key=value # stays', { key: 'value # stays' }],
  ['key=value   ', { key: 'value   ' }],
  ['key=a\\\n   b', { key: 'ab' }],
  ['key=a\\\n\\\n  b', { key: 'ab' }],
  ['key=a\\\\', { key: 'a\\' }],
  ['key=a\\\\\nnext=1', { key: 'a\\', next: '1' }],
  ['# comment \\\nkey=v', { key: 'v' }],
  ['key=a\\\n#b', { key: 'a#b' }],
  ['key=a\\\n\nnext=1', { key: 'a', next: '1' }],
  ['key=value\\', { key: 'value' }],
  ['key=\\t\\n\\r\\f', { key: '\t\n\r\f' }],
  ['key=\\u4e2d\\u6587', { key: '中文' }],
  ['key=\\a\\b\\ c', { key: 'ab c' }],
  ['key=C:\\\\dir', { key: 'C:\\dir' }],
  ['a\\=b=c', { 'a=b': 'c' }],
  ['a\\:b:c', { 'a:b': 'c' }],
  ['a\\ b c', { 'a b': 'c' }],
  ['\\#notcomment=1', { '#notcomment': '1' }],
  ['key=first\nkey=second', { key: 'second' }],
  ['a=1\r\nb=2\rc=3\n', { a: '1', b: '2', c: '3' }],
  ['brokerName=代理-a', { brokerName: '代理-a' }],
];

describe('properties: Java semantics', () => {
  for (const [input, expected] of javaCases) {
    it(`reads ${JSON.stringify(input)}`, () => {
      assert.deepEqual(javaLoad(input), expected);
    });
  }

  it('numbers each entry by the line its logical line starts on', () => {
    const parsed = parseProperties('# c\n\na=1\nb=x\\\n  y\\\n  z\nc=3\r\nd=4', javaMode);
    assert.deepEqual(
      parsed.entries.map((e) => [e.key, e.line]),
      [
        ['a', 3],
        ['b', 4],
        ['c', 7],
        ['d', 8],
      ],
    );
  });

  it('keeps the last of a repeated key and warns with both lines', () => {
    const parsed = parseProperties('k=1\nother=x\nk=2', javaMode);
    assert.equal(parsed.byKey.get('k')?.value, '2');
    assert.equal(parsed.entries.length, 3);
    assert.equal(parsed.warnings.length, 1);
    assert.equal(parsed.warnings[0]?.line, 3);
    assert.equal(parsed.warnings[0]?.key, 'k');
    assert.match(parsed.warnings[0]?.message ?? '', /line 3 overrides line 1/);
  });

  it('reports a malformed \\uXXXX escape at its line and skips the entry', () => {
    const parsed = parseProperties('a=1\nb=\\u12g4\nc=\\u12', javaMode);
    assert.deepEqual(
      parsed.errors.map((e) => [e.line, e.key]),
      [
        [2, 'b'],
        [3, 'c'],
      ],
    );
    assert.deepEqual([...parsed.byKey.keys()], ['a']);
  });
});

describe('properties: Petrel extensions', () => {
  it('cuts an inline comment after whitespace and reports all such lines in one warning', () => {
    const parsed = parseProperties('brokerId=0 # 0代表Master\nname=a\t# tab\nx=#y\nz=a#b');
    const values = Object.fromEntries(parsed.entries.map((e) => [e.key, e.value]));
    assert.deepEqual(values, { brokerId: '0', name: 'a', x: '#y', z: 'a#b' });
    assert.equal(parsed.warnings.length, 1);
    assert.equal(parsed.warnings[0]?.line, 1);
    assert.match(parsed.warnings[0]?.message ?? '', /lines 1, 2/);
    assert.match(parsed.warnings[0]?.message ?? '', /Petrel extension/);
  });

  it('keeps an escaped "#" or an escaped space before "#" literal', () => {
    const parsed = parseProperties('a=x \\#y\nb=x\\ #y\nc=x\\\\ #y');
    const values = Object.fromEntries(parsed.entries.map((e) => [e.key, e.value]));
    assert.deepEqual(values, { a: 'x #y', b: 'x #y', c: 'x\\' });
  });

  it('removes trailing whitespace but keeps an escaped trailing space', () => {
    const parsed = parseProperties('a=1  \nb=x\\ \nc=2');
    const values = Object.fromEntries(parsed.entries.map((e) => [e.key, e.value]));
    assert.deepEqual(values, { a: '1', b: 'x ', c: '2' });
    assert.equal(parsed.warnings.length, 1);
    assert.match(parsed.warnings[0]?.message ?? '', /trailing whitespace.*line 1\b/);
  });

  it('applies an inline comment to a continued value as a whole', () => {
    const parsed = parseProperties('peers=n0-a:1;\\\n  n1-b:2 # two peers');
    assert.equal(parsed.byKey.get('peers')?.value, 'n0-a:1;n1-b:2');
  });
});

describe('properties: decoding', () => {
  it('reads UTF-8 and drops a byte order mark', () => {
    const bytes = Buffer.from('\uFEFF# 集群\nbrokerName=broker-a\n', 'utf8');
    const decoded = decodePropertiesBytes(bytes);
    assert.equal(decoded.warning, undefined);
    assert.equal(parseProperties(decoded.text).byKey.get('brokerName')?.value, 'broker-a');
  });

  it('falls back to ISO-8859-1 with a warning when the bytes are not UTF-8', () => {
    const decoded = decodePropertiesBytes(Buffer.from([0x6b, 0x3d, 0xe9, 0x0a]));
    assert.equal(decoded.text, 'k=é\n');
    assert.match(decoded.warning ?? '', /ISO-8859-1/);
  });
});

describe('properties: escaping', () => {
  it('escapes keys and values so that both parser modes read them back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (key, value) => {
        const line = `${escapePropertiesKey(key)}=${escapePropertiesValue(value)}`;
        for (const mode of [javaMode, {}]) {
          const parsed = parseProperties(line, mode);
          assert.deepEqual(parsed.errors, []);
          assert.equal(parsed.entries.length, 1);
          assert.equal(parsed.entries[0]?.key, key);
          assert.equal(parsed.entries[0]?.value, value);
        }
      }),
      { numRuns: 300, seed: 20_240_601 },
    );
  });
});
