// mqadmin's argument parsing (short and long options, required ones, NAMESRV_ADDR, usage errors
// with E_USAGE) and its rendering (aligned tables, key/value lists, one-line errors naming the
// address and code).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boolValue, intValue, parseMqadminArgs } from '../../../cli/mqadmin-args.js';
import {
  renderClusterList,
  renderConsumerProgress,
  renderKeyValues,
  renderTable,
  renderTopicRoute,
} from '../../../cli/mqadmin-render.js';
import { describeError } from '../../../cli/mqadmin-run.js';
import { ErrorCode, MqError } from '../../../common/errors.js';

const parse = (argv: string[], env: Record<string, string> = {}) => {
  const outcome = parseMqadminArgs(argv, env);
  assert.equal(outcome.kind, 'command');
  return outcome.parsed;
};

const usage = (e: unknown) => e instanceof MqError && e.code === ErrorCode.USAGE;

describe('mqadmin arguments', () => {
  it('reads short, long and --name=value options', () => {
    const parsed = parse([
      'updateTopic',
      '-n',
      'h:1;h:2',
      '--topic',
      'T',
      '--writeQueueNums=4',
      '-r',
      '4',
      '--order=true',
      '--json',
    ]);
    assert.equal(parsed.command, 'updateTopic');
    assert.equal(parsed.namesrvAddr, 'h:1;h:2');
    assert.equal(parsed.values['topic'], 'T');
    assert.equal(parsed.isJson, true);
    assert.equal(intValue(parsed, 'readQueueNums', 8), 4);
    assert.equal(intValue(parsed, 'perm', 6), 6);
    assert.equal(boolValue(parsed, 'order', false), true);
  });

  it('takes the NameServer from NAMESRV_ADDR when -n is absent', () => {
    assert.equal(parse(['topicList'], { NAMESRV_ADDR: 'x:9876' }).namesrvAddr, 'x:9876');
    assert.equal(parse(['topicList', '-n', 'y:1'], { NAMESRV_ADDR: 'x:9876' }).namesrvAddr, 'y:1');
  });

  it('parses the message commands, whose -c means tags or count', () => {
    const send = parse(['sendMessage', '-t', 'T', '-p', 'hi there', '-c', 'tagA', '-k', 'a b'], {
      NAMESRV_ADDR: 'h:1',
    });
    assert.deepEqual(send.values, { topic: 'T', body: 'hi there', tags: 'tagA', keys: 'a b' });
    const consume = parse(['consumeMessage', '-t', 'T', '-c', '5', '-o', '2'], {
      NAMESRV_ADDR: 'h:1',
    });
    assert.equal(intValue(consume, 'count', 32), 5);
    assert.equal(intValue(consume, 'offset', 0), 2);
  });

  it('answers help', () => {
    const top = parseMqadminArgs([], {});
    assert.equal(top.kind, 'help');
    assert.match(top.kind === 'help' ? top.text : '', /consumerProgress/);
    const sub = parseMqadminArgs(['queryMsgByKey', '-h'], {});
    assert.match(sub.kind === 'help' ? sub.text : '', /--msgKey <value>.*\(required\)/);
  });

  it('rejects unknown commands and options, missing values and required options', () => {
    const env = { NAMESRV_ADDR: 'h:1' };
    assert.throws(() => parseMqadminArgs(['nope'], env), usage);
    assert.throws(() => parseMqadminArgs(['topicList', '-x'], env), usage);
    assert.throws(() => parseMqadminArgs(['topicRoute', '-t'], env), usage);
    assert.throws(() => parseMqadminArgs(['topicRoute', '-t', '-j'], env), usage);
    assert.throws(() => parseMqadminArgs(['topicRoute'], env), usage);
    assert.throws(() => parseMqadminArgs(['topicList'], {}), usage);
    const parsed = parse(['updateTopic', '-t', 'T', '-w', 'many', '-o', 'yes'], env);
    assert.throws(() => intValue(parsed, 'writeQueueNums', 8), usage);
    assert.throws(() => boolValue(parsed, 'order', false), usage);
  });
});

describe('mqadmin rendering', () => {
  it('aligns table columns, numbers to the right', () => {
    const text = renderTable(
      ['#Name', '#N'],
      [
        ['a', 1],
        ['long-name', 100],
      ],
    );
    assert.equal(text, ['#Name      #N', 'a            1', 'long-name  100'].join('\n'));
    assert.equal(
      renderKeyValues([
        ['k', 1],
        ['key', 'v'],
      ]),
      'k   : 1\nkey : v',
    );
  });

  it('renders a route as a broker table and a queue table', () => {
    const text = renderTopicRoute({
      queueDatas: [
        { brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 },
      ],
      brokerDatas: [
        { cluster: 'C', brokerName: 'broker-a', brokerAddrs: { '1': 's:2', '0': 'm:1' } },
      ],
      filterServerTable: {},
    });
    const lines = text.split('\n');
    assert.match(lines[0] ?? '', /^#Cluster Name\s+#Broker Name\s+#BID\s+#Addr$/);
    assert.match(lines[1] ?? '', /broker-a\s+0\s+m:1/);
    assert.match(lines[2] ?? '', /broker-a\s+1\s+s:2/);
    assert.match(text, /broker-a\s+4\s+4\s+RW-/);
  });

  it('renders cluster rows with their errors and consumer lag totals', () => {
    const text = renderClusterList([
      {
        clusterName: 'C',
        brokerName: 'b',
        brokerId: 0,
        address: 'm:1',
        runtime: { brokerVersionDesc: 'V4_9_7', putTps: '12.5 10 9' },
        error: null,
      },
      {
        clusterName: 'C',
        brokerName: 'b',
        brokerId: 1,
        address: 's:1',
        runtime: null,
        error: 'down',
      },
    ]);
    assert.match(text, /V4_9_7\s+12\.5/);
    assert.match(text, /ERROR down/);
    const progress = renderConsumerProgress({
      group: 'G',
      consumeTps: 1.5,
      diffTotal: 3,
      queues: [
        {
          queue: { topic: 'T', brokerName: 'b', queueId: 0 },
          brokerOffset: 10,
          consumerOffset: 7,
          diff: 3,
          lastTimestamp: 0,
        },
      ],
    });
    assert.match(progress, /T\s+b\s+0\s+10\s+7\s+3\s+-/);
    assert.match(progress, /Diff Total: 3$/);
  });

  it('prints errors on one line with the address and code', () => {
    const error = new MqError(
      ErrorCode.REMOTE_ERROR,
      'UPDATE_AND_CREATE_TOPIC(17) to broker broker-a (m:1) failed with SYSTEM_ERROR(1): bad',
      {
        responseCode: 1,
        address: 'm:1',
      },
    );
    const line = describeError('updateTopic', error);
    assert.equal(line.includes('\n'), false);
    assert.match(line, /broker-a \(m:1\)/);
    assert.match(line, /code E_REMOTE_ERROR, response SYSTEM_ERROR\(1\)/);
    const elsewhere = describeError(
      'topicRoute',
      new MqError(ErrorCode.NO_ROUTE, 'No route', { address: 'n:9876' }),
    );
    assert.match(elsewhere, /code E_NO_ROUTE, at n:9876/);
  });
});
