// Runs mqadmin's day-to-day commands (mqadmin-ops-commands.ts) against an AdminOps client and
// returns the text and JSON forms, as mqadmin-run.ts does for the others.

import type { Admin } from '../client/admin.js';
import { AdminOps, type Scope } from '../client/admin-ops.js';
import { messageToJson } from '../client/message-json.js';
import { Producer } from '../client/producer.js';
import { PullConsumer } from '../client/pull-consumer.js';
import { ErrorCode, MqError } from '../common/errors.js';
import { boolValue, intValue, type ParsedCommand } from './mqadmin-args.js';
import { OPS_COMMANDS } from './mqadmin-ops-commands.js';
import { renderKeyValues, renderMessage, renderTable } from './mqadmin-render.js';
import type { CommandOutput } from './mqadmin-run.js';
import { runStatsAll } from './mqadmin-stats.js';

export function isOpsCommand(name: string): boolean {
  return OPS_COMMANDS.some((c) => c.name === name);
}

function value(parsed: ParsedCommand, long: string): string {
  const found = parsed.values[long];
  if (found === undefined)
    throw new MqError(ErrorCode.USAGE, `${parsed.command}: --${long} is required`);
  return found;
}

function scopeOf(parsed: ParsedCommand): Scope {
  const brokerAddr = parsed.values['brokerAddr'];
  const clusterName = parsed.values['clusterName'];
  if ((brokerAddr === undefined) === (clusterName === undefined)) {
    throw new MqError(
      ErrorCode.USAGE,
      `${parsed.command}: give one of -b brokerAddr or -c clusterName`,
    );
  }
  return brokerAddr === undefined ? { clusterName: clusterName ?? '' } : { brokerAddr };
}

/** RocketMQ's -s forms: ms since the epoch, "now", or yyyy-MM-dd#HH:mm:ss:SSS (local time). */
export function parseResetTime(text: string, nowMs: number): number {
  if (text === 'now') return nowMs;
  if (/^-?\d+$/.test(text)) return Number(text);
  const m = /^(\d{4})-(\d{2})-(\d{2})#(\d{2}):(\d{2}):(\d{2}):(\d{3})$/.exec(text);
  if (m === null) {
    throw new MqError(
      ErrorCode.USAGE,
      `timestamp "${text}" is not ms, now, or yyyy-MM-dd#HH:mm:ss:SSS`,
    );
  }
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number);
  return new Date(y ?? 0, (mo ?? 1) - 1, d, h, mi, s, ms).getTime();
}

async function queryMsgByOffset(parsed: ParsedCommand): Promise<CommandOutput> {
  const consumer = new PullConsumer({
    namesrvAddr: parsed.namesrvAddr,
    groupName: 'TOOLS_CONSUMER',
  });
  await consumer.start();
  try {
    const queue = {
      topic: value(parsed, 'topic'),
      brokerName: value(parsed, 'brokerName'),
      queueId: intValue(parsed, 'queueId', 0),
    };
    const result = await consumer.pull(queue, '*', intValue(parsed, 'offset', 0), 1);
    const message = result.messages[0];
    if (message === undefined) {
      throw new MqError(
        ErrorCode.USAGE,
        `no message at ${queue.topic}/${queue.brokerName}/${queue.queueId} offset ${parsed.values['offset']} (${result.pullStatus})`,
      );
    }
    return { text: renderMessage(message), json: messageToJson(message) };
  } finally {
    await consumer.shutdown();
  }
}

/**
 * ClusterRTCommand: `amount` sends of `size` bytes to the topic named after each broker group
 * (brokerTopicEnable), one at a time, with the mean time of the successful ones.
 */
