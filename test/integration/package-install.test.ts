// petrelmq as a gateway developer gets it: `npm pack` of the built tree, installed into an empty
// project offline (dependencies from the npm cache, optional ones left out: no native addon is
// needed), then every export imported, every bin run with --help, the shipped types checked by
// compiling docs/examples/gateway.ts against the installed package, and that gateway run: it
// stores and serves messages over HTTP and closes its store on SIGTERM. npm pack runs with
// --ignore-scripts: the tree under test is the one already built (prepack would rebuild dist/
// under the running tests).

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTmpDir } from '../harness/tmp-dir.js';
import { waitFor } from '../harness/wait-for.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  engines: Record<string, string>;
};
/** npm from the Node running the tests, and bins that find this Node first on PATH. */
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` };

const work = makeTmpDir('petrel-pack-');
const app = join(work.path, 'app');
after(() => work.remove());

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A lock file naming the tarball and this repository's locked runtime dependencies. */
function appLock(tarball: string): unknown {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { [pkg.name]: `file:${tarball}` } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: `file:${tarball}`,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages))
    if (path.startsWith('node_modules/') && entry.dev !== true) packages[path] = entry;
  return { name: 'app', lockfileVersion: 3, requires: true, packages };
}

describe('the packed package, installed into an empty project', { timeout: 180_000 }, () => {
  before(() => {
    const out = run(
      'npm',
      ['pack', '--ignore-scripts', '--silent', '--pack-destination', work.path],
      repoRoot,
    );
    const tarball = `../${out.trim().split('\n').at(-1)}`;
    mkdirSync(app);
    const appPackage = {
      name: 'app',
      private: true,
      type: 'module',
      dependencies: { [pkg.name]: `file:${tarball}` },
    };
    writeFileSync(join(app, 'package.json'), JSON.stringify(appPackage));
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(appLock(tarball)));
    run('npm', ['ci', '--offline', '--omit=optional', '--no-audit', '--no-fund', '--silent'], app);
  });

  it('installs without a native addon and without its tests', () => {
    const installed = join(app, 'node_modules', pkg.name);
    assert.ok(existsSync(join(installed, 'dist', 'engine', 'index.js')));
    assert.ok(existsSync(join(installed, 'dist', 'engine', 'index.d.ts')));
    assert.equal(existsSync(join(installed, 'dist', 'test')), false, 'no compiled tests');
    // The web console's compiled page scripts ship with the NameServer that serves them.
    assert.ok(existsSync(join(installed, 'dist', 'console', 'web', 'app.js')), 'console scripts');
    // piscina's optional @napi-rs/nice (thread priorities) is left out; Petrel never asks for it.
    assert.equal(existsSync(join(app, 'node_modules', '@napi-rs')), false);
  });

  it('imports every export, by import and (where Node allows) by require', () => {
    const script = `
      const engine = await import('petrelmq/engine');
      const client = await import('petrelmq/client');
      const names = { engine: Object.keys(engine).sort(), client: Object.keys(client).sort() };
      console.log(JSON.stringify(names));`;
    const names = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], app)) as {
      engine: string[];
      client: string[];
    };
    for (const name of [
      'openStore',
      'MqError',
      'ErrorCode',
      'PutStatus',
      'GetStatus',
      'isPutWritten',
    ])
      assert.ok(names.engine.includes(name), `petrelmq/engine exports ${name}`);
    for (const name of ['Producer', 'PushConsumer'])
      assert.ok(names.client.includes(name), `petrelmq/client exports ${name}`);
    assert.equal(names.engine.includes('openBrokerStore'), false, 'the broker entry stays inside');
    // Node >= 20.19 / 22.12 load ES modules with require(); older ones do not (docs: ESM only).
    const features = process.features as { require_module?: boolean };
    if (features.require_module === true) {
      const out = run(
        process.execPath,
        ['-e', "console.log(typeof require('petrelmq/engine').openStore)"],
        app,
      );
      assert.equal(out.trim(), 'function');
    }
  });

  it('runs every bin with --help', () => {
    for (const bin of Object.keys(pkg.bin)) {
      const out = run(join(app, 'node_modules', '.bin', bin), ['--help'], app);
      assert.match(out, /usage/i, `${bin} --help`);
    }
  });

  it('type-checks the gateway example against the shipped types, then runs it', async () => {
    copyFileSync(join(repoRoot, 'docs', 'examples', 'gateway.ts'), join(app, 'gateway.ts'));
    const tsconfig = {
      compilerOptions: {
        target: 'es2023',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        types: ['node'],
        typeRoots: [join(repoRoot, 'node_modules', '@types')],
        outDir: 'out',
      },
      files: ['gateway.ts'],
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
    run(
      process.execPath,
      [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
      app,
    );

    const gateway = spawn(process.execPath, [join(app, 'out', 'gateway.js')], {
      cwd: app,
      env: { ...env, STORE_DIR: join(work.path, 'store'), PORT: '0', MAX_PENDING_PUTS: '8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    gateway.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    gateway.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => gateway.once('exit', resolve));
    try {
      const port = await waitFor(() => /listening on 127\.0\.0\.1:(\d+)/.exec(stdout)?.[1], {
        timeoutMs: 30_000,
        what: `the gateway to listen (stderr: ${stderr})`,
      });
      const base = `http://127.0.0.1:${port}/messages/orders`;
      const puts = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          fetch(`${base}/${i % 2}`, { method: 'POST', body: `order ${i}` }).then(async (r) => ({
            status: r.status,
            body: (await r.json()) as { queueOffset: number },
          })),
        ),
      );
      assert.deepEqual(new Set(puts.map((p) => p.status)), new Set([201]));
      const bodies: string[] = [];
      for (const queueId of [0, 1]) {
        for (let offset = 0; ; ) {
          const page = (await (await fetch(`${base}/${queueId}?offset=${offset}`)).json()) as {
            messages: Array<{ body: string }>;
            nextOffset: number;
          };
          if (page.messages.length === 0) break;
          bodies.push(...page.messages.map((m) => m.body));
          offset = page.nextOffset;
        }
      }
      assert.deepEqual(bodies.sort(), Array.from({ length: 200 }, (_, i) => `order ${i}`).sort());
      const bad = await fetch(`${base}/-1`);
      assert.equal(bad.status, 400, 'a queueId out of range is refused as bad input');
      gateway.kill('SIGTERM');
      assert.equal(await exited, 0, `the gateway exits cleanly (stderr: ${stderr})`);
      assert.match(stdout, /store closed \(\d+ waits for room\)/);
    } finally {
      gateway.kill('SIGKILL');
    }
  });
});
