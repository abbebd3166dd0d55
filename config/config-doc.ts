// Renders docs/config.md from the schemas, so the reference never drifts from the code.
// `npm run docs:config` writes it; a unit test fails when the committed file differs.

import { brokerSchema } from './broker-schema.js';
import { controllerModeSchema } from './controller-mode-schema.js';
import {
  controllerProcessSchema,
  controllerSchema,
  controllerTuningKeys,
  unsupportedControllerKeys,
} from './controller-schema.js';
import { dledgerSchema } from './dledger-schema.js';
import { namesrvSchema } from './namesrv-schema.js';
import { RocketmqControllerTuningKeys, RocketmqKnownKeys } from './rocketmq-known-keys.js';
import type { KeySpec, Schema } from './schema.js';
import { storeSchema } from './store-schema.js';
import { unsupportedControllerModeKeys } from './unsupported-keys.js';

const intro = `# Configuration reference

Generated from \`config/*-schema.ts\` by \`npm run docs:config\`; edit the schemas, not this file.

Petrel reads the \`.properties\` files of RocketMQ 4.x: a \`broker.conf\` for \`mqbroker -c\` and a
NameServer file for \`mqnamesrv -c\` load unchanged. Key names, units and defaults are RocketMQ's
(intervals in ms, \`fileReservedTime\` in hours, ratios in percent, sizes in plain bytes).

## File format

Java \`.properties\` (\`java.util.Properties#load\`): \`#\` and \`!\` comment lines; \`=\`, \`:\` or
whitespace between key and value, with the whitespace around it dropped; a line ending in \`\\\`
continues on the next one; escapes \`\\t \\n \\r \\f \\uXXXX\`; a repeated key keeps its last value
(with a warning). Files are read as UTF-8, so comments in any language work; a file that is not
UTF-8 is read as ISO-8859-1, as Java does, with a warning.

Two Petrel extensions, each reported once per file as a warning:

- **Inline comments.** Whitespace followed by \`#\` inside a value starts a comment:
  \`brokerId=0 # 0 is the master\` means \`0\`. Java keeps the comment in the value, and RocketMQ then
  ignores the key without a word because the number does not parse. Write \`\\#\` for a literal \`#\`
  after a space.
- **Trailing whitespace** is removed from values (Java keeps it; write \`\\ \` to keep a space).

## How values are checked

- Booleans are \`true\` or \`false\` in any case; integers are plain decimal, in range; enums match
  exactly. RocketMQ reads any other boolean word as false and ignores numbers that do not parse.
- Sizes are plain byte counts, as in RocketMQ (no \`k\`/\`m\`/\`g\` suffixes: RocketMQ would ignore
  them, so the same file would mean two things).
- An empty value leaves an optional key unset.
- A key that is neither Petrel's nor RocketMQ's is an error with a "did you mean" hint
  (\`--lenient\` makes it a warning). A key RocketMQ knows that Petrel does not use is accepted,
  and all such keys are named in one warning; they are listed at the end of this page.
- \`mapedFileSizeCommitLog\` and \`mapedFileSizeConsumeQueue\` (RocketMQ up to 4.5.1) are read as
  \`mappedFileSize…\`, with a warning.
- Every problem is reported at once, as \`file:line key: reason\`, in one \`ConfigError\`
  (\`E_CONFIG_UNKNOWN_KEY\` when unknown keys are the only problems, else \`E_CONFIG_INVALID\`).

Precedence: defaults < file < command line (\`-n\` for \`namesrvAddr\`, \`--key=value\` for any key).
\`mqbroker -p\` prints every effective value with its source (default, \`file:line\`, flag, or the
rule that derived it).

## Cross-field rules (broker)

- \`brokerRole\` ASYNC_MASTER or SYNC_MASTER: \`brokerId\` is 0 (another value is replaced, with a
  warning). SLAVE: \`brokerId\` must be above 0.
- \`enableDLegerCommitLog=true\`: \`dLegerPeers\` and \`dLegerSelfId\` are required, the self id must
  be one of the peers (and so must \`preferredLeaderId\`), \`dLegerGroup\` defaults to \`brokerName\`,
  and \`brokerId\` is -1 until the Raft role decides it; \`brokerRole\` and \`brokerId\` in the file
  are ignored with a warning. Peer addresses are not checked for reachability.
- \`haListenPort\` is \`listenPort\`+1 unless set. RocketMQ always overwrites it with \`listenPort\`+1;
  Petrel keeps an explicit value.
- \`brokerIP2\` defaults to \`brokerIP1\`, \`storeHost\` to \`brokerIP1:listenPort\` (or
  \`brokerIP1:advertisedListenPort\` when that is set), \`storePathCommitLog\` to
  \`<storePathRootDir>/commitlog\`.
- \`mappedFileSizeCommitLog\` is a multiple of 4096; \`mappedFileSizeConsumeQueue\` is rounded up to
  a multiple of 20 (as RocketMQ does), with a warning; \`maxMessageSize\` fits in a CommitLog
  segment and in the append ring and tail cache.

Keys marked _Petrel_ are Petrel's own; RocketMQ does not know them.
`;

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function defaultText(spec: KeySpec<unknown>): string {
  if (spec.defaultDoc !== undefined) return spec.defaultDoc;
  if (spec.default === undefined) return 'unset';
  const text = spec.format(spec.default);
  return text === '' ? '(empty)' : `\`${text}\``;
}

