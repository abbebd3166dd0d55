// petrel cluster --topology <dir>: starts a ready topology from conf/ (2m-2s-sync, 2m-2s-async,
// 3m-6s, ...) on this machine — a NameServer, then the masters, then the slaves, each its own
// process with its store and log under the data directory — with every port of the files moved
// by --port-offset so several clusters run side by side. Prints every address, pid and log, and
// stays in the foreground; Ctrl-C stops every process in the state file (also ones restarted
// since). `petrel cluster kill|pause|resume|restart <name>` acts on one process meanwhile.

import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadBrokerConfig } from '../config/load.js';
import { type ParsedArgs, parseCliArgs, say, UsageError } from './cli-kit.js';
import { cliScript, consoleLine, writeNamesrvConsoleFile } from './cluster-processes.js';
import {
  type ClusterState,
  isAlive,
  readState,
  STATE_FILE,
  spawnLogged,
  stopProcesses,
  type TopologyProcess,
  writeState,
} from './topology-processes.js';

export const TOPOLOGY_USAGE = `  petrel cluster --topology <dir> [--port-offset N] [--namesrv-port 9876] [--metrics]
                 [--data-dir ./data/<topology>] [--key=value ...]
      Starts every broker file of a topology folder (conf/2m-2s-sync, conf/3m-6s, ...) and a
      NameServer, each with its store and log in the data directory, every port + N. --metrics
      serves Prometheus metrics on 5557+N, 5558+N, ... Ctrl-C stops them all.
  petrel cluster kill|pause|resume|restart <name> [--data-dir <dir>]
      kill -9, SIGSTOP, SIGCONT or restart one process of a running topology (names as printed:
      namesrv, broker-a, broker-a-s, ...).`;

const STOP_DEADLINE_MS = 20_000;
const WATCH_INTERVAL_MS = 500;

interface BrokerFile {
  name: string;
  file: string;
  isSlave: boolean;
  listenPort: number;
  /** Set in the file (it is moved too); otherwise derived from the moved listenPort. */
  haListenPort: number | undefined;
}

function intArg(args: ParsedArgs, name: string, fallback: number): number {
  const text = args.values.get(name) ?? String(fallback);
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`${name} must be a whole number from 0 to 65535, got "${text}"`);
  }
  return Number(text);
}

function brokerFiles(dir: string): BrokerFile[] {
  const names = readdirSync(dir).filter(
    (n) => n.endsWith('.properties') && n !== 'namesrv.properties',
  );
  if (names.length === 0) throw new UsageError(`no broker .properties files in ${dir}`);
  const files = names.sort().map((n) => {
    const file = join(dir, n);
    const loaded = loadBrokerConfig({ file });
    const ha = loaded.sources.haListenPort;
    return {
      name: n.slice(0, -'.properties'.length),
      file,
      isSlave: loaded.config.brokerRole === 'SLAVE',
      listenPort: loaded.config.listenPort,
      haListenPort: ha?.kind === 'file' ? loaded.config.haListenPort : undefined,
    };
  });
  return [...files.filter((f) => !f.isSlave), ...files.filter((f) => f.isSlave)];
}

function moved(port: number, offset: number): number {
  if (port === 0) return 0;
  if (port + offset > 65535) throw new UsageError(`port ${port} + offset ${offset} is above 65535`);
  return port + offset;
}

function brokerArgs(b: BrokerFile, plan: Plan, namesrvAddr: string, index: number): string[] {
  const listenPort = moved(b.listenPort, plan.offset);
  const args = [
    '-c',
    b.file,
    `--namesrvAddr=${namesrvAddr}`,
    `--listenPort=${listenPort}`,
    `--storePathRootDir=${join(plan.dataDir, b.name, 'store')}`,
  ];
  if (b.haListenPort !== undefined)
    args.push(`--haListenPort=${moved(b.haListenPort, plan.offset)}`);
  else if (listenPort === 0) args.push('--haListenPort=0');
  if (plan.metrics) args.push(...metricsArgs(plan, index));
  for (const [key, value] of Object.entries(plan.overrides)) args.push(`--${key}=${value}`);
  return args;
}

function metricsArgs(plan: Plan, index: number): string[] {
  const port = plan.namesrvPort === 0 ? 0 : 5557 + plan.offset + index;
  return [
    '--metricsExporterType=PROM',
    '--metricsPromExporterHost=127.0.0.1',
    `--metricsPromExporterPort=${port}`,
  ];
}

interface Plan {
  dir: string;
  offset: number;
  namesrvPort: number;
  metrics: boolean;
  dataDir: string;
  overrides: Record<string, string>;
}

function planFrom(argv: readonly string[]): Plan {
  const args = parseCliArgs(argv, {
    withValue: ['--topology', '--port-offset', '--namesrv-port', '--data-dir'],
    flags: ['--metrics'],
  });
  if (args.positionals.length > 0) throw new UsageError(`Unexpected "${args.positionals[0]}"`);
  const dir = resolve(args.values.get('--topology') ?? '');
  const offset = intArg(args, '--port-offset', 0);
  const name = basename(dir) + (offset === 0 ? '' : `-${offset}`);
  return {
    dir,
    offset,
    namesrvPort: moved(intArg(args, '--namesrv-port', 9876), offset),
    metrics: args.flags.has('--metrics'),
    dataDir: resolve(args.values.get('--data-dir') ?? join('data', name)),
    overrides: { ...args.overrides },
  };
}

