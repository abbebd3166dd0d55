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

/** One entry as RocketMQ's encoder writes it (with its field terminator). */
export function encodeTraceEntry(e: TraceEntry): string {
  switch (e.type) {
    case 'Pub':
      return (
        [
          e.type,
          e.timestamp,
          e.regionId,
          e.groupName,
          e.topic,
          e.msgId,
          e.tags,
          e.keys,
          e.storeHost,
          e.bodyLength,
          e.costTimeMs,
          e.msgType,
          e.offsetMsgId,
          e.success,
        ].join(J) + TRACE_FIELD_SPLITTER
      );
    case 'SubBefore':
      return (
        [
          e.type,
          e.timestamp,
          e.regionId,
          e.groupName,
          e.requestId,
          e.msgId,
          e.retryTimes,
          e.keys,
        ].join(J) + TRACE_FIELD_SPLITTER
      );
    case 'SubAfter':
      return `${[
        e.type,
        e.requestId,
        e.msgId,
        e.costTimeMs,
        e.success,
        e.keys,
        e.contextCode,
        e.timestamp,
        e.groupName,
      ].join(J)}${TRACE_FIELD_SPLITTER}`;
    case 'EndTransaction':
      return (
        [
          e.type,
          e.timestamp,
          e.regionId,
          e.groupName,
          e.topic,
          e.msgId,
          e.tags,
          e.keys,
          e.storeHost,
          e.msgType,
          e.requestId,
          e.success ? 'COMMIT_MESSAGE' : 'ROLLBACK_MESSAGE',
          false,
        ].join(J) + TRACE_FIELD_SPLITTER
      );
  }
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

/** Decodes a trace message body; unknown entry types are skipped, as RocketMQ does. */
export function decodeTraceEntries(text: string): TraceEntry[] {
  const out: TraceEntry[] = [];
  for (const context of text.split(TRACE_FIELD_SPLITTER)) {
    const f = context.split(J);
    const n = (i: number) => Number(f[i] ?? 0);
    const s = (i: number) => f[i] ?? '';
    if (f[0] === 'Pub') {
      out.push({
        ...blank('Pub'),
        timestamp: n(1),
        regionId: s(2),
        groupName: s(3),
        topic: s(4),
        msgId: s(5),
        tags: s(6),
        keys: s(7),
        storeHost: s(8),
        bodyLength: n(9),
        costTimeMs: n(10),
        msgType: n(11),
        ...(f.length >= 14
          ? { offsetMsgId: s(12), success: s(13) === 'true' }
          : { success: s(12) === 'true' }),
      });
    } else if (f[0] === 'SubBefore') {
      out.push({
        ...blank('SubBefore'),
        timestamp: n(1),
        regionId: s(2),
        groupName: s(3),
        requestId: s(4),
        msgId: s(5),
        retryTimes: n(6),
        keys: s(7),
      });
    } else if (f[0] === 'SubAfter') {
      out.push({
        ...blank('SubAfter'),
        requestId: s(1),
        msgId: s(2),
        costTimeMs: n(3),
        success: s(4) === 'true',
        keys: s(5),
        contextCode: n(6),
        timestamp: n(7),
        groupName: s(8),
      });
    } else if (f[0] === 'EndTransaction') {
      out.push({
        ...blank('EndTransaction'),
        timestamp: n(1),
        regionId: s(2),
        groupName: s(3),
        topic: s(4),
        msgId: s(5),
        tags: s(6),
        keys: s(7),
        storeHost: s(8),
        msgType: n(9),
        requestId: s(10),
        success: s(11) === 'COMMIT_MESSAGE',
      });
    }
  }
  return out;
}
