import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderConfigDoc } from '../../../config/config-doc.js';
import { repoRoot } from './config-fixtures.js';

describe('docs/config.md', () => {
  it('matches what the schemas generate (run npm run docs:config after changing a schema)', () => {
    const committed = readFileSync(join(repoRoot, 'docs', 'config.md'), 'utf8');
    assert.equal(committed, renderConfigDoc());
  });
});
