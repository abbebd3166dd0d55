// The broker's Prometheus registry: RocketMQ 5's metric names and labels where RocketMQ has the
// metric, petrel_ names for the HA and engine figures it lacks. Values come from the traffic
// counters (broker-traffic.ts) and from state the broker keeps anyway (store positions, offset and
// client tables), read when Prometheus scrapes; nothing here runs on the request path.
// Every series carries RocketMQ's common labels: cluster, node_type="broker", node_id=brokerName.
//
// RocketMQ 5: broker/.../metrics/BrokerMetricsManager.java, BrokerMetricsConstant.java,
// store/.../metrics/DefaultStoreMetricsManager.java, remoting/.../metrics/RemotingMetricsManager.java.

import { Registry } from 'prom-client';
import { isRetryTopic, isSystemTopic } from '../../common/topic-rules.js';
import { registerProcessMetrics } from '../../server/metrics/process-metrics.js';
import {
  type LabelValues,
  type Samples,
  scrapedCounter,
  scrapedGauge,
} from '../../server/metrics/scraped-metrics.js';
import type { BrokerContext } from '../broker-context.js';
import { registerConsumerLagMetrics } from './consumer-lag.js';
import { registerHaMetrics } from './ha-metrics.js';

export interface BrokerMetrics {
  readonly registry: Registry;
  close(): void;
}

/** Extra figures the broker's HA wiring knows. */
export interface HaFigures {
  /** Slaves streaming from this master now. */
  connectedSlaves: number;
  /** On a slave: whether its master is heard on the HA link. */
  masterReachable: boolean;
}

const flag = (value: boolean) => (value ? 'true' : 'false');

type Register = (name: string, help: string, labelNames: string[], read: () => Samples) => void;

interface Registrars {
  counter: Register;
  gauge: Register;
}

export function createBrokerMetrics(ctx: BrokerContext, ha: () => HaFigures): BrokerMetrics {
  const registry = new Registry();
  const { config } = ctx;
  registry.setDefaultLabels({
    cluster: config.brokerClusterName,
    node_type: 'broker',
    node_id: config.brokerName,
  });
  const stopProcess = registerProcessMetrics(registry, {});
  let roleChanges = 0;
  const stopRoleWatch = ctx.role.onChange(() => {
    roleChanges++;
  });
  const r: Registrars = {
    counter: (name, help, labelNames, read) =>
      scrapedCounter({ registry, name, help, labelNames, read }),
    gauge: (name, help, labelNames, read) =>
      scrapedGauge({ registry, name, help, labelNames, read }),
  };
  registerTraffic(r, registry, ctx);
  registerStorage(r, ctx);
  registerConsumerLagMetrics(registry, ctx);
  registerClients(r, ctx);
  registerHa(r, ctx, ha, () => roleChanges);
  registerHaMetrics(registry, ctx);
  return {
    registry,
    close: () => {
      stopProcess();
      stopRoleWatch();
    },
  };
}

function registerTraffic({ counter }: Registrars, registry: Registry, ctx: BrokerContext): void {
  const traffic = ctx.stats.traffic;
  const inLabels = (t: { topic: string; messageType: string }): LabelValues => ({
    topic: t.topic,
    message_type: t.messageType,
    is_system: flag(isSystemTopic(t.topic)),
  });
  const outLabels = (t: { topic: string; group: string }): LabelValues => ({
    topic: t.topic,
    consumer_group: t.group,
    is_retry: flag(isRetryTopic(t.topic)),
    is_system: flag(isSystemTopic(t.topic)),
  });
  const inNames = ['topic', 'message_type', 'is_system'];
  const outNames = ['topic', 'consumer_group', 'is_retry', 'is_system'];
  counter('rocketmq_messages_in_total', 'Messages stored.', inNames, () =>
    [...traffic.inTotals()].map((t) => [inLabels(t), t.messages] as const),
  );
  counter('rocketmq_throughput_in_total', 'Bytes stored (whole records).', inNames, () =>
    [...traffic.inTotals()].map((t) => [inLabels(t), t.bytes] as const),
  );
  counter('rocketmq_messages_out_total', 'Messages returned to pulls.', outNames, () =>
    [...traffic.outTotals()].map((t) => [outLabels(t), t.messages] as const),
  );
  counter('rocketmq_throughput_out_total', 'Bytes returned to pulls.', outNames, () =>
    [...traffic.outTotals()].map((t) => [outLabels(t), t.bytes] as const),
  );
  registry.registerMetric(traffic.messageSize.asMetric());
  registry.registerMetric(traffic.rpcLatency.asMetric());
  counter('petrel_metrics_dropped_total', 'Records refused: a metrics table was full.', [], () => [
    [{}, traffic.dropped],
  ]);
}