async function clusterRT(parsed: ParsedCommand, ops: AdminOps): Promise<CommandOutput> {
  const amount = intValue(parsed, 'amount', 100);
  const body = Buffer.alloc(intValue(parsed, 'size', 128), 'a');
  const only = parsed.values['clusterName'];
  const info = await ops.clusterInfo();
  const producer = new Producer({
    namesrvAddr: parsed.namesrvAddr,
    groupName: 'PID_ClusterRTTest',
  });
  await producer.start();
  const rows = [];
  try {
    for (const [clusterName, names] of Object.entries(info.clusterAddrTable)) {
      if (only !== undefined && only !== clusterName) continue;
      for (const brokerName of [...names].sort()) {
        let ok = 0;
        let totalMs = 0;
        for (let i = 0; i < amount; i++) {
          const startMs = performance.now();
          try {
            await producer.send({ topic: brokerName, body });
            totalMs += performance.now() - startMs;
            ok++;
          } catch {
            // Counted as a failure below.
          }
        }
        const rtMs = ok === 0 ? 0 : Math.round((totalMs / ok) * 1000) / 1000;
        rows.push({ clusterName, brokerName, rtMs, successCount: ok, failCount: amount - ok });
      }
    }
  } finally {
    await producer.shutdown();
  }
  const text = renderTable(
    ['#Cluster Name', '#Broker Name', '#RT (ms)', '#successCount', '#failCount'],
    rows.map((r) => [r.clusterName, r.brokerName, r.rtMs, r.successCount, r.failCount]),
  );
  return { text, json: { brokers: rows } };
}

function targetsText(
  what: string,
  targets: ReadonlyArray<{ address: string; brokerName: string }>,
): string {
  return targets.map((t) => `${what} on ${t.brokerName} (${t.address}) success.`).join('\n');
}

