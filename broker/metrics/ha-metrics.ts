// HA metrics under petrel_ (none of RocketMQ's anchors has them), computed when Prometheus
// scrapes from the broker's HaView (broker/ha-status/): per replica lag in bytes and in
// milliseconds, the in-sync set's size, the epoch or Raft term, the Raft role, and failovers and
// elections with their durations. One status read serves every gauge of a scrape.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { BrokerContext } from '../broker-context.js';
import type { HaStatus, ReplicaStatus } from '../ha-status/ha-view.js';

type Put = (labels: Record<string, string>, value: number) => void;
type Fill = (put: Put, status: HaStatus) => void;
type Define = (
  kind: 'gauge' | 'counter',
  name: string,
  help: string,
  labelNames: string[],
  fill: Fill,
) => void;

/** Metrics filled from one HaStatus read per scrape. */
function definer(registry: Registry, ctx: BrokerContext): Define {
  let read: Promise<HaStatus | undefined> | undefined;
  // A status that cannot be read (the HA sender thread silent) leaves out the HA series of this
  // scrape rather than failing the whole scrape.
  const status = () => {
    read ??= ctx.ha
      .status()
      .catch((error: unknown) => {
        ctx.logger.warn('HA status unavailable for the metrics', { error: String(error) });
        return undefined;
      })
      .finally(() => {
        read = undefined;
      });
    return read;
  };
  return (kind, name, help, labelNames, fill) => {
    const config = { name, help, labelNames, registers: [registry] };
    if (kind === 'gauge') {
      new Gauge({
        ...config,
        async collect() {
          const found = await status();
          this.reset();
          if (found !== undefined) fill((labels, value) => this.set(labels, value), found);
        },
      });
      return;
    }
    new Counter({
      ...config,
      async collect() {
        const found = await status();
        this.reset();
        if (found !== undefined) fill((labels, value) => this.inc(labels, value), found);
      },
    });
  };
}

const perReplica =
  (value: (r: ReplicaStatus) => number): Fill =>
  (put, s) => {
    for (const r of s.replicas) put({ replica: r.id, address: r.address }, value(r));
  };

function registerReplicaMetrics(define: Define): void {
  const labels = ['replica', 'address'];
  define(
    'gauge',
    'petrel_replication_lag_bytes',
    'CommitLog bytes each replica lacks (on the master or Raft leader).',
    labels,
    perReplica((r) => r.lagBytes),
  );
  define(
    'gauge',
    'petrel_replication_lag_ms',
    'Age in milliseconds of the oldest message each replica lacks (0 when it lacks none).',
    labels,
    perReplica((r) => r.lagMs),
  );
  define(
    'gauge',
    'petrel_replication_replica_in_sync',
    '1 while the replica is in the in-sync set (lacking fewer than haSlaveFallbehindMax bytes; DLedger: and heard from).',
    labels,
    perReplica((r) => (r.inSync ? 1 : 0)),
  );
  define(
    'gauge',
    'petrel_replication_in_sync_replicas',
    'Members in the in-sync set, the master or leader included (0 on a slave or follower).',
    [],
    (put, s) => put({}, s.inSync.length),
  );
}

export function registerHaMetrics(registry: Registry, ctx: BrokerContext): void {
  const define = definer(registry, ctx);
  registerReplicaMetrics(define);
  define(
    'gauge',
    'petrel_ha_epoch',
    'The epoch this broker is at: store fence or controller epoch (kind=epoch), Raft term (kind=term).',
    ['kind'],
    (put, s) => put({ kind: s.epochKind }, s.epoch),
  );
  define(
    'gauge',
    'petrel_ha_raft_role',
    '1 for the Raft role of a DLedger member.',
    ['raft_role'],
    (put, s) => {
      if (s.raft !== null) put({ raft_role: s.raft.role }, 1);
    },
  );
  define(
    'counter',
    'petrel_ha_failovers_total',
    'Failovers that made this broker the master.',
    [],
    (put, s) => put({}, s.failovers),
  );
  define(
    'counter',
    'petrel_ha_elections_total',
    'Raft elections this member took part in as a candidate, ended by a known leader.',
    [],
    (put, s) => put({}, s.elections),
  );
  registry.registerMetric(ctx.ha.events.failoverSeconds.asMetric());
  registry.registerMetric(ctx.ha.events.electionSeconds.asMetric());
}
