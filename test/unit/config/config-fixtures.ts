// Shared bits of the config tests: a fixed host (so host-dependent defaults are stable), the
// repository root (tests run from dist/), and a helper that catches the one ConfigError a load
// throws.

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../../config/config-error.js';
import type { HostInfo } from '../../../config/schema.js';

export const testHost: HostInfo = {
  hostName: 'test-host',
  homeDir: '/home/test',
  localAddress: '192.0.2.10',
};

/** The repository root, from dist/test/unit/config/. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export function catchConfigError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the load to throw a ConfigError');
}
