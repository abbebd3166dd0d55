// mqadmin's command line: the subcommands, their options (RocketMQ's short letters, with long
// names too), and a small strict parser. Pure: argv and environment in, a parsed command or a
// usage error out.
//
// RocketMQ: tools/.../command/MQAdminStartup.java and the SubCommand classes (-n namesrvAddr,
// -t topic, -c clusterName, -b brokerAddr, -r/-w queue nums, -p perm, -o order, -g group,
// -i msgId, -k msgKey). The NameServer also comes from NAMESRV_ADDR, as in RocketMQ.

import { ErrorCode, MqError } from '../common/errors.js';
import { CONTROLLER_COMMANDS } from './mqadmin-controller-commands.js';
import { OPS_COMMANDS } from './mqadmin-ops-commands.js';

export interface OptionSpec {
  short: string;
  long: string;
  description: string;
  /** Takes no value (e.g. --json). */
  isFlag?: boolean;
  isRequired?: boolean;
}

export interface CommandSpec {
  name: string;
  description: string;
  options: readonly OptionSpec[];
  /** Talks to something other than the NameServer (e.g. a controller): -n is not required. */
  isNamesrvOptional?: boolean;
}

export const namesrv: OptionSpec = {
  short: 'n',
  long: 'namesrvAddr',
  description: 'NameServer addresses, "host:port;host:port" (or NAMESRV_ADDR)',
};
export const json: OptionSpec = {
  short: 'j',
  long: 'json',
  description: 'print JSON for scripts',
  isFlag: true,
};
const topic = (isRequired: boolean): OptionSpec => ({
  short: 't',
  long: 'topic',
  description: 'topic name',
  isRequired,
});

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'updateTopic',
    description: 'Create or update a topic on every master of a cluster, or on one broker',
    options: [
      namesrv,
      json,
      topic(true),
      { short: 'c', long: 'clusterName', description: 'create on every master of this cluster' },
      { short: 'b', long: 'brokerAddr', description: 'create on this broker only' },
      { short: 'r', long: 'readQueueNums', description: 'read queues (default 8)' },
      { short: 'w', long: 'writeQueueNums', description: 'write queues (default 8)' },
      { short: 'p', long: 'perm', description: 'permission bits, 2 W, 4 R, 6 RW (default 6)' },
      { short: 'o', long: 'order', description: 'ordered topic: true or false (default false)' },
    ],
  },
  {
    name: 'topicList',
    description: 'List every topic the NameServer knows',
    options: [namesrv, json],
  },
  {
    name: 'topicRoute',
    description: 'Show the brokers and queues serving a topic',
    options: [namesrv, json, topic(true)],
  },
  {
    name: 'topicStatus',
    description: 'Show the min and max offset of every queue of a topic',
    options: [namesrv, json, topic(true)],
  },
  {
    name: 'clusterList',
    description: 'List the brokers of every cluster with their runtime figures',
    options: [namesrv, json],
  },
  {
    name: 'consumerProgress',
    description: "Show a consumer group's offsets and lag per queue",
    options: [
      namesrv,
      json,
      { short: 'g', long: 'groupName', description: 'consumer group', isRequired: true },
      topic(false),
    ],
  },
  {
    name: 'queryMsgById',
    description: 'Show a message by its offset message id (or unique id, with -t)',
    options: [
      namesrv,
      json,
      { short: 'i', long: 'msgId', description: 'message id', isRequired: true },
      topic(false),
    ],
  },
  {
    name: 'queryMsgByKey',
    description: 'List the messages of a topic carrying a key',
    options: [
      namesrv,
      json,
      topic(true),
      { short: 'k', long: 'msgKey', description: 'message key', isRequired: true },
    ],
  },
  {
    name: 'queryMsgTraceById',
    description: 'Show the trace of a message (send and consumptions) from the trace topic',
    options: [
      namesrv,
      json,
      { short: 'i', long: 'msgId', description: 'message id', isRequired: true },
      { short: 't', long: 'traceTopic', description: 'trace topic (default RMQ_SYS_TRACE_TOPIC)' },
    ],
  },
  {
    name: 'sendMessage',
    description: 'Send one message (the topic is created from TBW102 if the broker allows it)',
    options: [
      namesrv,
      json,
      topic(true),
      { short: 'p', long: 'body', description: 'message body (UTF-8)', isRequired: true },
      { short: 'k', long: 'keys', description: 'message keys, space separated' },
      { short: 'c', long: 'tags', description: 'message tag' },
    ],
  },
  {
    name: 'consumeMessage',
    description: 'Print messages of a topic from each queue (reads only: commits nothing)',
    options: [
      namesrv,
      json,
      topic(true),
      { short: 'o', long: 'offset', description: 'queue offset to start at (default: the first)' },
      { short: 'c', long: 'count', description: 'most messages to print (default 32)' },
      { short: 'g', long: 'groupName', description: 'consumer group (default TOOLS_CONSUMER)' },
    ],
  },
  {
    name: 'brokerStatus',
    description: "Show a broker's runtime status",
    options: [
      namesrv,
      json,
      { short: 'b', long: 'brokerAddr', description: 'broker address', isRequired: true },
    ],
  },
];

