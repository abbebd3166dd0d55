// Which counter each of RocketMQ's stats names reads (VIEW_BROKER_STATS_DATA): TOPIC_PUT_NUMS and
// TOPIC_PUT_SIZE by topic (messages and stored bytes, one record per message), GROUP_GET_NUMS and
// GROUP_GET_SIZE by "topic@group" (messages and bytes returned to pulls, one record per pull).

import type { BrokerTraffic } from './broker-traffic.js';
import {
  type BrokerStatsData,
  StatsName,
  type StatsValue,
  type StatsWindows,
} from './stats-windows.js';

const SEPARATOR = '\u0001';

function counterOf(traffic: BrokerTraffic, name: string, key: string): StatsValue | undefined {
  if (name === StatsName.TOPIC_PUT_NUMS || name === StatsName.TOPIC_PUT_SIZE) {
    const t = traffic.topicIn(key);
    if (t === undefined) return undefined;
    const value = name === StatsName.TOPIC_PUT_NUMS ? t.messages : t.bytes;
    return { value, times: t.messages, sinceMs: t.sinceMs };
  }
  if (name === StatsName.GROUP_GET_NUMS || name === StatsName.GROUP_GET_SIZE) {
    const at = key.lastIndexOf('@');
    if (at <= 0) return undefined;
    const g = traffic.groupOut(key.slice(0, at), key.slice(at + 1));
    if (g === undefined) return undefined;
    const value = name === StatsName.GROUP_GET_NUMS ? g.messages : g.bytes;
    return { value, times: g.pulls, sinceMs: g.sinceMs };
  }
  return undefined;
}

function* series(traffic: BrokerTraffic): Iterable<[string, StatsValue]> {
  const topics = new Set<string>();
  for (const t of traffic.inTotals()) topics.add(t.topic);
  for (const topic of topics) {
    for (const name of [StatsName.TOPIC_PUT_NUMS, StatsName.TOPIC_PUT_SIZE]) {
      const v = counterOf(traffic, name, topic);
      if (v !== undefined) yield [`${name}${SEPARATOR}${topic}`, v];
    }
  }
  for (const o of traffic.outTotals()) {
    const key = `${o.topic}@${o.group}`;
    for (const name of [StatsName.GROUP_GET_NUMS, StatsName.GROUP_GET_SIZE]) {
      const v = counterOf(traffic, name, key);
      if (v !== undefined) yield [`${name}${SEPARATOR}${key}`, v];
    }
  }
}

/** The 10-second sampling round (broker.ts runs it on a timer). */
export function sampleBrokerStats(
  traffic: BrokerTraffic,
  windows: StatsWindows,
  nowMs: number,
): void {
  windows.sample(nowMs, series(traffic));
}

/** The windows of one stats item, or undefined when it has no record yet (RocketMQ: not exist). */
export function viewBrokerStats(
  traffic: BrokerTraffic,
  windows: StatsWindows,
  name: string,
  key: string,
  nowMs: number,
): BrokerStatsData | undefined {
  const current = counterOf(traffic, name, key);
  if (current === undefined) return undefined;
  return windows.view(`${name}${SEPARATOR}${key}`, current, nowMs);
}
