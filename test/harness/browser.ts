// Headless Chromium for the console's browser tests, driven by playwright-core. The browser is the
// operating system's (Debian's `chromium` package), installed by scripts/install-browser.sh when
// missing; PETREL_CHROMIUM names another binary. Launch is bounded; close() always ends it.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

const INSTALL_SCRIPT = fileURLToPath(
  new URL('../../../scripts/install-browser.sh', import.meta.url),
);
const LAUNCH_TIMEOUT_MS = 30_000;

/** The Chromium binary, installing it first if needed (the script prints its path). */
export function chromiumPath(): string {
  const out = execFileSync('bash', [INSTALL_SCRIPT], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 600_000,
  });
  const path = out.trim().split('\n').at(-1) ?? '';
  if (path === '') throw new Error('scripts/install-browser.sh found no Chromium');
  return path;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    timeout: LAUNCH_TIMEOUT_MS,
    // Root (CI) needs --no-sandbox; the rest keeps a headless run lean on a small machine.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
