// Goal: JSON bodies read what Java (fastjson) and ali-ons write, and what we write reads back in
// Java and ali-ons. Method: literal body samples — fastjson's non-string keys as reported in
// apache/rocketmq#1506 and #3389, the route data a pre-4.9.4 NameServer sends, the heartbeat
// ali-ons builds — parsed and compared field by field; our encodings compared to the exact text
// Java writes, and round trips.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, MqError } from '../../../common/errors.js';
import {
  dataVersionToJson,
  decodeClusterInfo,
  decodeConsumerList,
  decodeConsumerOffsetTable,
  decodeHeartbeatData,
  decodeKvTable,
  decodeLockBatchRequestBody,
  decodeRegisterBrokerBody,
  decodeResetOffsetBody,
  decodeTopicList,
  decodeTopicRouteData,
  decodeTopicStatsTable,
  encodeClusterInfo,
  encodeConsumerList,
  encodeConsumerOffsetTable,
  encodeConsumeStats,
  encodeHeartbeatData,
  encodeLockBatchRequestBody,
  encodeRegisterBrokerBody,
  encodeResetOffsetBody,
  encodeTopicList,
  encodeTopicRouteData,
  encodeTopicStatsTable,
  mapRecord,
  parseTagExpression,
  type RegisterBrokerBody,
  registerBrokerBodyCrc32,
  topicConfigToJson,
} from '../../../protocol/bodies/index.js';
import { JavaMap, parseFastjson, stringifyFastjson } from '../../../protocol/fastjson.js';

const text = (s: string) => Buffer.from(s, 'utf8');
const isMalformed = (error: unknown) =>
  error instanceof MqError && error.code === ErrorCode.BODY_MALFORMED;

