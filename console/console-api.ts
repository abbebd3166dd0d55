// What the console's pages read and do, as plain data: every figure comes from the admin client
// mqadmin uses (client/admin.ts, client/admin-ops.ts, client/cluster-map.ts,
// client/message-journey.ts), so the console and `mqadmin --json` agree; the role history comes
// from the NameServer that hosts the console.

import type { Admin } from '../client/admin.js';
import type { AdminOps } from '../client/admin-ops.js';
import { clusterMap } from '../client/cluster-map.js';
import type { MessageExt } from '../client/message.js';
import { queryRetryCopies, queryTraceEntries } from '../client/message-journey.js';
import { messageToJson } from '../client/message-json.js';
import { queryMsgByTime } from '../client/message-time-query.js';
import { PullConsumer } from '../client/pull-consumer.js';
import { ErrorCode, MqError } from '../common/errors.js';
import {
  DLQ_GROUP_TOPIC_PREFIX,
  isSystemTopic,
  RETRY_GROUP_TOPIC_PREFIX,
} from '../common/topic-rules.js';
import { failoversOf, type RoleHistory, recentMarks } from './role-history.js';

/** How long a master that left (and the replica that took over) stays marked on the map. */
export const RECENT_WINDOW_MS = 5 * 60_000;
/** Consumer groups whose retry and DLQ topics a message search looks into. */
const MAX_JOURNEY_GROUPS = 16;
/** Consumer groups whose lag the live charts add up. */
const MAX_LAG_GROUPS = 16;
const MAX_SEARCH_MESSAGES = 32;
const NAME_PATTERN = /^[%|a-zA-Z0-9_-]{1,255}$/;

export interface ConsoleApiDeps {
  admin: Admin;
  ops: AdminOps;
  history: RoleHistory;
  namesrvAddr: string;
  nowMs: () => number;
  readOnly: boolean;
}

export type Query = Readonly<Record<string, string | undefined>>;

function name(query: Query, key: string): string {
  const value = query[key];
  if (value === undefined || !NAME_PATTERN.test(value)) {
    throw new MqError(ErrorCode.CONSOLE_REQUEST_INVALID, `"${key}" must be a topic or group name`);
  }
  return value;
}

function wholeNumber(value: unknown, what: string): number {
  const n = typeof value === 'string' && value !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new MqError(ErrorCode.CONSOLE_REQUEST_INVALID, `"${what}" must be a whole number`);
  }
  return n;
}

function topicKind(topic: string): string {
  if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return 'retry';
  if (topic.startsWith(DLQ_GROUP_TOPIC_PREFIX)) return 'dlq';
  return isSystemTopic(topic) || topic.startsWith('RMQ_SYS_') ? 'system' : 'normal';
}

export class ConsoleApi {
  readonly #d: ConsoleApiDeps;

  constructor(deps: ConsoleApiDeps) {
    this.#d = deps;
  }

