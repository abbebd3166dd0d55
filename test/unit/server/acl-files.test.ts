// Goal: the ACL files are found where RocketMQ looks and a bad edit never replaces a good table.
// Method: real files in a temporary ROCKETMQ_HOME; reloadIfChanged() called directly (the timer
// only calls it). Checked: conf/plain_acl.yml and conf/acl/*.yml make one table; no file is
// E_ACL_CONFIG_INVALID at start; an edit that does not parse keeps the previous table and is
// counted once; the next good edit is taken.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCode, MqError } from '../../../common/errors.js';
import { noopLogger } from '../../../protocol/logger.js';
import { AclFiles } from '../../../server/acl/acl-files.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';

const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const dir of dirs) dir.remove();
});

function home(): string {
  const dir = makeTmpDir('petrel-acl-files-');
  dirs.push(dir);
  mkdirSync(join(dir.path, 'conf', 'acl'), { recursive: true });
  return dir.path;
}

const account = (key: string) => `accounts:\n  - accessKey: ${key}\n    secretKey: 12345678\n`;

describe('ACL files', () => {
  it('reads conf/plain_acl.yml and conf/acl/*.yml as one table', () => {
    const root = home();
    writeFileSync(join(root, 'conf', 'plain_acl.yml'), account('mainacct'));
    writeFileSync(join(root, 'conf', 'acl', 'more.yml'), account('moreacct'));
    const files = new AclFiles({ rocketmqHome: root }, noopLogger);
    assert.deepEqual([...files.table.accounts.keys()].sort(), ['mainacct', 'moreacct']);
  });

  it('refuses to start without a file', () => {
    assert.throws(
      () => new AclFiles({ rocketmqHome: home() }, noopLogger),
      (error: unknown) => error instanceof MqError && error.code === ErrorCode.ACL_CONFIG_INVALID,
    );
  });

  it('keeps the table in force when an edit does not parse, and takes the next good one', () => {
    const root = home();
    const file = join(root, 'conf', 'plain_acl.yml');
    writeFileSync(file, account('firstacct'));
    const files = new AclFiles({ aclFile: file }, noopLogger);
    assert.equal(files.reloadIfChanged(), false, 'nothing changed');
    writeFileSync(file, 'accounts:\n  - accessKey: [unclosed\n');
    assert.equal(files.reloadIfChanged(), false);
    assert.equal(files.reloadIfChanged(), false);
    assert.deepEqual([...files.table.accounts.keys()], ['firstacct']);
    assert.deepEqual(files.reloadCounts, { reloads: 0, failed: 1 });
    writeFileSync(file, account('secondacct'));
    assert.equal(files.reloadIfChanged(), true);
    assert.deepEqual([...files.table.accounts.keys()], ['secondacct']);
    assert.deepEqual(files.reloadCounts, { reloads: 1, failed: 1 });
  });
});