async function startTopology(plan: Plan, state: ClusterState): Promise<void> {
  const log = (name: string) => {
    mkdirSync(join(plan.dataDir, name), { recursive: true });
    return join(plan.dataDir, name, `${name}.log`);
  };
  const consolePort = plan.namesrvPort === 0 ? 0 : 8080 + plan.offset;
  const namesrvArgs = [
    '-c',
    writeNamesrvConsoleFile(plan.dataDir, consolePort),
    '--bindAddress=127.0.0.1',
    `--listenPort=${plan.namesrvPort}`,
    `--kvConfigPath=${join(plan.dataDir, 'namesrv', 'kvConfig.json')}`,
    ...(plan.metrics ? metricsArgs(plan, 0) : []),
  ];
  const add = (p: TopologyProcess) => {
    state.processes.push(p);
    writeState(state);
  };
  add(await spawnLogged('namesrv', cliScript('mqnamesrv'), namesrvArgs, log('namesrv')));
  const namesrvAddr = `127.0.0.1:${state.processes[0]?.address.split(':').pop()}`;
  for (const [i, b] of brokerFiles(plan.dir).entries()) {
    const args = brokerArgs(b, plan, namesrvAddr, i + 1);
    add(await spawnLogged(b.name, cliScript('mqbroker'), args, log(b.name)));
  }
}

async function stopAll(dataDir: string): Promise<void> {
  const processes = readState(dataDir).processes;
  // Brokers first (they unregister), the NameServer last.
  await stopProcesses(
    processes.filter((p) => p.name !== 'namesrv').map((p) => p.pid),
    STOP_DEADLINE_MS,
  );
  await stopProcesses(
    processes.filter((p) => p.name === 'namesrv').map((p) => p.pid),
    STOP_DEADLINE_MS,
  );
}

export async function runTopology(argv: readonly string[]): Promise<number | undefined> {
  const plan = planFrom(argv);
  mkdirSync(plan.dataDir, { recursive: true });
  const state: ClusterState = {
    topology: plan.dir,
    dataDir: plan.dataDir,
    supervisorPid: process.pid,
    processes: [],
  };
  try {
    await startTopology(plan, state);
  } catch (error) {
    await stopProcesses(
      state.processes.map((p) => p.pid),
      STOP_DEADLINE_MS,
    );
    throw error;
  }
  for (const p of state.processes) {
    const metrics = p.metricsUrl === undefined ? '' : `, metrics ${p.metricsUrl}`;
    say(`${p.name} listening ${p.address} (pid ${p.pid}${metrics}) log ${p.logFile}`);
  }
  const ns = state.processes[0]?.address ?? '';
  say(
    `Topology ${basename(plan.dir)} is running: NameServer ${ns}; state in ${join(plan.dataDir, 'cluster-state.json')}`,
  );
  say(`Fault switches: petrel cluster kill|pause|resume|restart <name> --data-dir ${plan.dataDir}`);
  say(consoleLine(state.processes[0]?.consoleUrl, plan.dataDir));
  say('Press Ctrl-C to stop.');
  let stopping = false;
  // Says when a process of the state file dies (a kill, a crash); the timer also keeps this
  // supervisor alive, since the processes themselves are detached.
  const reported = new Set<number>();
  const watch = setInterval(() => {
    for (const p of readState(plan.dataDir).processes) {
      if (stopping || reported.has(p.pid) || isAlive(p.pid)) continue;
      reported.add(p.pid);
      say(`${p.name} (pid ${p.pid}) is not running`);
    }
  }, WATCH_INTERVAL_MS);
  const stop = () => {
    if (stopping) return;
    stopping = true;
    clearInterval(watch);
    say('Stopping the brokers, then the NameServer');
    void stopAll(plan.dataDir).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return undefined;
}

/** The one folder under ./data with a state file whose supervisor still runs. */
function runningTopologyDir(): string {
  const found = existsSync('data')
    ? readdirSync('data')
        .map((name) => join('data', name))
        .filter((dir) => existsSync(join(dir, STATE_FILE)) && isAlive(readState(dir).supervisorPid))
    : [];
  if (found.length === 1 && found[0] !== undefined) return found[0];
  const which = found.length === 0 ? 'none runs' : `${found.join(', ')} run`;
  throw new UsageError(`give --data-dir: no single topology under ./data (${which})`);
}

/** petrel cluster kill|pause|resume|restart <name> [--data-dir dir] */
export async function runControl(action: string, argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(argv, { withValue: ['--data-dir'], flags: [] });
  const name = args.positionals[0];
  if (name === undefined || args.positionals.length > 1)
    throw new UsageError(`${action} takes one process name`);
  const dataDir = resolve(args.values.get('--data-dir') ?? runningTopologyDir());
  const state = readState(dataDir);
  const target = state.processes.find((p) => p.name === name);
  if (target === undefined) {
    throw new UsageError(
      `no process "${name}" in ${dataDir}; there are ${state.processes.map((p) => p.name).join(', ')}`,
    );
  }
  const alive = isAlive(target.pid);
  switch (action) {
    case 'kill':
      if (alive) process.kill(target.pid, 'SIGKILL');
      say(`${name} (pid ${target.pid}) ${alive ? 'killed' : 'was not running'}`);
      return 0;
    case 'pause':
    case 'resume':
      if (!alive) throw new UsageError(`${name} (pid ${target.pid}) is not running`);
      process.kill(target.pid, action === 'pause' ? 'SIGSTOP' : 'SIGCONT');
      say(`${name} (pid ${target.pid}) ${action === 'pause' ? 'paused' : 'resumed'}`);
      return 0;
    default: {
      if (alive) await stopProcesses([target.pid], STOP_DEADLINE_MS);
      const restarted = await spawnLogged(name, target.script, target.args, target.logFile);
      const fresh = readState(dataDir);
      fresh.processes = fresh.processes.map((p) => (p.name === name ? restarted : p));
      writeState(fresh);
      say(`${name} listening ${restarted.address} (pid ${restarted.pid}) log ${restarted.logFile}`);
      return 0;
    }
  }
}