  /** GET /api/<path>; undefined for an unknown path. */
  read(path: string, query: Query): Promise<unknown> | undefined {
    switch (path) {
      case 'overview':
        return Promise.resolve({ namesrvAddr: this.#d.namesrvAddr, readOnly: this.#d.readOnly });
      case 'cluster':
        return this.#cluster();
      case 'timeline':
        return Promise.resolve(this.#timeline());
      case 'topics':
        return this.#topics();
      case 'topic':
        return this.#topic(name(query, 'topic'));
      case 'groups':
        return this.#groups().then((groups) => ({ groups }));
      case 'group':
        return this.#group(name(query, 'group'));
      case 'messages':
        return this.#messages(query);
      case 'stats':
        return this.#stats();
      default:
        return undefined;
    }
  }

  async #cluster(): Promise<unknown> {
    const groups = await clusterMap(this.#d.admin);
    const nowMs = this.#d.nowMs();
    const marks = recentMarks(this.#d.history.since(), nowMs, RECENT_WINDOW_MS);
    const none = { diedMasters: [], tookOver: null };
    const known = new Set(groups.map((g) => g.brokerName));
    // A group whose every member left is no longer in the route, but its marks still show.
    const gone = [...marks.keys()].filter((n) => !known.has(n));
    return {
      nowMs,
      groups: groups.map((g) => ({ ...g, marks: marks.get(g.brokerName) ?? none })),
      goneGroups: gone.map((brokerName) => ({ brokerName, marks: marks.get(brokerName) })),
    };
  }

  #timeline(): unknown {
    const events = this.#d.history.since();
    return { nowMs: this.#d.nowMs(), events, failovers: failoversOf(events) };
  }

  async #topics(): Promise<unknown> {
    const topics = await this.#d.admin.topicList();
    return { topics: topics.map((topic) => ({ topic, kind: topicKind(topic) })) };
  }

  async #topic(topic: string): Promise<unknown> {
    const route = await this.#d.admin.topicRoute(topic);
    const queues = await this.#d.admin.topicStatus(topic);
    return { topic, route, queues };
  }

  async #groups(): Promise<string[]> {
    const topics = await this.#d.admin.topicList();
    return topics
      .filter((t) => t.startsWith(RETRY_GROUP_TOPIC_PREFIX))
      .map((t) => t.slice(RETRY_GROUP_TOPIC_PREFIX.length))
      .sort();
  }

  async #group(group: string): Promise<unknown> {
    const progress = await this.#d.admin.consumerProgress(group);
    let connection: unknown = null;
    let connectionError: string | null = null;
    try {
      connection = await this.#d.ops.consumerConnection(group);
    } catch (error) {
      connectionError = error instanceof Error ? error.message : String(error);
    }
    return { progress, connection, connectionError };
  }

  async #messages(query: Query): Promise<unknown> {
    const topic = name(query, 'topic');
    const admin = this.#d.admin;
    if (query['msgId'] !== undefined && query['msgId'] !== '') {
      const message = await admin.queryMsgById(query['msgId'], topic);
      return { messages: [messageToJson(message)], journey: await this.#journey(message) };
    }
    if (query['key'] !== undefined && query['key'] !== '') {
      const found = await admin.queryMsgByKey(topic, query['key'], MAX_SEARCH_MESSAGES);
      return { messages: found.map(messageToJson), journey: null };
    }
    const range = {
      beginMs: wholeNumber(query['beginMs'], 'beginMs'),
      endMs: wholeNumber(query['endMs'], 'endMs'),
    };
    const consumer = new PullConsumer({
      namesrvAddr: this.#d.namesrvAddr,
      groupName: 'TOOLS_CONSUMER',
    });
    await consumer.start();
    try {
      const found = await queryMsgByTime(consumer, topic, range, MAX_SEARCH_MESSAGES);
      return { messages: found.map(messageToJson), journey: null };
    } finally {
      await consumer.shutdown();
    }
  }

  async #journey(message: MessageExt): Promise<unknown> {
    const traces = await queryTraceEntries(this.#d.admin, message.msgId).catch(() => []);
    const groups = await this.#groups();
    const copies = await queryRetryCopies(this.#d.admin, message.msgId, groups, MAX_JOURNEY_GROUPS);
    return {
      traces,
      copies: copies.map((c) => ({ ...c, message: messageToJson(c.message) })),
    };
  }

  /** Counters for the live charts; the page turns them into rates. */
  async #stats(): Promise<unknown> {
    const groups = await clusterMap(this.#d.admin);
    const brokers = groups.flatMap((g) =>
      g.members.map((m) => ({
        brokerName: g.brokerName,
        brokerId: m.brokerId,
        address: m.address,
        putTotal: m.putTotal,
        getTotal: m.getTotal,
      })),
    );
    let lagTotal = 0;
    for (const group of (await this.#groups()).slice(0, MAX_LAG_GROUPS)) {
      const progress = await this.#d.admin.consumerProgress(group).catch(() => null);
      lagTotal += progress?.diffTotal ?? 0;
    }
    return { atMs: this.#d.nowMs(), brokers, lagTotal };
  }
}
