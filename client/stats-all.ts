// `mqadmin statsAll`: per topic and consuming group, the messages waiting (accumulation), the
// put and get rates over the last minute and the counts over the last 24 hours, added up over
// the masters of the topic's route, as RocketMQ's StatsAllSubCommand: VIEW_BROKER_STATS_DATA 315
// (TOPIC_PUT_NUMS by topic, GROUP_GET_NUMS by topic@group), QUERY_TOPIC_CONSUME_BY_WHO 300, and
// GET_CONSUME_STATS 208 for the accumulation. Retry and DLQ topics are skipped. As in RocketMQ, a
// broker without the item ("not exist") counts 0; other failures are listed in `errors`.
//
// RocketMQ: tools/.../command/stats/StatsAllSubCommand.java.

import { asObject, decodeJsonBody, readNumber } from '../protocol/bodies/json-body.js';
import { decodeConsumeStats } from '../protocol/bodies/offset-tables.js';
import type { TopicRouteData } from '../protocol/bodies/topic-route-data.js';
import { createRequest } from '../protocol/remoting-command.js';
import { RequestCode } from '../protocol/request-code.js';
import { ResponseCode } from '../protocol/response-code.js';
import type { Admin } from './admin.js';
import type { Target } from './client-instance.js';
import { MASTER_ID } from './topic-route.js';

export interface StatsAllRow {
  topic: string;
  /** null: nobody consumes the topic (RocketMQ prints NO_CONSUMER). */
  group: string | null;
  accumulation: number;
  inTps: number;
  outTps: number | null;
  inMsg24Hour: number;
  outMsg24Hour: number | null;
}

export interface StatsAllReport {
  rows: StatsAllRow[];
  errors: string[];
}

interface Window {
  sum: number;
  tps: number;
}

/** RocketMQ's compute24HourSum: the day's sum, else the hour's, else the minute's. */
function sum24Hours(windows: Record<'statsMinute' | 'statsHour' | 'statsDay', Window>): number {
  for (const w of [windows.statsDay, windows.statsHour, windows.statsMinute])
    if (w.sum !== 0) return w.sum;
  return 0;
}

function masters(route: TopicRouteData): Target[] {
  return route.brokerDatas.flatMap((b) => {
    const address = b.brokerAddrs[String(MASTER_ID)];
    return address === undefined ? [] : [{ address, brokerName: b.brokerName }];
  });
}

class StatsAllRun {
  readonly errors: string[] = [];
  readonly #admin: Admin;

  constructor(admin: Admin) {
    this.#admin = admin;
  }

  /** Minute TPS and 24-hour count of one item, added over the masters. */
  async item(targets: Target[], statsName: string, statsKey: string): Promise<Window> {
    const total = { sum: 0, tps: 0 };
    for (const target of targets) {
      const request = createRequest(RequestCode.VIEW_BROKER_STATS_DATA, { statsName, statsKey });
      try {
        const response = await this.#admin.brokerRequest(target, request);
        if (response.code === ResponseCode.SYSTEM_ERROR && /not exist/.test(response.remark ?? ''))
          continue;
        if (response.code !== ResponseCode.SUCCESS)
          throw new Error(`code ${response.code}: ${response.remark ?? ''}`);
        const body = asObject(decodeJsonBody(response.body, 'BrokerStatsData'), 'BrokerStatsData');
        const win = (key: string): Window => {
          const o = asObject(body[key], key);
          return { sum: readNumber(o, 'sum', key, 0), tps: readNumber(o, 'tps', key, 0) };
        };
        const windows = {
          statsMinute: win('statsMinute'),
          statsHour: win('statsHour'),
          statsDay: win('statsDay'),
        };
        total.tps += windows.statsMinute.tps;
        total.sum += sum24Hours(windows);
      } catch (error) {
        this.errors.push(`${target.address} ${statsName} ${statsKey}: ${String(error)}`);
      }
    }
    return total;
  }

  async groups(targets: Target[], topic: string): Promise<string[]> {
    const found = new Set<string>();
    for (const target of targets) {
      try {
        const request = createRequest(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic });
        const response = await this.#admin.brokerRequest(target, request);
        if (response.code !== ResponseCode.SUCCESS) throw new Error(`code ${response.code}`);
        const body = asObject(decodeJsonBody(response.body, 'GroupList'), 'GroupList');
        const list = body['groupList'];
        if (Array.isArray(list)) for (const g of list) if (typeof g === 'string') found.add(g);
      } catch (error) {
        this.errors.push(`${target.address} QUERY_TOPIC_CONSUME_BY_WHO ${topic}: ${String(error)}`);
      }
    }
    return [...found].sort();
  }

  /** ConsumeStats.computeTotalDiff over the masters, never below 0. */
  async accumulation(targets: Target[], group: string, topic: string): Promise<number> {
    let diff = 0;
    for (const target of targets) {
      try {
        const request = createRequest(RequestCode.GET_CONSUME_STATS, {
          consumerGroup: group,
          topic,
        });
        const response = await this.#admin.brokerRequest(target, request);
        if (response.code !== ResponseCode.SUCCESS) continue;
        for (const e of decodeConsumeStats(response.body).offsetTable)
          diff += e.value.brokerOffset - e.value.consumerOffset;
      } catch (error) {
        this.errors.push(`${target.address} GET_CONSUME_STATS ${group}: ${String(error)}`);
      }
    }
    return Math.max(0, diff);
  }
}

export async function statsAll(
  admin: Admin,
  options: { topic?: string; activeTopic: boolean },
): Promise<StatsAllReport> {
  const run = new StatsAllRun(admin);
  const rows: StatsAllRow[] = [];
  for (const topic of await admin.topicList()) {
    if (topic.startsWith('%RETRY%') || topic.startsWith('%DLQ%')) continue;
    if (options.topic !== undefined && options.topic !== '' && topic !== options.topic) continue;
    let targets: Target[];
    try {
      targets = masters(await admin.topicRoute(topic));
    } catch (error) {
      run.errors.push(`${topic}: ${String(error)}`);
      continue;
    }
    const put = await run.item(targets, 'TOPIC_PUT_NUMS', topic);
    const groups = await run.groups(targets, topic);
    if (groups.length === 0) {
      if (!options.activeTopic || put.sum > 0)
        rows.push({
          topic,
          group: null,
          accumulation: 0,
          inTps: put.tps,
          outTps: null,
          inMsg24Hour: put.sum,
          outMsg24Hour: null,
        });
      continue;
    }
    for (const group of groups) {
      const got = await run.item(targets, 'GROUP_GET_NUMS', `${topic}@${group}`);
      const accumulation = await run.accumulation(targets, group, topic);
      if (options.activeTopic && put.sum === 0 && got.sum === 0) continue;
      rows.push({
        topic,
        group,
        accumulation,
        inTps: put.tps,
        outTps: got.tps,
        inMsg24Hour: put.sum,
        outMsg24Hour: got.sum,
      });
    }
  }
  return { rows, errors: run.errors };
}
