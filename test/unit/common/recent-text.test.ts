import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentText } from '../../../common/recent-text.js';

describe('RecentText', () => {
  it('decodes each distinct byte range once and answers repeats from what it kept', () => {
    let decodes = 0;
    const recent = new RecentText((bytes) => {
      decodes++;
      return bytes.toString('utf8');
    }, 2);
    const buf = Buffer.from('..TopicA..TopicB..TopicC..TopicA');
    assert.equal(recent.textOf(buf, 2, 6), 'TopicA');
    assert.equal(recent.textOf(buf, 26, 6), 'TopicA');
    assert.equal(decodes, 1);
    assert.equal(recent.textOf(buf, 10, 6), 'TopicB');
    assert.equal(recent.textOf(buf, 18, 6), 'TopicC');
    assert.equal(recent.textOf(buf, 2, 5), 'Topic', 'a shorter range is another value');
    assert.equal(recent.textOf(buf, 2, 6), 'TopicA', 'the oldest left when the bound was hit');
    assert.equal(decodes, 5);
  });

  it('keeps its own copy: a buffer reused afterwards does not change what it answers', () => {
    const recent = new RecentText((bytes) => bytes.toString('latin1'));
    const buf = Buffer.from('abcd');
    assert.equal(recent.textOf(buf, 0, 4), 'abcd');
    buf.write('wxyz');
    assert.equal(recent.textOf(buf, 0, 4), 'wxyz');
    assert.equal(recent.textOf(Buffer.from('abcd'), 0, 4), 'abcd');
  });
});