async function run(parsed: ParsedCommand, ops: AdminOps): Promise<CommandOutput> {
  const v = parsed.values;
  switch (parsed.command) {
    case 'deleteTopic': {
      const targets = await ops.deleteTopic(value(parsed, 'topic'), value(parsed, 'clusterName'));
      return {
        text: targetsText(`delete topic ${v['topic']}`, targets),
        json: { topic: v['topic'], brokers: targets },
      };
    }
    case 'updateSubGroup': {
      const settings = {
        groupName: value(parsed, 'groupName'),
        consumeEnable: boolValue(parsed, 'consumeEnable', true),
        consumeFromMinEnable: boolValue(parsed, 'consumeFromMinEnable', true),
        consumeBroadcastEnable: boolValue(parsed, 'consumeBroadcastEnable', true),
        retryQueueNums: intValue(parsed, 'retryQueueNums', 1),
        retryMaxTimes: intValue(parsed, 'retryMaxTimes', 16),
        brokerId: intValue(parsed, 'brokerId', 0),
        whichBrokerWhenConsumeSlowly: intValue(parsed, 'whichBrokerWhenConsumeSlowly', 1),
        notifyConsumerIdsChangedEnable: boolValue(parsed, 'notifyConsumerIdsChanged', true),
      };
      const targets = await ops.updateSubGroup(scopeOf(parsed), settings);
      return {
        text: targetsText(`update subscription group ${settings.groupName}`, targets),
        json: { ...settings, brokers: targets },
      };
    }
    case 'deleteSubGroup': {
      const groupName = value(parsed, 'groupName');
      const removeOffset = boolValue(parsed, 'removeOffset', false);
      const targets = await ops.deleteSubGroup(scopeOf(parsed), groupName, removeOffset);
      return {
        text: targetsText(`delete subscription group ${groupName}`, targets),
        json: { groupName, removeOffset, brokers: targets },
      };
    }
    case 'consumerConnection': {
      const c = await ops.consumerConnection(value(parsed, 'groupName'));
      const rows = c.connectionSet.map(
        (x, i) => [i + 1, x.clientId, x.clientAddr, x.language, x.version] as const,
      );
      const subs = Object.values(c.subscriptionTable).map((s) => [s.topic, s.subString] as const);
      const text = [
        renderTable(['#', '#ClientId', '#ClientAddr', '#Language', '#Version'], rows),
        '',
        renderTable(['#Topic', '#SubExpression'], subs),
        '',
        renderKeyValues([
          ['ConsumeType', c.consumeType],
          ['MessageModel', c.messageModel],
          ['ConsumeFromWhere', c.consumeFromWhere],
        ]),
      ].join('\n');
      return { text, json: c };
    }
    case 'producerConnection': {
      const c = await ops.producerConnection(value(parsed, 'groupName'), value(parsed, 'topic'));
      const rows = c.connectionSet.map(
        (x, i) => [i + 1, x.clientId, x.clientAddr, x.language, x.version] as const,
      );
      return {
        text: renderTable(['#', '#ClientId', '#ClientAddr', '#Language', '#Version'], rows),
        json: c,
      };
    }
    case 'resetOffsetByTime': {
      const timestamp = parseResetTime(value(parsed, 'timestamp'), Date.now());
      const rows = await ops.resetOffsetByTime(
        value(parsed, 'groupName'),
        value(parsed, 'topic'),
        timestamp,
        boolValue(parsed, 'force', true),
      );
      const text = renderTable(
        ['#brokerName', '#queueId', '#offset'],
        rows.map((r) => [r.brokerName, r.queueId, r.offset]),
      );
      return { text, json: { group: v['groupName'], topic: v['topic'], timestamp, queues: rows } };
    }
    case 'queryMsgByOffset':
      return queryMsgByOffset(parsed);
    case 'getBrokerConfig': {
      const configs = await ops.getBrokerConfig(scopeOf(parsed));
      const text = configs
        .map(
          ({ target, config }) =>
            `============${target.address}============\n${renderKeyValues(Object.entries(config).sort())}`,
        )
        .join('\n');
      return {
        text,
        json: { brokers: configs.map((c) => ({ address: c.target.address, config: c.config })) },
      };
    }
    case 'updateBrokerConfig': {
      const key = value(parsed, 'key');
      const newValue = value(parsed, 'value');
      const targets = await ops.updateBrokerConfig(scopeOf(parsed), key, newValue);
      return {
        text: targetsText(`update broker config ${key}=${newValue}`, targets),
        json: { key, value: newValue, brokers: targets },
      };
    }
    case 'wipeWritePerm':
    case 'addWritePerm': {
      const wipe = parsed.command === 'wipeWritePerm';
      const brokerName = value(parsed, 'brokerName');
      const rows = await ops.writePerm(brokerName, wipe);
      const verb = wipe ? 'wipe write perm of' : 'add write perm of';
      const text = rows
        .map(
          (r) =>
            `${verb} broker[${brokerName}] in name server[${r.namesrv}] OK, ${r.topicCount} topics`,
        )
        .join('\n');
      return { text, json: { brokerName, nameServers: rows } };
    }
    case 'clusterRT':
      return clusterRT(parsed, ops);
    case 'leadershipTransfer': {
      const brokerName = value(parsed, 'brokerName');
      const transfereeId = value(parsed, 'transfereeId');
      const waitMs = intValue(parsed, 'waitMs', 10_000);
      const moved = await ops.leadershipTransfer(brokerName, transfereeId, waitMs);
      const text =
        moved.status === 'ALREADY_LEADER'
          ? `${transfereeId} already leads ${brokerName} (${moved.from})`
          : `leadership of ${brokerName} transferred to ${transfereeId}: master ${moved.from} -> ${moved.to}`;
      return { text, json: { brokerName, transfereeId, ...moved } };
    }
    case 'haStatus': {
      const groups = await ops.haStatus();
      const dash = (n: number | null) => (n === null ? '-' : n);
      const rows = groups.map((g) => [
        g.clusterName,
        g.brokerName,
        g.master ?? '(none)',
        g.replicas.map((r) => `${r.brokerId}@${r.address}`).join(' ') || '-',
        dash(g.haConnectionCount),
        g.ha === null ? '-' : `${g.ha.epochKind} ${g.ha.epoch}`,
        g.ha === null ? '-' : g.ha.inSync.length,
        g.ha?.replicas.map((r) => `${r.id}:${r.lagBytes}B/${r.lagMs}ms`).join(' ') ||
          dash(g.slaveFallBehindBytes),
        g.ha?.lastFailover == null
          ? '-'
          : `${new Date(g.ha.lastFailover.atMs).toISOString()} (${g.ha.lastFailover.durationMs} ms)`,
      ]);
      const text = renderTable(
        [
          '#Cluster',
          '#Broker Name',
          '#Master',
          '#Replicas',
          '#Streaming',
          '#Epoch',
          '#InSync',
          '#Lag (replica:bytes/ms)',
          '#Last Failover',
        ],
        rows,
      );
      return { text, json: { groups } };
    }
    default:
      throw new TypeError(`Unknown command "${parsed.command}"`);
  }
}

export async function runOpsCommand(parsed: ParsedCommand, admin: Admin): Promise<CommandOutput> {
  if (parsed.command === 'statsAll') return runStatsAll(parsed, admin);
  const ops = new AdminOps({ namesrvAddr: parsed.namesrvAddr, requestTimeoutMs: 5000 });
  try {
    return await run(parsed, ops);
  } finally {
    await ops.close();
  }
}
