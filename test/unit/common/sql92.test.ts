import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, MqError } from '../../../common/errors.js';
import { compileSql92 } from '../../../common/sql92-filter.js';
import { MAX_FILTER_NESTING } from '../../../common/sql92-parser.js';

/** Message properties are strings, as a broker reads them from a stored message. */
function matches(expression: string, properties: Record<string, string>): boolean {
  const filter = compileSql92(expression);
  return filter.matches((name) => properties[name]);
}

function refuses(expression: string, reason: RegExp): void {
  assert.throws(
    () => compileSql92(expression),
    (error: unknown) =>
      error instanceof MqError &&
      error.code === ErrorCode.FILTER_EXPRESSION_INVALID &&
      reason.test(error.message),
    expression,
  );
}

describe('SQL92 message filter (RocketMQ grammar and semantics)', () => {
  it('compares numeric properties with integer, long and float constants', () => {
    const props = { a: '5', big: '3000000000', f: '2.5' };
    assert.equal(matches('a > 3', props), true);
    assert.equal(matches('a >= 5 AND a <= 5', props), true);
    assert.equal(matches('a < 3', props), false);
    assert.equal(matches('a = 5', props), true);
    assert.equal(matches('a <> 5', props), false);
    assert.equal(matches('big > 2147483648', props), true, 'a long constant reads a long');
    assert.equal(matches('big > 2147483647', props), false, 'Integer.valueOf overflows');
    assert.equal(matches('f > 2.4 AND f < 2.6', props), true);
    assert.equal(matches('a BETWEEN 0 AND 5', props), true);
    assert.equal(matches('a NOT BETWEEN 0 AND 4', props), true);
    assert.equal(matches('-a < 0', props), false, 'a property negates to NULL');
    assert.equal(matches('a > -1', props), true);
  });

  it('treats a property that is not a number as no match, not an error', () => {
    assert.equal(matches('a > 3', { a: 'abc' }), false);
    assert.equal(matches('NOT (a > 3)', { a: 'abc' }), false);
    assert.equal(matches('a = 5', { a: '5.0' }), false, 'Integer.valueOf("5.0") fails');
    assert.equal(matches('a = 5.0', { a: '5' }), true, 'Double.valueOf("5") works');
    assert.equal(matches('a > b', { a: '10', b: '9' }), true, 'two strings compare as doubles');
  });

  it('uses SQL NULL for missing properties, with three-valued AND, OR and NOT', () => {
    assert.equal(matches('a IS NULL', {}), true);
    assert.equal(matches('a IS NOT NULL', {}), false);
    assert.equal(matches('a IS NOT NULL', { a: '' }), true);
    assert.equal(matches('a > 3', {}), false);
    assert.equal(matches('NOT (a > 3)', {}), false, 'NOT NULL is NULL');
    assert.equal(matches('a > 3 OR b = 1', { b: '1' }), true);
    assert.equal(matches('a > 3 AND b = 1', { b: '1' }), false);
    assert.equal(matches('a > 3 OR TRUE', {}), true);
    assert.equal(matches('(a IS NOT NULL AND a > 3) OR b IS NULL', {}), true);
  });

  it('matches strings with =, <>, IN, CONTAINS, STARTSWITH and ENDSWITH', () => {
    const props = { TAGS: 'TagA', region: "north'east" };
    assert.equal(matches("TAGS = 'TagA'", props), true);
    assert.equal(matches("TAGS <> 'TagB'", props), true);
    assert.equal(matches("TAGS IN ('TagA', 'TagB')", props), true);
    assert.equal(matches("TAGS NOT IN ('TagA', 'TagB')", props), false);
    assert.equal(matches("missing NOT IN ('x')", props), false);
    assert.equal(matches("region = 'north''east'", props), true);
    assert.equal(matches("region CONTAINS 'h''e'", props), true);
    assert.equal(matches("region STARTSWITH 'nor' AND region ENDSWITH 'east'", props), true);
    assert.equal(matches("region NOT CONTAINS 'west'", props), true);
    assert.equal(matches("region CONTAINS ''", props), false);
    assert.equal(matches("missing NOT CONTAINS 'x'", props), false);
  });

  it('compares booleans as RocketMQ does', () => {
    assert.equal(matches('flag = TRUE', { flag: 'true' }), true);
    assert.equal(matches('flag = TRUE', { flag: 'TRUE' }), true);
    assert.equal(matches('flag = FALSE', { flag: 'yes' }), true, 'Boolean.valueOf("yes") is false');
    assert.equal(matches('flag', { flag: 'true' }), false, 'a bare property is never a Boolean');
    assert.equal(matches('TRUE = flag', { flag: 'true' }), false, 'RocketMQ fails this comparison');
  });

  it('reads keywords in any case, comments and the examples of RocketMQ docs', () => {
    const props = { a: '2', TAGS: 'TagB', b: 'true' };
    assert.equal(
      matches(
        "(TAGS is not null and TAGS in ('TagA', 'TagB')) and (a is not null and a between 0 and 3)",
        props,
      ),
      true,
    );
    assert.equal(matches('(a > 10 AND a < 100) OR (b IS NOT NULL AND b=TRUE)', props), true);
    assert.equal(matches('a = 2 -- trailing comment', props), true);
    assert.equal(matches('/* leading */ a = 2', props), true);
    assert.equal(matches('a = 2L', props), true);
  });

  it('refuses what RocketMQ refuses at compile time, with a reason and a column', () => {
    refuses('a >', /column 4: unexpected the end of the expression/);
    refuses("a > 'x'", /cannot be compared/);
    refuses('a > TRUE', /cannot be compared/);
    refuses('a = NULL', /use IS NULL/);
    refuses('a BETWEEN 5 AND 3', /must be less than or equal/);
    refuses('a IN (1, 2)', /expected a string literal/);
    refuses("-a IN ('x')", /expected a property for IN/);
    refuses('a CONTAINS x', /expected a string literal/);
    refuses('a != 3', /unexpected character "!"/);
    refuses('a = 3 b', /unexpected "b"/);
    refuses("a = 'open", /unterminated string literal/);
    refuses('3', /will not result in a boolean value/);
    refuses('a AND 3', /will not result in a boolean value/);
    refuses('a > 0.0', /less than Double.MIN_VALUE/);
    refuses('a > 9223372036854775808', /out of the range of a long/);
    refuses('TRUE = 1', /cannot be compared with/);
  });

  it('bounds the expression length and nesting depth', () => {
    refuses(`a = '${'x'.repeat(9000)}'`, /longer than 8192 characters/);
    const deep = `${'('.repeat(MAX_FILTER_NESTING + 1)}a = 1${')'.repeat(MAX_FILTER_NESTING + 1)}`;
    refuses(deep, /nested deeper than/);
    const ok = `${'('.repeat(10)}a = 1${')'.repeat(10)}`;
    assert.equal(matches(ok, { a: '1' }), true);
  });
});