/** A Markdown table with padded columns, the shape the repository's formatter writes. */
function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) =>
    Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function table(title: string, intro: string, schema: Schema): string {
  const rows = Object.entries(schema).map(([key, spec]) => {
    const name = spec.petrelOnly ? `\`${key}\` _Petrel_` : `\`${key}\``;
    const type = spec.unit === undefined ? spec.type : `${spec.type} (${spec.unit})`;
    return [name, type, defaultText(spec), spec.accepts, spec.doc].map(cell);
  });
  const header = ['Key', 'Type', 'Default', 'Accepts', 'Meaning'];
  return [`## ${title}`, '', intro, '', ...markdownTable(header, rows), ''].join('\n');
}

function withoutKeys(schema: Schema, drop: Schema): Schema {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !Object.hasOwn(drop, key)));
}

function controllerKeyNotes(): string {
  const refused = Object.entries(unsupportedControllerKeys).map(
    ([key, why]) => `- \`${key}\`: ${why}`,
  );
  return [
    'RocketMQ 5 ControllerConfig keys that change behaviour and are not implemented are refused',
    '(E_CONFIG_UNSUPPORTED, with the key and its line):',
    '',
    ...refused,
    '',
    `Tuning keys accepted with a warning and not used: ${controllerTuningKeys.map((k) => `\`${k}\``).join(', ')}.`,
    '',
  ].join('\n');
}

function ignoredKeys(): string {
  const used = new Set([
    ...Object.keys(brokerSchema),
    ...Object.keys(storeSchema),
    ...Object.keys(dledgerSchema),
    ...Object.keys(controllerModeSchema),
    ...Object.keys(namesrvSchema),
    'mapedFileSizeCommitLog',
    'mapedFileSizeConsumeQueue',
  ]);
  const lines = Object.entries(RocketmqKnownKeys).map(([owner, keys]) => {
    const unused = keys.filter((k) => !used.has(k)).map((k) => `\`${k}\``);
    return `- **${owner}** (${unused.length}): ${unused.join(', ')}`;
  });
  return [
    '## Keys RocketMQ knows that Petrel ignores',
    '',
    'Accepted in a file (named in one warning) and otherwise ignored. A key that a NameServer file',
    'sets is checked against NamesrvConfig and NettyServerConfig only, as RocketMQ does.',
    '',
    ...lines,
    '',
  ].join('\n');
}

/** The whole of docs/config.md. */
export function renderConfigDoc(): string {
  return [
    intro,
    table(
      'Broker',
      'Identity, registration, topics, the read path and master/slave HA (BrokerConfig, NettyServerConfig and the broker-side keys of MessageStoreConfig).',
      brokerSchema,
    ),
    table(
      'Store',
      "The embedded store (MessageStoreConfig); these are the fields of the engine's `StoreOptions`.",
      storeSchema,
    ),
    table(
      'DLedger',
      'Raft mode: the group elects its master (brokerId 0) and the followers register as slaves; SEND_OK once a majority holds the message (docs/ha.md, "DLedger mode").',
      dledgerSchema,
    ),
    table(
      'Controller mode (broker)',
      'A broker whose master the RocketMQ 5 controller elects (docs/controller.md, "Broker side"); brokerRole and brokerId are decided at runtime, a configured brokerId is a preference. Refused in a broker file: ' +
        Object.keys(unsupportedControllerModeKeys)
          .map((k) => `\`${k}\``)
          .join(', ') +
        `; accepted with a warning and not used: ${RocketmqControllerTuningKeys.map((k) => `\`${k}\``).join(', ')}.`,
      controllerModeSchema,
    ),
    table(
      'NameServer',
      'Keys of a NameServer file (`mqnamesrv -c`); with `enableControllerInNamesrv=true` it also reads the controller keys below.',
      withoutKeys(namesrvSchema, controllerSchema),
    ),
    table(
      'Controller',
      'RocketMQ 5 controller mode (docs/controller.md): a standalone controller (`mqcontroller -c`), or a NameServer with `enableControllerInNamesrv=true` (which ignores `listenPort` and `bindAddress` here and uses its own).',
      controllerProcessSchema,
    ),
    controllerKeyNotes(),
    ignoredKeys(),
  ].join('\n');
}
