// Message traces as RocketMQ 4.x clients write them to RMQ_SYS_TRACE_TOPIC: one trace message holds
// several trace contexts, each its fields joined by U+0001 and ended by U+0002; its KEYS are the
// message ids (and business keys) it traces, so a trace is found with a key query on the trace
// topic. Types: Pub (a send), SubBefore / SubAfter (a consumption), EndTransaction.
//
// RocketMQ: client/.../trace/TraceDataEncoder.java (encoderFromContextBean,
// decoderFromTraceDataString), TraceConstants.java, TraceContext.java, TraceBean.java,
// common/.../protocol/... MessageType (Normal_Msg 0, Trans_Msg_Half 1, Trans_msg_Commit 2,
// Delay_Msg 3).

export const TRACE_CONTENT_SPLITTER = '\u0001';
export const TRACE_FIELD_SPLITTER = '\u0002';
export const DEFAULT_TRACE_TOPIC = 'RMQ_SYS_TRACE_TOPIC';

export const TraceType = {
  Pub: 'Pub',
  SubBefore: 'SubBefore',
  SubAfter: 'SubAfter',
  EndTransaction: 'EndTransaction',
} as const;
export type TraceType = (typeof TraceType)[keyof typeof TraceType];

export const TraceMessageType = { NORMAL: 0, TRANS_HALF: 1, TRANS_COMMIT: 2, DELAY: 3 } as const;

export interface TraceEntry {
  type: TraceType;
  timestamp: number;
  regionId: string;
  groupName: string;
  /** Consumptions: one id for the SubBefore and SubAfter of one listener call. */
  requestId: string;
  costTimeMs: number;
  success: boolean;
  /** SubAfter: 0 success, 1 time out, 2 exception, 3 returned null, 4 failed. */
  contextCode: number;
  topic: string;
  msgId: string;
  offsetMsgId: string;
  tags: string;
  keys: string;
  storeHost: string;
  bodyLength: number;
  msgType: number;
  retryTimes: number;
}

const J = TRACE_CONTENT_SPLITTER;

/** EndTransaction's fields beyond TraceEntry: the state (from `success`) and a constant flag. */
type Field = keyof TraceEntry | 'transactionState' | 'fromTransactionCheck';

/** The fields Pub and EndTransaction entries start with. */
const MESSAGE_FIELDS: readonly Field[] = [
  'type',
  'timestamp',
  'regionId',
  'groupName',
  'topic',
  'msgId',
  'tags',
  'keys',
  'storeHost',
];

/** The fields of each entry type, in the order RocketMQ's encoder writes them. */
const LAYOUT: Readonly<Record<TraceType, readonly Field[]>> = {
  Pub: [...MESSAGE_FIELDS, 'bodyLength', 'costTimeMs', 'msgType', 'offsetMsgId', 'success'],
  SubBefore: [
    'type',
    'timestamp',
    'regionId',
    'groupName',
    'requestId',
    'msgId',
    'retryTimes',
    'keys',
  ],
  SubAfter: [
    'type',
    'requestId',
    'msgId',
    'costTimeMs',
    'success',
    'keys',
    'contextCode',
    'timestamp',
    'groupName',
  ],
  EndTransaction: [
    ...MESSAGE_FIELDS,
    'msgType',
    'requestId',
    'transactionState',
    'fromTransactionCheck',
  ],
};

/** Pub entries of clients before 4.4 have no offsetMsgId field (13 fields). */
const OLD_PUB_LAYOUT = LAYOUT.Pub.filter((f) => f !== 'offsetMsgId');

function encodeField(e: TraceEntry, field: Field): string {
  if (field === 'transactionState') return e.success ? 'COMMIT_MESSAGE' : 'ROLLBACK_MESSAGE';
  if (field === 'fromTransactionCheck') return 'false';
  return String(e[field]);
}

/** One entry as RocketMQ's encoder writes it (with its field terminator). */
export function encodeTraceEntry(e: TraceEntry): string {
  return LAYOUT[e.type].map((field) => encodeField(e, field)).join(J) + TRACE_FIELD_SPLITTER;
}

function blank(type: TraceType): TraceEntry {
  return {
    type,
    timestamp: 0,
    regionId: '',
    groupName: '',
    requestId: '',
    costTimeMs: 0,
    success: false,
    contextCode: 0,
    topic: '',
    msgId: '',
    offsetMsgId: '',
    tags: '',
    keys: '',
    storeHost: '',
    bodyLength: 0,
    msgType: 0,
    retryTimes: 0,
  };
}

function isTraceType(text: string | undefined): text is TraceType {
  return text !== undefined && Object.hasOwn(LAYOUT, text);
}

/** Reads `texts` into an entry of `type` by its layout; a missing field keeps its blank value. */
function decodeEntry(type: TraceType, texts: readonly string[]): TraceEntry {
  const entry: Record<string, unknown> = { ...blank(type) };
  const layout = type === 'Pub' && texts.length < 14 ? OLD_PUB_LAYOUT : LAYOUT[type];
  layout.forEach((field, i) => {
    const text = texts[i];
    if (text === undefined || field === 'type' || field === 'fromTransactionCheck') return;
    if (field === 'transactionState') entry['success'] = text === 'COMMIT_MESSAGE';
    else if (typeof entry[field] === 'number') entry[field] = Number(text);
    else if (typeof entry[field] === 'boolean') entry[field] = text === 'true';
    else entry[field] = text;
  });
  return entry as unknown as TraceEntry;
}

/** Decodes a trace message body; unknown entry types are skipped, as RocketMQ does. */
export function decodeTraceEntries(text: string): TraceEntry[] {
  const out: TraceEntry[] = [];
  for (const context of text.split(TRACE_FIELD_SPLITTER)) {
    const texts = context.split(J);
    if (isTraceType(texts[0])) out.push(decodeEntry(texts[0], texts));
  }
  return out;
}
