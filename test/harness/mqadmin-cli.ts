// mqadmin as a user runs it: bin/mqadmin as a child process with NAMESRV_ADDR set, its exit code,
// stdout and stderr; json() runs a command with --json, asserts exit code 0 and parses stdout.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MQADMIN = join(process.cwd(), 'bin', 'mqadmin');

export interface MqadminCli {
  run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  json(...args: string[]): Promise<Record<string, unknown>>;
}

/** `namesrvAddr` is read when a command runs, so a cluster started later can be named. */
export function mqadminCli(namesrvAddr: () => string): MqadminCli {
  const cli: MqadminCli = {
    run: async (...args) => {
      try {
        const { stdout, stderr } = await run(process.execPath, [MQADMIN, ...args], {
          timeout: 20_000,
          env: { ...process.env, NAMESRV_ADDR: namesrvAddr() },
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code?: number; stdout?: string; stderr?: string };
        return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    },
    json: async (...args) => {
      const result = await cli.run(...args, '--json');
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    },
  };
  return cli;
}
