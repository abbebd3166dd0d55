#!/usr/bin/env node
// Runs every compiled micro benchmark (dist/bench/micro/*.bench.js) one after the other.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const dir = 'dist/bench/micro';
if (!existsSync(dir)) {
  console.error('no compiled benchmarks; run npm run build first');
  process.exit(1);
}
console.log(`micro benchmarks on Node.js ${process.version} (${process.execPath})`);
let failed = 0;
for (const name of readdirSync(dir)
  .filter((n) => n.endsWith('.bench.js'))
  .sort()) {
  console.log(`\n## ${name}`);
  const result = spawnSync(process.execPath, ['--enable-source-maps', `${dir}/${name}`], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