function registerStorage({ counter, gauge }: Registrars, ctx: BrokerContext): void {
  const storage = () => ctx.store.storageFigures();
  const local = { storage_type: 'local' };
  const names = ['storage_type'];
  gauge('rocketmq_storage_size', 'CommitLog bytes held on disk.', names, () => {
    const s = storage();
    return [[local, s.wroteOffset - s.minOffset]];
  });
  gauge('rocketmq_storage_flush_behind_bytes', 'Bytes written, not yet fsynced.', names, () => {
    const s = storage();
    return [[local, Math.max(0, s.wroteOffset - s.flushedOffset)]];
  });
  gauge(
    'rocketmq_storage_dispatch_behind_bytes',
    'CommitLog bytes not yet in ConsumeQueues.',
    names,
    () => {
      const s = storage();
      return [[local, Math.max(0, s.wroteOffset - s.dispatchedOffset)]];
    },
  );
  gauge('petrel_ring_used_bytes', 'Bytes in use in each ring between threads.', ['ring'], () =>
    storage().rings.map((r) => [{ ring: r.ring }, r.usedBytes] as const),
  );
  gauge('petrel_ring_capacity_bytes', 'Capacity of each ring between threads.', ['ring'], () =>
    storage().rings.map((r) => [{ ring: r.ring }, r.capacityBytes] as const),
  );
  counter('petrel_flush_seconds_total', 'Time spent in fdatasync of the CommitLog.', [], () => [
    [{}, storage().flushTotalMicros / 1e6],
  ]);
  counter('petrel_flushes_total', 'fdatasync calls on the CommitLog.', [], () => [
    [{}, storage().flushCount],
  ]);
  gauge(
    'petrel_flush_behind_ms',
    'Store time of the newest written message minus that of the newest fsynced one.',
    [],
    () => {
      const s = storage();
      return [[{}, Math.max(0, s.wroteTimestampMs - s.flushedTimestampMs)]];
    },
  );
}

function registerClients({ gauge }: Registrars, ctx: BrokerContext): void {
  gauge('rocketmq_producer_connections', 'Producers registered by heartbeat.', [], () => [
    [{}, ctx.clients.producerCount()],
  ]);
  gauge(
    'rocketmq_consumer_connections',
    'Consumers registered by heartbeat, per group.',
    ['consumer_group', 'consume_mode'],
    () =>
      ctx.clients.consumerGroups().map((group) => {
        const state = ctx.clients.consumerGroup(group);
        const mode = state?.consumeType === 'CONSUME_ACTIVELY' ? 'pull' : 'push';
        return [{ consumer_group: group, consume_mode: mode }, state?.clients.size ?? 0] as const;
      }),
  );
  gauge('rocketmq_topic_number', 'Topics configured on this broker.', [], () => [
    [{}, ctx.topics.size],
  ]);
  gauge('rocketmq_consumer_group_number', 'Subscription groups on this broker.', [], () => [
    [{}, Object.keys(ctx.groups.snapshot().subscriptionGroupTable).length],
  ]);
}

function registerHa(
  { counter, gauge }: Registrars,
  ctx: BrokerContext,
  ha: () => HaFigures,
  roleChanges: () => number,
): void {
  gauge('petrel_broker_role', '1 for the role the broker has now.', ['role', 'broker_id'], () => [
    [{ role: ctx.role.role, broker_id: String(ctx.role.brokerId) }, 1],
  ]);
  counter('petrel_role_changes_total', 'Promotions and demotions since the start.', [], () => [
    [{}, roleChanges()],
  ]);
  gauge('petrel_replication_connected_slaves', 'Slaves streaming from this master now.', [], () => [
    [{}, ha().connectedSlaves],
  ]);
  gauge(
    'petrel_replication_master_reachable',
    "1 while the group's master is reachable from here: always on the master; on a slave, while the master is heard on the HA link.",
    [],
    () => [[{}, ctx.role.isSlave && !ha().masterReachable ? 0 : 1]],
  );
}