/** Every command: the original ones and the day-to-day ones, each with -n and --json. */
export const ALL_COMMANDS: readonly CommandSpec[] = [
  ...COMMANDS,
  ...OPS_COMMANDS.map((c) => ({ ...c, options: [namesrv, json, ...c.options] })),
  ...CONTROLLER_COMMANDS.map((c) => ({ ...c, options: [namesrv, json, ...c.options] })),
];

export interface ParsedCommand {
  command: string;
  /** Values by long option name. */
  values: Record<string, string>;
  isJson: boolean;
  namesrvAddr: string;
}

export type ParseOutcome =
  | { kind: 'help'; text: string }
  | { kind: 'command'; parsed: ParsedCommand };

function usageError(message: string): MqError {
  return new MqError(ErrorCode.USAGE, message);
}

export function helpText(command?: CommandSpec): string {
  if (command === undefined) {
    const width = Math.max(...ALL_COMMANDS.map((c) => c.name.length));
    const lines = ALL_COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.description}`);
    return `usage: mqadmin <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nmqadmin <command> -h for its options\n`;
  }
  const lines = command.options.map((o) => {
    const name = `-${o.short}, --${o.long}${o.isFlag === true ? '' : ' <value>'}`;
    return `  ${name.padEnd(30)} ${o.description}${o.isRequired === true ? ' (required)' : ''}`;
  });
  return `usage: mqadmin ${command.name} [options]\n\n${command.description}\n\noptions:\n${lines.join('\n')}\n`;
}

function findOption(spec: CommandSpec, arg: string): OptionSpec | undefined {
  if (arg.startsWith('--')) return spec.options.find((o) => o.long === arg.slice(2));
  return spec.options.find((o) => o.short === arg.slice(1));
}

/**
 * Parses `argv` (without node and the script). Accepts "-t T", "--topic T" and "--topic=T".
 * @throws MqError E_USAGE naming the unknown command or option, or the missing value.
 */
export function parseMqadminArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParseOutcome {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    return { kind: 'help', text: helpText() };
  }
  const spec = ALL_COMMANDS.find((c) => c.name === name);
  if (spec === undefined) throw usageError(`Unknown command "${name}"; mqadmin -h lists them`);
  const values: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const raw = rest[i] ?? '';
    if (raw === '-h' || raw === '--help') return { kind: 'help', text: helpText(spec) };
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const arg = eq > 0 ? raw.slice(0, eq) : raw;
    const option = arg.startsWith('-') ? findOption(spec, arg) : undefined;
    if (option === undefined) throw usageError(`${name}: unknown option "${raw}"`);
    if (option.isFlag === true) {
      values[option.long] = 'true';
      continue;
    }
    const value = eq > 0 ? raw.slice(eq + 1) : rest[++i];
    if (value === undefined || (eq < 0 && value.startsWith('-') && value.length > 1)) {
      throw usageError(`${name}: option -${option.short}/--${option.long} needs a value`);
    }
    values[option.long] = value;
  }
  for (const option of spec.options) {
    if (option.isRequired === true && values[option.long] === undefined) {
      throw usageError(`${name}: option -${option.short}/--${option.long} is required`);
    }
  }
  const namesrvAddr = values['namesrvAddr'] ?? env['NAMESRV_ADDR'] ?? '';
  if (namesrvAddr === '' && spec.isNamesrvOptional !== true) {
    throw usageError(`${name}: give the NameServer with -n host:port or NAMESRV_ADDR`);
  }
  return {
    kind: 'command',
    parsed: { command: name, values, isJson: values['json'] === 'true', namesrvAddr },
  };
}

/** An integer option value, or E_USAGE. */
export function intValue(parsed: ParsedCommand, long: string, fallback: number): number {
  const text = parsed.values[long];
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text))
    throw usageError(`${parsed.command}: --${long} "${text}" is not an integer`);
  return Number(text);
}

/** A true/false option value, or E_USAGE. */
export function boolValue(parsed: ParsedCommand, long: string, fallback: boolean): boolean {
  const text = parsed.values[long];
  if (text === undefined) return fallback;
  if (text !== 'true' && text !== 'false') {
    throw usageError(`${parsed.command}: --${long} "${text}" is not true or false`);
  }
  return text === 'true';
}
