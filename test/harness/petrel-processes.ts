// Real NameServer and broker processes for integration, compat and smoke tests: started from the
// compiled CLIs on 127.0.0.1 with port 0 in temporary directories, their bound address read from
// the `listening host:port` line, and killed (whole process group) by stopAll() in after().

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, spawnNode } from './spawn-process.js';
import { makeTmpDir } from './tmp-dir.js';

/** dist/cli/<name>.js, resolved from this compiled file (dist/test/harness/). */
export function cliPath(name: 'mqnamesrv' | 'mqbroker' | 'mqcontroller' | 'petrel'): string {
  return fileURLToPath(new URL(`../../cli/${name}.js`, import.meta.url));
}

export interface PetrelProcess {
  child: Child;
  /** "127.0.0.1:<port>" */
  address: string;
  port: number;
  dir: string;
}

const children: Child[] = [];
const dirs: Array<{ remove: () => void }> = [];

/** Kills every process started here and removes their directories. */
export async function stopAll(): Promise<void> {
  for (const child of children.splice(0)) {
    child.kill('SIGKILL');
    await child.exited;
  }
  for (const dir of dirs.splice(0)) dir.remove();
}

export function tmpDir(prefix: string): string {
  const dir = makeTmpDir(prefix);
  dirs.push(dir);
  return dir.path;
}

async function startProcess(script: string, args: string[], dir: string): Promise<PetrelProcess> {
  const child = spawnNode(script, args, {
    PETREL_LOG_LEVEL: process.env['PETREL_LOG_LEVEL'] ?? 'warn',
  });
  children.push(child);
  const line = await child.waitForLine(/^listening \S+:\d+$/, 20_000);
  const port = Number(line.slice(line.lastIndexOf(':') + 1));
  return { child, address: `127.0.0.1:${port}`, port, dir };
}

/** A NameServer on 127.0.0.1, port 0; `extra` are more `--key=value` arguments. */
export function startNamesrv(extra: string[] = []): Promise<PetrelProcess> {
  const dir = tmpDir('petrel-namesrv-');
  return startProcess(
    cliPath('mqnamesrv'),
    [
      '--bindAddress=127.0.0.1',
      '--listenPort=0',
      `--kvConfigPath=${join(dir, 'kvConfig.json')}`,
      ...extra,
    ],
    dir,
  );
}

/** A standalone controller (mqcontroller) on 127.0.0.1, port 0; `args` are its `--key=value`s. */
export function startControllerProcess(args: string[]): Promise<PetrelProcess> {
  const dir = tmpDir('petrel-controller-');
  return startProcess(
    cliPath('mqcontroller'),
    ['--bindAddress=127.0.0.1', '--listenPort=0', `--controllerStorePath=${dir}`, ...args],
    dir,
  );
}

/** Broker settings that keep test brokers small and quick. */
export const smallBrokerArgs = [
  '--mappedFileSizeCommitLog=67108864',
  '--tailCacheBytes=33554432',
  '--appendRingBytes=16777216',
  '--maxHashSlotNum=4096',
  '--maxIndexNum=16384',
];

/**
 * A broker on 127.0.0.1, port 0, registering with `namesrv` (addresses joined with ';'). With
 * `configFile` it is started as `mqbroker -c <file>`, and its name comes from the file unless
 * `name` is given.
 */
export function startBroker(
  namesrv: readonly string[],
  options: { name?: string; dir?: string; extra?: string[]; configFile?: string } = {},
): Promise<PetrelProcess> {
  const dir = options.dir ?? tmpDir('petrel-broker-');
  const name = options.name ?? (options.configFile === undefined ? 'broker-a' : undefined);
  const args = [
    ...(options.configFile === undefined ? [] : ['-c', options.configFile]),
    ...(name === undefined ? [] : [`--brokerName=${name}`]),
    '--brokerIP1=127.0.0.1',
    '--bindAddress=127.0.0.1',
    '--listenPort=0',
    `--storePathRootDir=${dir}`,
    ...smallBrokerArgs,
    ...(options.extra ?? []),
  ];
  if (namesrv.length > 0) args.push('-n', namesrv.join(';'));
  return startProcess(cliPath('mqbroker'), args, dir);
}
