#!/usr/bin/env node
// Textual checks that the linter cannot express. Prints each finding as file:line and exits 1 if any.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = [
  'common',
  'engine',
  'workers',
  'ha',
  'protocol',
  'config',
  'server',
  'namesrv',
  'server',
  'broker',
  'client',
  'console',
  'cli',
  'bench',
  'test',
  'scripts',
  'docs',
];
const headerRequired = ['engine', 'ha', 'workers', 'protocol'];
const findings = [];

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name === 'shared') findings.push(`${path}: no folder may be named "shared"`);
      walk(path, out);
    } else if (/\.(ts|mjs|js|md)$/.test(name)) out.push(path);
  }
  return out;
}

const rules = [
  { re: /Math\.random\s*\(/, where: (p) => /^(ha|engine)\//.test(p), why: 'use the injected Prng' },
  {
    re: /Atomics\.wait\s*\(/,
    where: (p) => !p.startsWith('workers/') && !p.startsWith('scripts/'),
    why: 'Atomics.wait blocks; only workers may use it',
  },
  {
    re: /\bTODO(?!\(#\d+\))/,
    where: (p) => !p.startsWith('scripts/'),
    why: 'TODO needs an issue reference: TODO(#n)',
  },
  {
    re: /\bFIXME\b|process\._rawDebug/,
    where: (p) => !p.startsWith('scripts/'),
    why: 'not allowed in commits',
  },
];

for (const root of roots) {
  for (const path of walk(root, [])) {
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      for (const rule of rules) {
        if (rule.where(path) && rule.re.test(line)) findings.push(`${path}:${i + 1}: ${rule.why}`);
      }
    });
    const top = path.split('/')[0];
    if (path.endsWith('.ts') && headerRequired.includes(top) && !text.startsWith('//')) {
      findings.push(`${path}:1: a module in ${top}/ opens with a header comment saying what it is`);
    }
  }
}

if (findings.length > 0) {
  for (const f of findings) console.error(f);
  console.error(`tidy: ${findings.length} finding(s)`);
  process.exit(1);
}
console.log('tidy: ok');