describe('fastjson parsing', () => {
  it('reads numeric keys as string keys, as ali-ons JSON2 does', () => {
    assert.deepEqual(parseFastjson('{1:"abc",2:"def"}'), { '1': 'abc', '2': 'def' });
    assert.deepEqual(parseFastjson('{"t@g":{0:12,-1:5}}'), { 't@g': { '0': 12, '-1': 5 } });
  });

  it('reads object keys into a JavaMap', () => {
    const parsed = parseFastjson('{{"f1":"f1","f2":"f2"}:{"v1":"v1","v2":"v2"}}');
    assert.ok(parsed instanceof JavaMap);
    assert.deepEqual(parsed.entries, [
      [
        { f1: 'f1', f2: 'f2' },
        { v1: 'v1', v2: 'v2' },
      ],
    ]);
  });

  it('tolerates bare keys, trailing commas, whitespace and escapes', () => {
    assert.deepEqual(parseFastjson(' {a: [1, 2, ], "b\\u00e9\\n": true, } '), {
      a: [1, 2],
      'bé\n': true,
    });
  });

  it('keeps __proto__ as an own key', () => {
    const parsed = parseFastjson('{__proto__:{"x":1}}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(Object.keys(parsed), ['__proto__']);
  });

  it('refuses garbage and deep nesting with E_BODY_MALFORMED', () => {
    for (const bad of [
      '',
      '{',
      '{"a" 1}',
      '[1 2]',
      '{"a":tru}',
      '"\\x"',
      '{"a":1}}',
      `${'['.repeat(65)}${']'.repeat(65)}`,
    ]) {
      assert.throws(() => parseFastjson(bad), isMalformed, bad.slice(0, 20));
    }
    assert.doesNotThrow(() => parseFastjson(`${'['.repeat(64)}${']'.repeat(64)}`));
  });

  it('writes JavaMap keys unquoted and leaves out nulls', () => {
    const map = new JavaMap([
      [{ brokerName: 'b', queueId: 0, topic: 't' }, 12],
      [7, 'x'],
    ]);
    assert.equal(
      stringifyFastjson({ z: null, offsetTable: map, n: [1, null] }),
      '{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:12,7:"x"},"n":[1,null]}',
    );
  });
});

describe('offset tables keyed by MessageQueue', () => {
  // TopicStatsTable as a 4.x broker sends it (apache/rocketmq#3389, trimmed to two queues).
  const topicStats =
    '{"offsetTable":{{"brokerName":"rocketmq-broker-a","queueId":2,"topic":"test"}:{"lastUpdateTimestamp":0,"maxOffset":0,"minOffset":0},{"brokerName":"rocketmq-broker-a","queueId":3,"topic":"test"}:{"lastUpdateTimestamp":1700000000000,"maxOffset":15,"minOffset":3}}}';

  it('reads the TopicStatsTable fastjson writes and writes it back byte for byte', () => {
    const table = decodeTopicStatsTable(text(topicStats));
    assert.deepEqual(table.offsetTable[1], {
      messageQueue: { topic: 'test', brokerName: 'rocketmq-broker-a', queueId: 3 },
      value: { minOffset: 3, maxOffset: 15, lastUpdateTimestamp: 1700000000000 },
    });
    assert.equal(encodeTopicStatsTable(table).toString(), topicStats);
  });

  it('reads ResetOffsetBody keys in object, toString and JSON-string forms', () => {
    const forms = [
      '{"offsetTable":{{"brokerName":"b","queueId":1,"topic":"T"}:42}}',
      '{"offsetTable":{"MessageQueue [topic=T, brokerName=b, queueId=1]":42}}',
      '{"offsetTable":{"{\\"brokerName\\":\\"b\\",\\"queueId\\":1,\\"topic\\":\\"T\\"}":42}}',
    ];
    for (const form of forms) {
      assert.deepEqual(decodeResetOffsetBody(text(form)).offsetTable, [
        { messageQueue: { topic: 'T', brokerName: 'b', queueId: 1 }, value: 42 },
      ]);
    }
    assert.equal(
      encodeResetOffsetBody(decodeResetOffsetBody(text(forms[1] ?? ''))).toString(),
      forms[0],
    );
    assert.throws(() => decodeResetOffsetBody(text('{"offsetTable":{"q1":1}}')), isMalformed);
  });

  it('reads consumer offsets with integer keys and writes standard JSON', () => {
    const table = decodeConsumerOffsetTable(
      text('{"offsetTable":{"TopicTest@CG":{0:12,1:5},"%RETRY%CG@CG":{0:0}}}'),
    );
    assert.deepEqual(table.offsetTable, {
      'TopicTest@CG': { '0': 12, '1': 5 },
      '%RETRY%CG@CG': { '0': 0 },
    });
    assert.equal(
      encodeConsumerOffsetTable(table).toString(),
      '{"offsetTable":{"TopicTest@CG":{"0":12,"1":5},"%RETRY%CG@CG":{"0":0}}}',
    );
  });

  it('writes ConsumeStats and lock bodies in fastjson order', () => {
    const mq = { topic: 'T', brokerName: 'b', queueId: 0 };
    assert.equal(
      encodeConsumeStats({
        consumeTps: 1.5,
        offsetTable: [
          { messageQueue: mq, value: { brokerOffset: 9, consumerOffset: 7, lastTimestamp: 3 } },
        ],
      }).toString(),
      '{"consumeTps":1.5,"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"brokerOffset":9,"consumerOffset":7,"lastTimestamp":3}}}',
    );
    const lock = encodeLockBatchRequestBody({ consumerGroup: 'CG', clientId: 'c1', mqSet: [mq] });
    assert.equal(
      lock.toString(),
      '{"clientId":"c1","consumerGroup":"CG","mqSet":[{"brokerName":"b","queueId":0,"topic":"T"}]}',
    );
    assert.deepEqual(decodeLockBatchRequestBody(lock).mqSet, [mq]);
  });
});

describe('route and cluster bodies', () => {
  const standard =
    '{"brokerDatas":[{"brokerAddrs":{"0":"10.0.0.1:10911","1":"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}';

  it('reads route data as a pre-4.9.4 NameServer writes it (unquoted brokerId keys)', () => {
    const legacy =
      '{"brokerDatas":[{"brokerAddrs":{1:"10.0.0.2:10911",0:"10.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSynFlag":0,"writeQueueNums":4}]}';
    const route = decodeTopicRouteData(text(legacy));
    assert.deepEqual(route.brokerDatas[0]?.brokerAddrs, {
      '0': '10.0.0.1:10911',
      '1': '10.0.0.2:10911',
    });
    assert.equal(route.queueDatas[0]?.topicSysFlag, 0);
    assert.equal(route.orderTopicConf, undefined);
    assert.equal(encodeTopicRouteData(route).toString(), standard);
  });

  it('writes standard JSON that a strict parser (ali-ons, browsers) reads', () => {
    const route = decodeTopicRouteData(text(standard));
    route.orderTopicConf = 'broker-a:4';
    const parsed = JSON.parse(encodeTopicRouteData(route).toString());
    assert.equal(parsed.brokerDatas[0].brokerAddrs['0'], '10.0.0.1:10911');
    assert.equal(parsed.orderTopicConf, 'broker-a:4');
    assert.throws(
      () =>
        decodeTopicRouteData(
          text('{"brokerDatas":[{"brokerAddrs":{"x":"a"},"brokerName":"b","cluster":"c"}]}'),
        ),
      isMalformed,
    );
    assert.throws(() => decodeTopicRouteData(null), isMalformed);
  });

  it('round-trips ClusterInfo, TopicList, consumer lists and KV tables', () => {
    const cluster =
      '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{"0":"10.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}';
    assert.equal(encodeClusterInfo(decodeClusterInfo(text(cluster))).toString(), cluster);
    const topics = decodeTopicList(text('{"topicList":["TopicA","TBW102"],"brokerAddr":null}'));
    assert.deepEqual(topics, { topicList: ['TopicA', 'TBW102'] });
    assert.equal(encodeTopicList(topics).toString(), '{"topicList":["TopicA","TBW102"]}');
    const consumers = encodeConsumerList({ consumerIdList: ['10.0.0.5@12345'] });
    assert.equal(consumers.toString(), '{"consumerIdList":["10.0.0.5@12345"]}');
    assert.deepEqual(decodeConsumerList(consumers).consumerIdList, ['10.0.0.5@12345']);
    assert.deepEqual(decodeKvTable(text('{"table":{"T":"broker-a:4"}}')).table, {
      T: 'broker-a:4',
    });
  });
});

describe('HeartbeatData', () => {
  // Property order and omissions as ali-ons' _prepareHeartbeatData + buildSubscriptionData write them.
  const aliOns =
    '{"clientID":"10.0.0.5@12345","consumerDataSet":[{"groupName":"CG","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","subscriptionDataSet":[{"topic":"T","subString":"TagA || TagB","classFilterMode":false,"tagsSet":["TagA","TagB"],"codeSet":[2598919,2598920],"subVersion":1700000000000},{"topic":"%RETRY%CG","subString":"*","classFilterMode":false,"tagsSet":[],"codeSet":[],"subVersion":1700000000001}],"unitMode":false}],"producerDataSet":[{"groupName":"PG"},{"groupName":"CLIENT_INNER_PRODUCER"}]}';

  it('reads the heartbeat ali-ons sends', () => {
    const data = decodeHeartbeatData(text(aliOns));
    assert.equal(data.clientID, '10.0.0.5@12345');
    assert.deepEqual(
      data.producerDataSet.map((p) => p.groupName),
      ['PG', 'CLIENT_INNER_PRODUCER'],
    );
    const [consumer] = data.consumerDataSet;
    assert.equal(consumer?.messageModel, 'CLUSTERING');
    assert.deepEqual(consumer?.subscriptionDataSet[0], {
      topic: 'T',
      subString: 'TagA || TagB',
      tagsSet: ['TagA', 'TagB'],
      codeSet: [2598919, 2598920],
      subVersion: 1700000000000,
      classFilterMode: false,
      expressionType: 'TAG',
    });
  });

  it('parses TAG expressions as FilterAPI does, with Java hash codes', () => {
    assert.deepEqual(parseTagExpression(' TagA || TagB ||  || TagA'), {
      subString: ' TagA || TagB ||  || TagA',
      tagsSet: ['TagA', 'TagB'],
      codeSet: [2598919, 2598920],
    });
    for (const all of [null, undefined, '', '*']) {
      assert.deepEqual(parseTagExpression(all), { subString: '*', tagsSet: [], codeSet: [] });
    }
  });

  it('writes it in Java property order and reads that back', () => {
    const data = decodeHeartbeatData(text(aliOns));
    const encoded = encodeHeartbeatData(data).toString();
    assert.ok(
      encoded.startsWith(
        '{"clientID":"10.0.0.5@12345","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"CG","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[2598919,2598920],"expressionType":"TAG","subString":"TagA || TagB","subVersion":1700000000000,"tagsSet":["TagA","TagB"],"topic":"T"}',
      ),
    );
    assert.deepEqual(decodeHeartbeatData(Buffer.from(encoded)), data);
    assert.throws(() => decodeHeartbeatData(text('{"clientID":5}')), isMalformed);
    assert.throws(() => decodeHeartbeatData(Buffer.from([0xff, 0xfe])), isMalformed);
  });
});

describe('RegisterBrokerBody', () => {
  const plain =
    '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":1,"timestamp":1700000000000},"topicConfigTable":{"TopicA":{"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"TopicA","topicSysFlag":0,"writeQueueNums":4}}}}';

  it('reads and writes the plain form exactly', () => {
    const body = decodeRegisterBrokerBody(text(plain), { compressed: false });
    assert.equal(body.topicConfigSerializeWrapper.topicConfigTable['TopicA']?.writeQueueNums, 4);
    assert.equal(encodeRegisterBrokerBody(body, { compressed: false }).toString(), plain);
    assert.equal(registerBrokerBodyCrc32(text('123456789')), 0xcbf43926 & 0x7fffffff);
  });

  it('writes the plain form as the generic fastjson writer does, odd topic names included', () => {
    const config = (topicName: string) => ({
      topicName,
      readQueueNums: 2,
      writeQueueNums: 3,
      perm: 4,
      topicFilterType: 'MULTI_TAG',
      topicSysFlag: 1,
      order: true,
    });
    const names = ['__proto__', 'Tópico "quoted"\\', '%RETRY%CG', 'constructor', '\u2028'];
    const body: RegisterBrokerBody = {
      topicConfigSerializeWrapper: {
        dataVersion: { timestamp: 1700000000001, counter: 9 },
        topicConfigTable: Object.fromEntries(names.map((n) => [n, config(n)])),
      },
      filterServerList: ['10.0.0.9:1'],
    };
    const generic = stringifyFastjson({
      filterServerList: body.filterServerList,
      topicConfigSerializeWrapper: {
        dataVersion: dataVersionToJson(body.topicConfigSerializeWrapper.dataVersion),
        topicConfigTable: mapRecord(
          body.topicConfigSerializeWrapper.topicConfigTable,
          topicConfigToJson,
        ),
      },
    });
    assert.equal(encodeRegisterBrokerBody(body, { compressed: false }).toString(), generic);
    const decoded = decodeRegisterBrokerBody(text(generic), { compressed: false });
    assert.deepEqual(Object.keys(decoded.topicConfigSerializeWrapper.topicConfigTable), names);
  });

  it('round-trips the compressed form, which drops topicSysFlag and order', () => {
    const body: RegisterBrokerBody = {
      topicConfigSerializeWrapper: {
        dataVersion: { timestamp: 1700000000000, counter: 7 },
        topicConfigTable: {
          TopicA: {
            topicName: 'TopicA',
            readQueueNums: 8,
            writeQueueNums: 8,
            perm: 6,
            topicFilterType: 'SINGLE_TAG',
            topicSysFlag: 3,
            order: true,
          },
          '%RETRY%CG': {
            topicName: '%RETRY%CG',
            readQueueNums: 1,
            writeQueueNums: 1,
            perm: 6,
            topicFilterType: 'SINGLE_TAG',
            topicSysFlag: 0,
            order: false,
          },
        },
      },
      filterServerList: ['10.0.0.9:1'],
    };
    const compressed = encodeRegisterBrokerBody(body, { compressed: true });
    const decoded = decodeRegisterBrokerBody(compressed, { compressed: true });
    assert.deepEqual(decoded.topicConfigSerializeWrapper.dataVersion, {
      timestamp: 1700000000000,
      counter: 7,
    });
    assert.deepEqual(decoded.topicConfigSerializeWrapper.topicConfigTable['TopicA'], {
      ...body.topicConfigSerializeWrapper.topicConfigTable['TopicA'],
      topicSysFlag: 0,
      order: false,
    });
    assert.deepEqual(decoded.filterServerList, ['10.0.0.9:1']);
    assert.throws(
      () => decodeRegisterBrokerBody(compressed.subarray(0, 10), { compressed: true }),
      isMalformed,
    );
    assert.throws(
      () => decodeRegisterBrokerBody(compressed, { compressed: true, maxInflatedBytes: 16 }),
      isMalformed,
    );
  });
});
