#!/usr/bin/env node
// Writes docs/config.md from the compiled schemas (run `npm run build` first; `npm run docs:config`
// does both). With --check, exits 1 instead of writing when the committed file is out of date.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { renderConfigDoc } from '../dist/config/config-doc.js';

const target = new URL('../docs/config.md', import.meta.url);
const text = renderConfigDoc();
if (process.argv.includes('--check')) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== text) {
    console.error('docs/config.md is out of date: run npm run docs:config');
    process.exit(1);
  }
  console.log('docs/config.md: up to date');
} else {
  mkdirSync(new URL('../docs/', import.meta.url), { recursive: true });
  writeFileSync(target, text);
  console.log('docs/config.md: written');
}
