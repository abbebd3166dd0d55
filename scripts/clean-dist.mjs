#!/usr/bin/env node
// Removes dist/ before a build, so a renamed or deleted source leaves no stale compiled test behind.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
