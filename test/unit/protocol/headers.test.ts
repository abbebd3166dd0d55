// Goal: typed headers encode as Java does and refuse what Java cannot parse, with an error the
// server can answer. Method: ali-ons-shaped extFields (numbers already stringified by the
// command decoder), Java-shaped ones, and one bad field at a time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, MqError } from '../../../common/errors.js';
import {
  CreateTopicRequestHeader,
  createHeaderErrorResponse,
  decodeSendMessageHeader,
  HeaderProblem,
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  parseJavaInteger,
  RegisterBrokerRequestHeader,
  SendMessageRequestHeader,
  SendMessageRequestHeaderV2,
  sendHeaderV1ToV2,
  sendHeaderV2ToV1,
} from '../../../protocol/headers/index.js';
import { createExtFields, createRequest } from '../../../protocol/remoting-command.js';
import { ResponseCode } from '../../../protocol/response-code.js';

const aliOnsSend = createExtFields({
  a: 'PG',
  b: 'TopicTest',
  c: 'TBW102',
  d: 4,
  e: 2,
  f: 0,
  g: 1700000000123,
  h: 0,
  i: 'TAGS\u0001TagA\u0002',
  j: 0,
  k: false,
});

describe('typed headers', () => {
  it('decode the SEND_MESSAGE_V2 fields ali-ons sends and convert them to the long form', () => {
    const result = decodeSendMessageHeader(310, aliOnsSend);
    assert.ok(result.ok);
    assert.deepEqual(result.header, {
      producerGroup: 'PG',
      topic: 'TopicTest',
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 2,
      sysFlag: 0,
      bornTimestamp: 1700000000123,
      flag: 0,
      properties: 'TAGS\u0001TagA\u0002',
      reconsumeTimes: 0,
      unitMode: false,
    });
    assert.deepEqual(
      sendHeaderV1ToV2(result.header),
      SendMessageRequestHeaderV2.decodeOrThrow(aliOnsSend),
    );
    assert.deepEqual(sendHeaderV2ToV1(sendHeaderV1ToV2(result.header)), result.header);
  });

  it('decode SEND_MESSAGE with long names', () => {
    const fields = SendMessageRequestHeader.encode({
      producerGroup: 'PG',
      topic: 'T',
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: -1,
      sysFlag: 4,
      bornTimestamp: 5,
      flag: 1,
      batch: true,
    });
    assert.deepEqual(
      { ...fields },
      {
        producerGroup: 'PG',
        topic: 'T',
        defaultTopic: 'TBW102',
        defaultTopicQueueNums: '4',
        queueId: '-1',
        sysFlag: '4',
        bornTimestamp: '5',
        flag: '1',
        batch: 'true',
      },
    );
    const decoded = decodeSendMessageHeader(10, fields);
    assert.ok(decoded.ok);
    assert.equal(decoded.header.batch, true);
    assert.equal(decoded.header.properties, undefined);
  });

  it('refuse a mistyped or missing field with the field named', () => {
    const mistyped = createExtFields({ ...aliOnsSend, e: 'abc' });
    const result = SendMessageRequestHeaderV2.decode(mistyped);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.field, 'e');
      assert.equal(result.error.problem, HeaderProblem.NOT_INTEGER);
      assert.equal(result.error.value, 'abc');
      const response = createHeaderErrorResponse(
        { ...createRequest(310), opaque: 5 },
        result.error,
        ResponseCode.MESSAGE_ILLEGAL,
      );
      assert.equal(response.code, ResponseCode.MESSAGE_ILLEGAL);
      assert.equal(response.opaque, 5);
      assert.match(response.remark ?? '', /"e"/);
    }
    const missing = createExtFields({ ...aliOnsSend, b: undefined });
    const noTopic = SendMessageRequestHeaderV2.decode(missing);
    assert.equal(!noTopic.ok && noTopic.error.problem, HeaderProblem.MISSING);
    const huge = PullMessageRequestHeader.decode(
      createExtFields({
        consumerGroup: 'g',
        topic: 't',
        queueId: '99999999999',
        queueOffset: 0,
        maxMsgNums: 32,
        sysFlag: 2,
        commitOffset: 0,
        suspendTimeoutMillis: 15000,
        subVersion: 1,
      }),
    );
    assert.equal(!huge.ok && huge.error.problem, HeaderProblem.OUT_OF_RANGE);
  });

  it('parse integers and booleans as Java does', () => {
    assert.equal(parseJavaInteger('+12', 'int'), 12);
    assert.equal(parseJavaInteger('-0', 'int'), -0);
    assert.equal(parseJavaInteger('007', 'long'), 7);
    assert.equal(parseJavaInteger('2147483648', 'int'), HeaderProblem.OUT_OF_RANGE);
    assert.equal(parseJavaInteger('9007199254740992', 'long'), HeaderProblem.OUT_OF_RANGE);
    assert.equal(parseJavaInteger('1.0', 'int'), HeaderProblem.NOT_INTEGER);
    assert.equal(parseJavaInteger(' 1', 'int'), HeaderProblem.NOT_INTEGER);
    assert.equal(parseJavaInteger('', 'int'), HeaderProblem.NOT_INTEGER);
    const create = (order: string) =>
      CreateTopicRequestHeader.decodeOrThrow(
        createExtFields({
          topic: 't',
          defaultTopic: 'TBW102',
          readQueueNums: 8,
          writeQueueNums: 8,
          perm: 6,
          topicFilterType: 'SINGLE_TAG',
          order,
        }),
      );
    assert.equal(create('TRUE').order, true);
    assert.equal(create('false').order, false);
    assert.equal(create('yes').order, false, 'Boolean.parseBoolean: anything but "true" is false');
  });

  it('decodeOrThrow throws E_FRAME_MALFORMED for a broken response header', () => {
    assert.throws(
      () =>
        PullMessageResponseHeader.decodeOrThrow(
          createExtFields({ nextBeginOffset: 1, minOffset: 0, maxOffset: 2 }),
        ),
      (error: unknown) => error instanceof MqError && error.code === ErrorCode.FRAME_MALFORMED,
    );
  });

  it('encode only defined fields and assert types', () => {
    const fields = RegisterBrokerRequestHeader.encode({
      brokerName: 'broker-a',
      brokerAddr: '10.0.0.1:10911',
      clusterName: 'DefaultCluster',
      haServerAddr: '10.0.0.1:10912',
      brokerId: 0,
      compressed: false,
      bodyCrc32: 123,
    });
    assert.equal(fields['brokerId'], '0');
    assert.equal(fields['compressed'], 'false');
    assert.throws(() =>
      PullMessageResponseHeader.encode({
        suggestWhichBrokerId: 0,
        nextBeginOffset: 1.5,
        minOffset: 0,
        maxOffset: 0,
      }),
    );
  });
});
