// petrel cluster (what `npm start` runs): the recommended Master/Slave shape on one machine — a
// NameServer and broker group broker-a of cluster tom-cluster, its master SYNC_MASTER +
// ASYNC_FLUSH with one slave — each a process of its own, started from .properties files written
// under the data directory with the same keys an operator would write. Prints the addresses, the
// pids and how to kill the master and watch consumers continue from the slave; Ctrl-C stops all.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ParsedArgs, parseCliArgs, say, UsageError } from './cli-kit.js';
import {
  type ClusterProcess,
  cliScript,
  consoleLine,
  startClusterNamesrv,
  startClusterProcess,
  stopClusterProcesses,
} from './cluster-processes.js';
import { printControllerGuide, startControllerGroup } from './petrel-cluster-controller.js';
import { printDledgerGuide, startDledgerGroup } from './petrel-cluster-dledger.js';
import { runControl, runTopology, TOPOLOGY_USAGE } from './petrel-topology.js';

export const CLUSTER_USAGE = `  petrel cluster [--host 127.0.0.1] [--namesrv-port 9876] [--broker-port 10911]
                 [--slaves 1] [--data-dir ./data/cluster] [--console-port 8080]
                 [--key=value ...] [--dledger [--dledger-port 40911]]
                 [--controller [--controller-port 9878]]
      A NameServer and broker-a (SYNC_MASTER + ASYNC_FLUSH master, 0-2 slaves), each its own
      process; slave i listens on broker-port+10*i. Ctrl-C stops them all. --key=value sets a
      broker config key on every broker (brokerRole only on the master). With --dledger:
      a three-member DLedger group instead (member i on broker-port+10*i, Raft on
      dledger-port+i); prints the leader and how to kill it. With --controller: a NameServer
      hosting the RocketMQ 5 controller (Raft on controller-port) and a two-replica broker-a in
      controller mode; prints the master and how to kill it (the slave takes over). The
      NameServer serves the web console on --console-port (default 8080, or a free port when
      --namesrv-port is 0).
${TOPOLOGY_USAGE}`;

const STOP_DEADLINE_MS = 20_000;

interface ClusterPlan {
  host: string;
  reachable: string;
  namesrvPort: number;
  consolePort: number;
  brokerPort: number;
  slaves: number;
  dataDir: string;
  overrides: Record<string, string>;
  /** A DLedger group (Raft ports from here) instead of Master/Slave. */
  dledgerPort: number | undefined;
  /** Controller mode (the controller's Raft port) instead of Master/Slave. */
  controllerPort: number | undefined;
}

function intOption(args: ParsedArgs, name: string, fallback: number, max: number): number {
  const text = args.values.get(name) ?? String(fallback);
  if (!/^\d{1,5}$/.test(text) || Number(text) > max) {
    throw new UsageError(`${name} must be a whole number from 0 to ${max}, got "${text}"`);
  }
  return Number(text);
}

function planFrom(argv: readonly string[]): ClusterPlan {
  const args = parseCliArgs(argv, {
    withValue: [
      '--host',
      '--namesrv-port',
      '--broker-port',
      '--slaves',
      '--data-dir',
      '--dledger-port',
      '--console-port',
      '--controller-port',
    ],
    flags: ['--dledger', '--controller'],
  });
  if (args.flags.has('--dledger') && args.flags.has('--controller'))
    throw new UsageError('--dledger and --controller are two ways to elect a master: choose one');
  if (args.positionals.length > 0) throw new UsageError(`Unexpected "${args.positionals[0]}"`);
  const host = args.values.get('--host') ?? '127.0.0.1';
  const brokerPort = intOption(args, '--broker-port', 10911, 65535);
  const slaves = intOption(args, '--slaves', 1, 2);
  if (brokerPort !== 0 && brokerPort + 10 * slaves + 1 > 65535) {
    throw new UsageError(`--broker-port ${brokerPort} leaves no room for the slaves' ports`);
  }
  const namesrvPort = intOption(args, '--namesrv-port', 9876, 65535);
  return {
    host,
    // Listening on every address: clients are told the machine's address (brokerIP1's default).
    reachable: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host,
    namesrvPort,
    consolePort: intOption(args, '--console-port', namesrvPort === 0 ? 0 : 8080, 65535),
    brokerPort,
    slaves,
    dataDir: resolve(
      args.values.get('--data-dir') ??
        join(
          'data',
          args.flags.has('--dledger')
            ? 'dledger-cluster'
            : args.flags.has('--controller')
              ? 'controller-cluster'
              : 'cluster',
        ),
    ),
    overrides: { ...args.overrides },
    dledgerPort: args.flags.has('--dledger')
      ? intOption(args, '--dledger-port', 40911, 65533)
      : undefined,
    controllerPort: args.flags.has('--controller')
      ? intOption(args, '--controller-port', 9878, 65535)
      : undefined,
  };
}

