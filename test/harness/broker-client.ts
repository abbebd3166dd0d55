// A thin raw-protocol client for tests: the RocketMQ requests a producer, a consumer or an admin
// tool sends, built by hand from protocol/, so tests see exactly the codes and headers a broker or
// NameServer answers.

import { type DecodedMessage, decodeRecord } from '../../common/message-codec.js';
import {
  createRequest,
  decodeKvTable,
  type ExtFieldInput,
  encodeHeartbeatData,
  encodeProperties,
  parseTagExpression,
  RemotingClient,
  type RemotingCommand,
  RequestCode,
} from '../../protocol/index.js';

export interface SendOptions {
  tags?: string;
  keys?: string;
  queueId?: number;
  properties?: Record<string, string>;
  producerGroup?: string;
  /** SEND_MESSAGE (long header names) instead of SEND_MESSAGE_V2. */
  v1?: boolean;
  reconsumeTimes?: number;
  maxReconsumeTimes?: number;
}

export interface PullOptions {
  group: string;
  topic: string;
  queueId: number;
  offset: number;
  maxMsgNums?: number;
  /** Long-poll hold; 0 = no suspend flag. */
  suspendMs?: number;
  subscription?: string;
  commitOffset?: number;
}

export interface PullOutcome {
  code: number;
  remark: string | null;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  suggestWhichBrokerId: number;
  messages: DecodedMessage[];
}

/** Decodes a pull or query body: stored records one after the other. */
export function decodeRecords(body: Buffer | null): DecodedMessage[] {
  const out: DecodedMessage[] = [];
  if (body === null) return out;
  for (let pos = 0; pos < body.length; pos += body.readInt32BE(pos))
    out.push(decodeRecord(body, pos));
  return out;
}

export class TestClient {
  readonly remoting: RemotingClient;

  constructor(address: string) {
    this.remoting = new RemotingClient({ address });
  }

  invoke(
    code: number,
    ext: Readonly<Record<string, ExtFieldInput>> = {},
    body: Buffer | null = null,
    timeoutMs = 10_000,
  ): Promise<RemotingCommand> {
    return this.remoting.invoke(createRequest(code, ext, body), timeoutMs);
  }

  send(topic: string, body: string | Buffer, o: SendOptions = {}): Promise<RemotingCommand> {
    const properties: Record<string, string> = { ...o.properties };
    if (o.tags !== undefined) properties['TAGS'] = o.tags;
    if (o.keys !== undefined) properties['KEYS'] = o.keys;
    const header = {
      producerGroup: o.producerGroup ?? 'PG',
      topic,
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: o.queueId ?? 0,
      sysFlag: 0,
      bornTimestamp: Date.now(),
      flag: 0,
      properties: encodeProperties(properties),
      reconsumeTimes: o.reconsumeTimes ?? 0,
      maxReconsumeTimes: o.maxReconsumeTimes,
    };
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    if (o.v1 === true) return this.invoke(RequestCode.SEND_MESSAGE, header, bytes);
    const v2 = {
      a: header.producerGroup,
      b: header.topic,
      c: header.defaultTopic,
      d: header.defaultTopicQueueNums,
      e: header.queueId,
      f: header.sysFlag,
      g: header.bornTimestamp,
      h: header.flag,
      i: header.properties,
      j: header.reconsumeTimes,
      l: header.maxReconsumeTimes,
    };
    return this.invoke(RequestCode.SEND_MESSAGE_V2, v2, bytes);
  }

  async pull(o: PullOptions): Promise<PullOutcome> {
    const suspend = (o.suspendMs ?? 0) > 0;
    const commit = o.commitOffset !== undefined;
    const sysFlag = (commit ? 1 : 0) | (suspend ? 2 : 0) | 4;
    const response = await this.invoke(
      RequestCode.PULL_MESSAGE,
      {
        consumerGroup: o.group,
        topic: o.topic,
        queueId: o.queueId,
        queueOffset: o.offset,
        maxMsgNums: o.maxMsgNums ?? 32,
        sysFlag,
        commitOffset: o.commitOffset ?? 0,
        suspendTimeoutMillis: o.suspendMs ?? 0,
        subscription: o.subscription ?? '*',
        subVersion: Date.now(),
      },
      null,
      (o.suspendMs ?? 0) + 10_000,
    );
    const f = response.extFields;
    return {
      code: response.code,
      remark: response.remark,
      nextBeginOffset: Number(f['nextBeginOffset']),
      minOffset: Number(f['minOffset']),
      maxOffset: Number(f['maxOffset']),
      suggestWhichBrokerId: Number(f['suggestWhichBrokerId']),
      messages: response.code === 0 ? decodeRecords(response.body) : [],
    };
  }

  /** A consumer heartbeat for `group` subscribed to `topic` with a TAG expression. */
  heartbeat(
    clientId: string,
    group: string,
    topic: string,
    expression = '*',
  ): Promise<RemotingCommand> {
    const tags = parseTagExpression(expression);
    const body = encodeHeartbeatData({
      clientID: clientId,
      producerDataSet: [],
      consumerDataSet: [
        {
          groupName: group,
          consumeType: 'CONSUME_PASSIVELY',
          messageModel: 'CLUSTERING',
          consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
          unitMode: false,
          subscriptionDataSet: [
            {
              topic,
              subString: tags.subString,
              tagsSet: tags.tagsSet,
              codeSet: tags.codeSet,
              subVersion: Date.now(),
              classFilterMode: false,
              expressionType: 'TAG',
            },
          ],
        },
      ],
    });
    return this.invoke(RequestCode.HEART_BEAT, {}, body);
  }

  /** A figure of GET_BROKER_RUNTIME_INFO, e.g. commitLogMaxOffset. */
  async runtimeFigure(key: string): Promise<number> {
    const response = await this.invoke(RequestCode.GET_BROKER_RUNTIME_INFO);
    return Number(decodeKvTable(response.body).table[key]);
  }

  close(): Promise<void> {
    return this.remoting.close();
  }
}
