// Consumer lag, computed when Prometheus scrapes: for every (topic, group) with committed
// offsets, the messages between the committed offset and the end of each queue (lag), the age of
// the oldest of them (lag latency, one indexed read per lagging queue), and the messages pulled but
// not yet committed (in flight, from where the group's last pull of each queue ended).
// One scan serves the three gauges of a scrape.
//
// RocketMQ 5: BrokerMetricsManager (GAUGE_CONSUMER_LAG_MESSAGES, _LAG_LATENCY, _INFLIGHT_MESSAGES)
// and ConsumerLagCalculator.

import { Gauge, type Registry } from 'prom-client';
import { isRetryTopic, isSystemTopic } from '../../common/topic-rules.js';
import type { BrokerContext } from '../broker-context.js';

interface LagRow {
  labels: Record<string, string>;
  lagMessages: number;
  lagLatencyMs: number;
  inflightMessages: number;
}

const TOPIC_GROUP_SEPARATOR = '@';

async function scanLag(ctx: BrokerContext): Promise<LagRow[]> {
  const rows: LagRow[] = [];
  const nowMs = ctx.clock.nowMs();
  for (const [key, queues] of Object.entries(ctx.offsets.snapshot())) {
    const at = key.indexOf(TOPIC_GROUP_SEPARATOR);
    if (at <= 0) continue;
    const topic = key.slice(0, at);
    const group = key.slice(at + 1);
    let lagMessages = 0;
    let inflightMessages = 0;
    let oldestMs = Number.POSITIVE_INFINITY;
    for (const [queueIdText, committed] of Object.entries(queues)) {
      const queueId = Number(queueIdText);
      const maxOffset = ctx.store.getMaxOffsetInQueue(topic, queueId);
      const behind = Math.max(0, maxOffset - committed);
      lagMessages += behind;
      const pulled = ctx.stats.traffic.pulledOffset(topic, group, queueId);
      if (pulled !== undefined) inflightMessages += Math.max(0, pulled - committed);
      if (behind === 0) continue;
      const got = await ctx.store.getMessage({
        topic,
        queueId,
        queueOffset: committed,
        maxMsgNums: 1,
      });
      const storedMs = got.messages[0]?.storeTimestamp;
      if (storedMs !== undefined) oldestMs = Math.min(oldestMs, storedMs);
    }
    rows.push({
      labels: {
        topic,
        consumer_group: group,
        is_retry: String(isRetryTopic(topic)),
        is_system: String(isSystemTopic(topic)),
      },
      lagMessages,
      lagLatencyMs: Number.isFinite(oldestMs) ? Math.max(0, nowMs - oldestMs) : 0,
      inflightMessages,
    });
  }
  return rows;
}

export function registerConsumerLagMetrics(registry: Registry, ctx: BrokerContext): void {
  let scan: Promise<LagRow[]> | undefined;
  const rows = () => {
    scan ??= scanLag(ctx).finally(() => {
      scan = undefined;
    });
    return scan;
  };
  const labelNames = ['topic', 'consumer_group', 'is_retry', 'is_system'];
  const lagGauge = (name: string, help: string, value: (row: LagRow) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const found = await rows();
        this.reset();
        for (const row of found) this.set(row.labels, value(row));
      },
    });
  lagGauge(
    'rocketmq_consumer_lag_messages',
    'Messages between the committed offset and the end of the queues.',
    (r) => r.lagMessages,
  );
  lagGauge(
    'rocketmq_consumer_lag_latency',
    'Age in milliseconds of the oldest message not yet committed.',
    (r) => r.lagLatencyMs,
  );
  lagGauge(
    'rocketmq_consumer_inflight_messages',
    'Messages pulled but not yet committed.',
    (r) => r.inflightMessages,
  );
}
