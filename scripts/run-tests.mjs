#!/usr/bin/env node
// Runs the compiled test files of the chosen suites with node's own test runner.
// Usage: node scripts/run-tests.mjs [unit|sim|integration|fault ...] [--long] [-- node --test flags]
// PETREL_TEST_NODE=<path> runs the tests (and every process they start) on that Node.js binary
// instead of the one running this script; .ci/run uses it to run the suite on two Node versions.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const allSuites = ['unit', 'sim', 'integration', 'fault', 'compat'];
const args = process.argv.slice(2);
const dashDash = args.indexOf('--');
const ownArgs = dashDash === -1 ? args : args.slice(0, dashDash);
const passThrough = dashDash === -1 ? [] : args.slice(dashDash + 1);
const long = ownArgs.includes('--long');
const chosen = ownArgs.filter((a) => !a.startsWith('--'));
for (const suite of chosen) {
  if (!allSuites.includes(suite)) {
    console.error(`unknown suite "${suite}"; expected one of ${allSuites.join(', ')}`);
    process.exit(2);
  }
}
const suites = chosen.length > 0 ? chosen : allSuites;

function collect(dir) {
  if (!existsSync(dir)) return [];
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...collect(path));
    else if (name.endsWith('.test.js')) files.push(path);
  }
  return files;
}

const files = suites.flatMap((suite) => collect(join('dist', 'test', suite)));
if (files.length === 0) {
  console.error(`no compiled tests found for ${suites.join(', ')}; run npm run build first`);
  process.exit(1);
}
// The console's browser tests drive the system's Chromium: install it first when missing (a no-op
// when present; on a fresh CI machine, apt-get as root). A failure here fails those tests, clearly.
if (suites.includes('integration')) {
  const browser = spawnSync('bash', [join('scripts', 'install-browser.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (browser.status !== 0)
    console.error('install-browser.sh failed: the console browser tests will fail');
}
const env = { ...process.env, ...(long ? { PETREL_LONG: '1' } : {}) };
const testNode = process.env.PETREL_TEST_NODE || process.execPath;
const version = spawnSync(testNode, ['--version'], { encoding: 'utf8' });
if (version.status !== 0) {
  console.error(`cannot run Node.js at ${testNode}: ${version.error?.message ?? version.stderr}`);
  process.exit(1);
}
console.log(`tests run on Node.js ${version.stdout.trim()} (${testNode})`);
const result = spawnSync(
  testNode,
  [
    '--enable-source-maps',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=900000',
    ...passThrough,
    ...files,
  ],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