/** The broker's .properties file: the seed article's keys first, then where it listens and stores. */
function writeBrokerFile(plan: ClusterPlan, brokerId: number, namesrvAddr: string): string {
  const port = plan.brokerPort === 0 ? 0 : plan.brokerPort + 10 * brokerId;
  const masterRole = plan.slaves > 0 ? 'SYNC_MASTER' : 'ASYNC_MASTER';
  const role = brokerId === 0 ? (plan.overrides['brokerRole'] ?? masterRole) : 'SLAVE';
  const wildcard = plan.host !== plan.reachable;
  const lines = [
    `# broker-a ${brokerId === 0 ? 'master' : `slave ${brokerId}`}, written by petrel cluster`,
    'brokerClusterName=tom-cluster',
    'brokerName=broker-a',
    `brokerId=${brokerId}`,
    `brokerRole=${role}`,
    'flushDiskType=ASYNC_FLUSH',
    `namesrvAddr=${namesrvAddr}`,
    ...(wildcard ? [] : [`brokerIP1=${plan.host}`]),
    `bindAddress=${plan.host}`,
    `listenPort=${port}`,
    // Port 0 picks free ports; the HA port then cannot be derived from the listen port.
    ...(port === 0 ? ['haListenPort=0'] : []),
    `storePathRootDir=${join(plan.dataDir, `broker-a-${brokerId}`)}`,
  ];
  const confDir = join(plan.dataDir, 'conf');
  mkdirSync(confDir, { recursive: true });
  const file = join(confDir, `broker-a-${brokerId}.properties`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function brokerArgs(plan: ClusterPlan, file: string): string[] {
  const shared = Object.entries(plan.overrides).filter(([key]) => key !== 'brokerRole');
  return ['-c', file, ...shared.map(([key, value]) => `--${key}=${value}`)];
}

async function startAll(plan: ClusterPlan, started: ClusterProcess[]): Promise<string[]> {
  const namesrv = await startClusterNamesrv(plan);
  started.push(namesrv);
  const namesrvAddr = `${plan.reachable}:${namesrv.address.split(':').pop()}`;
  const files: string[] = [];
  for (let brokerId = 0; brokerId <= plan.slaves; brokerId++) {
    const file = writeBrokerFile(plan, brokerId, namesrvAddr);
    files.push(file);
    const name = brokerId === 0 ? 'master' : `slave${plan.slaves > 1 ? ` ${brokerId}` : ''}`;
    started.push(await startClusterProcess(name, cliScript('mqbroker'), brokerArgs(plan, file)));
  }
  return files;
}

function printGuide(plan: ClusterPlan, started: readonly ClusterProcess[], files: string[]): void {
  const [namesrv, master] = started;
  if (namesrv === undefined || master === undefined) return;
  const ns = `${plan.reachable}:${namesrv.address.split(':').pop()}`;
  for (const p of started) say(`${p.name} listening ${p.address} (pid ${p.child.pid})`);
  say(
    `Petrel is running: NameServer ${ns}; cluster tom-cluster, broker-a master at ${master.address} with ${plan.slaves} slave(s); data and config files in ${plan.dataDir}`,
  );
  say(
    `Try it: npx mqadmin sendMessage -n ${ns} -t TopicTest -p "hello" && npx mqadmin consumeMessage -n ${ns} -t TopicTest`,
  );
  if (plan.slaves > 0) {
    say(
      `Fail over: kill -9 ${master.child.pid} kills the master; consumeMessage (or any consumer) keeps reading broker-a from the slave, and sends fail fast until the master is back: node ${cliScript('mqbroker')} -c ${files[0]}`,
    );
  }
  say(consoleLine(namesrv.consoleUrl, plan.dataDir));
  say('Press Ctrl-C to stop.');
}

export async function runCluster(argv: readonly string[]): Promise<number | undefined> {
  const [first, ...rest] = argv;
  if (first !== undefined && ['kill', 'pause', 'resume', 'restart'].includes(first)) {
    return runControl(first, rest);
  }
  if (argv.some((a) => a === '--topology' || a.startsWith('--topology='))) return runTopology(argv);
  const plan = planFrom(argv);
  const started: ClusterProcess[] = [];
  try {
    if (plan.dledgerPort !== undefined) {
      const dledger = { ...plan, dledgerPort: plan.dledgerPort };
      await printDledgerGuide(dledger, started, await startDledgerGroup(dledger, started));
    } else if (plan.controllerPort !== undefined) {
      const controller = { ...plan, controllerPort: plan.controllerPort };
      await printControllerGuide(
        controller,
        started,
        await startControllerGroup(controller, started),
      );
    } else printGuide(plan, started, await startAll(plan, started));
  } catch (error) {
    await stopClusterProcesses(started, STOP_DEADLINE_MS);
    throw error;
  }
  let stopping = false;
  for (const p of started) {
    void p.exited.then((how) => {
      if (!stopping) say(`${p.name} (pid ${p.child.pid}) exited (${how})`);
    });
  }
  const stop = () => {
    if (stopping) return;
    stopping = true;
    say('Stopping the brokers, then the NameServer');
    // A process that had already died (a killed master) does not make the stop unclean.
    const running = started.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    void stopClusterProcesses(started.slice(1), STOP_DEADLINE_MS)
      .then(() => stopClusterProcesses(started.slice(0, 1), STOP_DEADLINE_MS))
      .then(async () => {
        const outcomes = await Promise.all(running.map((p) => p.exited));
        process.exit(outcomes.every((how) => how === 'code 0') ? 0 : 1);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return undefined;
}
