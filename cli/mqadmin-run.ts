// Runs one parsed mqadmin command against an Admin client and returns both output forms, and
// turns any error into the one line mqadmin prints (the address and the code it failed with).

import type { Admin } from '../client/admin.js';
import type { MessageExt } from '../client/message.js';
import { messageToJson } from '../client/message-json.js';
import { Producer } from '../client/producer.js';
import { PullConsumer } from '../client/pull-consumer.js';
import { ErrorCode, MqError } from '../common/errors.js';
import { responseCodeName } from '../protocol/response-code.js';
import { boolValue, intValue, type ParsedCommand } from './mqadmin-args.js';
import {
  renderClusterList,
  renderConsumerProgress,
  renderKeyValues,
  renderMessage,
  renderMessageList,
  renderTable,
  renderTopicRoute,
  renderTopicStatus,
} from './mqadmin-render.js';
import { queryMsgTraceById } from './mqadmin-trace.js';
import { toolsCredentials } from './tools-credentials.js';

export interface CommandOutput {
  text: string;
  json: unknown;
}

function required(parsed: ParsedCommand, long: string): string {
  const value = parsed.values[long];
  if (value === undefined) throw new TypeError(`--${long} is required`);
  return value;
}

async function updateTopic(parsed: ParsedCommand, admin: Admin): Promise<CommandOutput> {
  const topic = required(parsed, 'topic');
  const options = {
    topic,
    readQueueNums: intValue(parsed, 'readQueueNums', 8),
    writeQueueNums: intValue(parsed, 'writeQueueNums', 8),
    perm: intValue(parsed, 'perm', 6),
    order: boolValue(parsed, 'order', false),
    ...(parsed.values['clusterName'] === undefined
      ? {}
      : { clusterName: parsed.values['clusterName'] }),
    ...(parsed.values['brokerAddr'] === undefined
      ? {}
      : { brokerAddr: parsed.values['brokerAddr'] }),
  };
  const targets = await admin.createTopic(options);
  return {
    text: targets
      .map((t) => `create topic ${topic} on ${t.brokerName} (${t.address}) success.`)
      .join('\n'),
    json: { ...options, brokers: targets },
  };
}

async function sendMessage(parsed: ParsedCommand): Promise<CommandOutput> {
  const producer = new Producer({
    namesrvAddr: parsed.namesrvAddr,
    groupName: 'TOOLS_PRODUCER',
    ...toolsCredentials(process.env),
  });
  await producer.start();
  try {
    const keys = parsed.values['keys'];
    const tags = parsed.values['tags'];
    const result = await producer.send({
      topic: required(parsed, 'topic'),
      body: required(parsed, 'body'),
      ...(keys === undefined ? {} : { keys: keys.split(' ') }),
      ...(tags === undefined ? {} : { tags }),
    });
    const text = renderTable(
      ['#Broker Name', '#QID', '#Send Result', '#MsgId', '#Offset MsgId'],
      [
        [
          result.messageQueue.brokerName,
          result.messageQueue.queueId,
          result.sendStatus,
          result.msgId,
          result.offsetMsgId,
        ],
      ],
    );
    return { text, json: result };
  } finally {
    await producer.shutdown();
  }
}

async function consumeMessage(parsed: ParsedCommand): Promise<CommandOutput> {
  const topic = required(parsed, 'topic');
  const count = intValue(parsed, 'count', 32);
  const start = parsed.values['offset'] === undefined ? null : intValue(parsed, 'offset', 0);
  const consumer = new PullConsumer({
    namesrvAddr: parsed.namesrvAddr,
    groupName: parsed.values['groupName'] ?? 'TOOLS_CONSUMER',
    ...toolsCredentials(process.env),
  });
  await consumer.start();
  try {
    const messages: MessageExt[] = [];
    for (const queue of await consumer.fetchSubscribeMessageQueues(topic)) {
      let offset = start ?? (await consumer.minOffset(queue));
      while (messages.length < count) {
        const result = await consumer.pull(
          queue,
          '*',
          offset,
          Math.min(32, count - messages.length),
        );
        messages.push(...result.messages);
        if (result.pullStatus !== 'FOUND' || result.nextBeginOffset <= offset) break;
        offset = result.nextBeginOffset;
      }
    }
    return {
      text: renderMessageList(messages, true),
      json: { messages: messages.map(messageToJson) },
    };
  } finally {
    await consumer.shutdown();
  }
}

export async function runCommand(parsed: ParsedCommand, admin: Admin): Promise<CommandOutput> {
  const v = parsed.values;
  switch (parsed.command) {
    case 'updateTopic':
      return updateTopic(parsed, admin);
    case 'topicList': {
      const topicList = await admin.topicList();
      return { text: topicList.join('\n'), json: { topicList } };
    }
    case 'topicRoute': {
      const route = await admin.topicRoute(required(parsed, 'topic'));
      return { text: renderTopicRoute(route), json: route };
    }
    case 'topicStatus': {
      const rows = await admin.topicStatus(required(parsed, 'topic'));
      return { text: renderTopicStatus(rows), json: { queues: rows } };
    }
    case 'clusterList': {
      const brokers = await admin.clusterList();
      return { text: renderClusterList(brokers), json: { brokers } };
    }
    case 'consumerProgress': {
      const progress = await admin.consumerProgress(required(parsed, 'groupName'), v['topic']);
      return { text: renderConsumerProgress(progress), json: progress };
    }
    case 'queryMsgById': {
      const message = await admin.queryMsgById(required(parsed, 'msgId'), v['topic']);
      return { text: renderMessage(message), json: messageToJson(message) };
    }
    case 'queryMsgByKey': {
      const messages = await admin.queryMsgByKey(
        required(parsed, 'topic'),
        required(parsed, 'msgKey'),
      );
      return { text: renderMessageList(messages), json: { messages: messages.map(messageToJson) } };
    }
    case 'queryMsgTraceById':
      return queryMsgTraceById(admin, required(parsed, 'msgId'), v['traceTopic']);
    case 'sendMessage':
      return sendMessage(parsed);
    case 'consumeMessage':
      return consumeMessage(parsed);
    case 'brokerStatus': {
      const table = await admin.brokerStatus(required(parsed, 'brokerAddr'));
      const entries = Object.keys(table)
        .sort()
        .map((k) => [k, table[k] ?? ''] as const);
      return { text: renderKeyValues(entries), json: table };
    }
    default:
      throw new TypeError(`Unknown command "${parsed.command}"`);
  }
}

/** One line: what failed, where (broker or NameServer address), and the code. */
export function describeError(command: string, error: unknown): string {
  if (error instanceof MqError && error.code === ErrorCode.USAGE) {
    return `mqadmin: ${error.message} (code ${error.code})`;
  }
  if (error instanceof MqError) {
    const parts = [`code ${error.code}`];
    const responseCode = error.details['responseCode'];
    if (typeof responseCode === 'number') parts.push(`response ${responseCodeName(responseCode)}`);
    const address = error.details['address'];
    if (typeof address === 'string' && !error.message.includes(address))
      parts.push(`at ${address}`);
    return `mqadmin ${command}: ${error.message} (${parts.join(', ')})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `mqadmin ${command}: ${message}`;
}
