import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTraceEntries, encodeTraceEntry } from '../../../client/trace/trace-data.js';

const C = '\u0001';
const F = '\u0002';

describe('message trace data (RocketMQ TraceDataEncoder format)', () => {
  it('decodes entries as a Java client writes them', () => {
    const javaPub =
      [
        'Pub',
        '1700000000000',
        'DefaultRegion',
        'PG',
        'T',
        'MSGID',
        'TagA',
        'k1',
        '10.1.1.1:10911',
        '5',
        '3',
        '0',
        'OFFID',
        'true',
      ].join(C) + F;
    const javaBefore =
      ['SubBefore', '1700000000100', 'DefaultRegion', 'CG', 'REQ', 'MSGID', '0', 'k1'].join(C) + F;
    const javaAfter =
      ['SubAfter', 'REQ', 'MSGID', '7', 'false', 'k1', '4', '1700000000107', 'CG'].join(C) + F;
    const [pub, before, after] = decodeTraceEntries(javaPub + javaBefore + javaAfter);
    assert.equal(pub?.type, 'Pub');
    assert.equal(pub?.offsetMsgId, 'OFFID');
    assert.equal(pub?.success, true);
    assert.equal(pub?.bodyLength, 5);
    assert.equal(before?.requestId, 'REQ');
    assert.equal(after?.success, false);
    assert.equal(after?.contextCode, 4);
    assert.equal(after?.groupName, 'CG');
  });

  it('writes what it reads back, field for field', () => {
    const javaAfter =
      ['SubAfter', 'REQ', 'MSGID', '7', 'true', 'k1', '0', '1700000000107', 'CG'].join(C) + F;
    const [entry] = decodeTraceEntries(javaAfter);
    assert.ok(entry !== undefined);
    assert.equal(encodeTraceEntry(entry), javaAfter);
    assert.deepEqual(decodeTraceEntries(`Unknown${C}x${F}`), []);
  });

  it('round-trips every entry type as Java writes it, and reads the older 13-field Pub', () => {
    // Fields separated by "|" here for brevity.
    const java = [
      'Pub|1|R|PG|T|ID|TagA|k|10.1.1.1:10911|5|3|0|OFF|true',
      'SubBefore|2|R|CG|REQ|ID|1|k',
      'SubAfter|REQ|ID|7|true|k|0|3|CG',
      'EndTransaction|4|R|PG|T|ID|TagA|k|h:1|1|TX|COMMIT_MESSAGE|false',
      'EndTransaction|5|R|PG|T|ID|||h:1|1|TX|ROLLBACK_MESSAGE|false',
    ].map((fields) => fields.split('|').join(C) + F);
    const entries = decodeTraceEntries(java.join(''));
    assert.deepEqual(entries.map(encodeTraceEntry), java);
    assert.deepEqual(
      entries.map((e) => e.success),
      [true, false, true, true, false],
    );
    const [old] = decodeTraceEntries(
      `${'Pub|1|R|PG|T|ID|TagA|k|h:1|5|3|0|true'.split('|').join(C)}${F}`,
    );
    assert.equal(old?.offsetMsgId, '');
    assert.equal(old?.success, true);
    assert.equal(old?.msgType, 0);
  });
});
