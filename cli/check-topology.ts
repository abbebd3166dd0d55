// petrel check-config <dir>: checks a whole topology — every .properties file of a folder (a
// namesrv.properties there is read as the NameServer's) — for what no single file shows: two
// brokers with the same brokerName and brokerId, DLedger groups whose members disagree on the
// peers or whose peers miss a member's dLegerSelfId, a SYNC_MASTER whose group has no slave, and
// two processes on the same port. Each finding names the files and lines; every file's own
// problems (ConfigError) are listed too.

import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError, formatProblem } from '../config/config-error.js';
import {
  type BrokerConfig,
  type LoadedConfig,
  loadBrokerConfig,
  loadNamesrvConfig,
} from '../config/load.js';

export interface TopologyFinding {
  /** "file:line" places the finding is about. */
  where: string[];
  message: string;
}

interface BrokerFile {
  file: string;
  loaded: LoadedConfig<BrokerConfig>;
}

/** "file:line" of a key's value, or the file alone when it came from a default. */
function at(b: BrokerFile, key: keyof BrokerConfig & string): string {
  const source = b.loaded.sources[key];
  return source?.kind === 'file' ? `${b.file}:${source.line}` : b.file;
}

function loadAll(dir: string, findings: TopologyFinding[]) {
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.properties'))
    .sort()
    .map((n) => join(dir, n));
  const brokers: BrokerFile[] = [];
  const ports: Array<{ port: number; where: string; what: string }> = [];
  for (const file of files) {
    try {
      if (basename(file) === 'namesrv.properties') {
        const ns = loadNamesrvConfig({ file });
        const line = ns.sources.listenPort?.kind === 'file' ? `:${ns.sources.listenPort.line}` : '';
        ports.push({
          port: ns.config.listenPort,
          where: `${file}${line}`,
          what: 'NameServer listenPort',
        });
      } else {
        brokers.push({ file, loaded: loadBrokerConfig({ file }) });
      }
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const p of error.problems) findings.push({ where: [], message: formatProblem(p) });
    }
  }
  return { brokers, ports };
}

function checkIdentities(brokers: readonly BrokerFile[], findings: TopologyFinding[]): void {
  const seen = new Map<string, BrokerFile>();
  for (const b of brokers) {
    const c = b.loaded.config;
    if (c.enableDLegerCommitLog) continue;
    const key = `${c.brokerClusterName}/${c.brokerName}/${c.brokerId}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, b);
      continue;
    }
    findings.push({
      where: [at(first, 'brokerId'), at(b, 'brokerId')],
      message: `two brokers are ${c.brokerName} with brokerId ${c.brokerId} in cluster ${c.brokerClusterName}`,
    });
  }
}

function checkSyncMasters(brokers: readonly BrokerFile[], findings: TopologyFinding[]): void {
  for (const b of brokers) {
    const c = b.loaded.config;
    if (c.enableDLegerCommitLog || c.brokerRole !== 'SYNC_MASTER') continue;
    const hasSlave = brokers.some(
      (o) =>
        o.loaded.config.brokerRole === 'SLAVE' &&
        o.loaded.config.brokerName === c.brokerName &&
        o.loaded.config.brokerClusterName === c.brokerClusterName,
    );
    if (!hasSlave) {
      findings.push({
        where: [at(b, 'brokerRole')],
        message: `${c.brokerName} is a SYNC_MASTER but no file here is its slave: every send would answer SLAVE_NOT_AVAILABLE`,
      });
    }
  }
}

function checkDledgerGroups(brokers: readonly BrokerFile[], findings: TopologyFinding[]): void {
  const groups = new Map<string, BrokerFile[]>();
  for (const b of brokers) {
    const c = b.loaded.config;
    if (!c.enableDLegerCommitLog) continue;
    const name = c.dLegerGroup ?? c.brokerName;
    groups.set(name, [...(groups.get(name) ?? []), b]);
  }
  for (const [group, members] of groups) {
    const peerText = (b: BrokerFile) =>
      (b.loaded.config.dLegerPeers ?? []).map((p) => `${p.id}-${p.host}:${p.port}`).join(';');
    const first = members[0];
    if (first === undefined) continue;
    for (const m of members.slice(1)) {
      if (peerText(m) !== peerText(first)) {
        findings.push({
          where: [at(first, 'dLegerPeers'), at(m, 'dLegerPeers')],
          message: `DLedger group ${group}: members list different dLegerPeers`,
        });
      }
    }
    const ids = new Set((first.loaded.config.dLegerPeers ?? []).map((p) => p.id));
    for (const m of members) {
      const self = m.loaded.config.dLegerSelfId;
      if (self !== undefined && !ids.has(self)) {
        findings.push({
          where: [at(m, 'dLegerSelfId'), at(first, 'dLegerPeers')],
          message: `DLedger group ${group}: dLegerSelfId ${self} is not among the peers`,
        });
      }
    }
  }
}

function brokerPorts(b: BrokerFile) {
  const c = b.loaded.config;
  const out = [{ port: c.listenPort, where: at(b, 'listenPort'), what: 'listenPort' }];
  if (c.brokerRole !== 'SLAVE' && !c.enableDLegerCommitLog) {
    out.push({ port: c.haListenPort, where: at(b, 'haListenPort'), what: 'haListenPort' });
  }
  if (c.metricsExporterType === 'PROM') {
    out.push({
      port: c.metricsPromExporterPort,
      where: at(b, 'metricsPromExporterPort'),
      what: 'metricsPromExporterPort',
    });
  }
  if (c.enableDLegerCommitLog) {
    const self = (c.dLegerPeers ?? []).find((p) => p.id === c.dLegerSelfId);
    if (self !== undefined)
      out.push({
        port: self.port,
        where: at(b, 'dLegerPeers'),
        what: `DLedger port of ${self.id}`,
      });
  }
  return out;
}

function checkPorts(
  ports: Array<{ port: number; where: string; what: string }>,
  findings: TopologyFinding[],
): void {
  const byPort = new Map<number, typeof ports>();
  for (const p of ports) {
    if (p.port === 0) continue;
    byPort.set(p.port, [...(byPort.get(p.port) ?? []), p]);
  }
  for (const [port, users] of byPort) {
    if (users.length < 2) continue;
    findings.push({
      where: users.map((u) => u.where),
      message: `port ${port} is used twice: ${users.map((u) => u.what).join(' and ')}`,
    });
  }
}

/** Every finding of a topology folder; an empty list means it is consistent. */
export function checkTopology(dir: string): { files: number; findings: TopologyFinding[] } {
  const findings: TopologyFinding[] = [];
  const { brokers, ports } = loadAll(dir, findings);
  checkIdentities(brokers, findings);
  checkSyncMasters(brokers, findings);
  checkDledgerGroups(brokers, findings);
  checkPorts([...ports, ...brokers.flatMap(brokerPorts)], findings);
  return { files: brokers.length + ports.length, findings };
}

export function formatFinding(f: TopologyFinding): string {
  return f.where.length === 0 ? f.message : `${f.where.join(', ')}: ${f.message}`;
}
