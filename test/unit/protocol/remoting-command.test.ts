// Goal: the command codec reads what ali-ons and Java write and writes what they read.
// Method: golden frames copied from ali-ons' own tests (test/protocol/command/
// remoting_command.test.js, frames it writes and frames a server sent it), the ROCKETMQ header
// sizes and offsets asserted by RocketMQ's RocketMQSerializableTest, the JSON text fastjson
// writes for the RemotingCommand bean, and seeded round trips for both serialize types.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPrng } from '../../../common/prng.js';
import { defaultHeaderLimits, FrameErrorReason, RpcFlag } from '../../../protocol/frame-format.js';
import {
  createExtFields,
  createRequest,
  createResponse,
  decodeCommand,
  encodeCommand,
  isOneway,
  isResponse,
  markOneway,
  type RemotingCommand,
} from '../../../protocol/remoting-command.js';
import { testSeeds } from '../../harness/seed.js';

function decodeOk(frame: Buffer): RemotingCommand {
  const result = decodeCommand(frame);
  if (!result.ok) assert.fail(`decode failed: ${result.error.reason} ${result.error.message}`);
  return result.command;
}

function jsonFrame(json: string, body?: Buffer): Buffer {
  const header = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(4 + header.length + (body?.length ?? 0), 0);
  prefix.writeUInt32BE(header.length, 4);
  return Buffer.concat([prefix, header, body ?? Buffer.alloc(0)]);
}

/** What ali-ons does with a frame: RemotingCommand.decode in lib/protocol/command. */
function aliOnsDecode(packet: Buffer): Record<string, unknown> {
  const headerLength = packet.readInt32BE(4);
  return JSON.parse(packet.subarray(8, 8 + headerLength).toString());
}

const ALI_ONS_REQUEST =
  '00000085000000817b22636f6465223a3231372c226c616e6775616765223a224a415641222c226f7061717565223a312c22666c6167223a302c2276657273696f6e223a3132312c226578744669656c6473223a7b226e616d657370616365223a2250524f4a4543545f434f4e464947222c226b6579223a223139322e3136382e312e313033227d7d';
const ALI_ONS_RESPONSE =
  '00000076000000727b22636f6465223a302c226c616e6775616765223a224a415641222c226f7061717565223a312c22666c6167223a312c2276657273696f6e223a3132312c2272656d61726b223a226e6f742073657420616e7920726573706f6e736520636f6465222c226578744669656c6473223a7b7d7d';
const SERVER_RESPONSE =
  '00000066000000627b22636f6465223a302c226c616e6775616765223a224a415641222c226f7061717565223a312c22666c6167223a312c2276657273696f6e223a37382c2272656d61726b223a226e6f742073657420616e7920726573706f6e736520636f6465227d';

describe('RemotingCommand JSON frames', () => {
  it('decodes the request frame ali-ons writes', () => {
    const command = decodeOk(Buffer.from(ALI_ONS_REQUEST, 'hex'));
    assert.equal(command.code, 217);
    assert.equal(command.opaque, 1);
    assert.equal(command.version, 121);
    assert.equal(command.language, 'JAVA');
    assert.equal(command.serializeTypeCurrentRPC, 'JSON');
    assert.equal(isResponse(command), false);
    assert.deepEqual(
      { ...command.extFields },
      { namespace: 'PROJECT_CONFIG', key: '192.168.1.103' },
    );
    assert.equal(command.body, null);
    assert.equal(command.remark, null);
  });

  it('decodes response frames written by ali-ons and by a server', () => {
    for (const hex of [ALI_ONS_RESPONSE, SERVER_RESPONSE]) {
      const command = decodeOk(Buffer.from(hex, 'hex'));
      assert.equal(command.code, 0);
      assert.equal(command.opaque, 1);
      assert.equal(isResponse(command), true);
      assert.equal(command.remark, 'not set any response code');
    }
  });

  it('stringifies the numbers and booleans ali-ons puts in extFields', () => {
    // ali-ons JSON.stringify's its header object as is: SEND_MESSAGE_V2 fields a..l.
    const json =
      '{"code":310,"language":"JAVA","opaque":9,"flag":0,"version":121,"extFields":{"a":"PG","b":"T","c":"TBW102","d":4,"e":3,"f":0,"g":1700000000123,"h":0,"i":"TAGS\\u0001null\\u0002","j":0,"k":false}}';
    const body = Buffer.from('hello');
    const command = decodeOk(jsonFrame(json, body));
    assert.deepEqual(
      { ...command.extFields },
      {
        a: 'PG',
        b: 'T',
        c: 'TBW102',
        d: '4',
        e: '3',
        f: '0',
        g: '1700000000123',
        h: '0',
        i: 'TAGS\u0001null\u0002',
        j: '0',
        k: 'false',
      },
    );
    assert.deepEqual(command.body, body);
  });

  it('reads the JSON fastjson writes for a Java RemotingCommand, integers as strings too', () => {
    const json =
      '{"code":"105","extFields":{"topic":"T"},"flag":0,"language":"GO","opaque":7,"serializeTypeCurrentRPC":"JSON","version":401}';
    const command = decodeOk(jsonFrame(json));
    assert.equal(command.code, 105);
    assert.equal(command.language, 'GO');
    assert.equal(command.version, 401);
    assert.equal(command.extFields['topic'], 'T');
  });

  it('writes responses in fastjson property order, and ali-ons reads them', () => {
    const request = decodeOk(Buffer.from(ALI_ONS_REQUEST, 'hex'));
    const response = createResponse(request, 0);
    const frame = encodeCommand(response);
    const expected =
      '{"code":0,"flag":1,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":407}';
    assert.deepEqual(frame, jsonFrame(expected));
    const seen = aliOnsDecode(frame);
    assert.equal(seen['opaque'], 1);
    assert.equal(((seen['flag'] as number) & 1) === 1, true);

    response.extFields = createExtFields({ queueId: 3, queueOffset: 12, msgId: 'AB' });
    response.remark = 'ok';
    response.body = Buffer.from([1, 2, 3]);
    const withFields = encodeCommand(response);
    const expected2 =
      '{"code":0,"extFields":{"queueId":"3","queueOffset":"12","msgId":"AB"},"flag":1,"language":"JAVA","opaque":1,"remark":"ok","serializeTypeCurrentRPC":"JSON","version":407}';
    assert.deepEqual(withFields, jsonFrame(expected2, Buffer.from([1, 2, 3])));
    assert.deepEqual(aliOnsDecode(withFields)['extFields'], {
      queueId: '3',
      queueOffset: '12',
      msgId: 'AB',
    });
  });

  it('keeps wire keys such as __proto__ as plain entries', () => {
    const json = '{"code":1,"opaque":2,"extFields":{"__proto__":"x","constructor":"y"}}';
    const command = decodeOk(jsonFrame(json));
    assert.equal(Object.getPrototypeOf(command.extFields), null);
    assert.equal(Object.getOwnPropertyDescriptor(command.extFields, '__proto__')?.value, 'x');
    assert.equal(command.extFields['constructor'], 'y');
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
  });
});

describe('RemotingCommand ROCKETMQ frames', () => {
  function rocketMqHeader(command: RemotingCommand): Buffer {
    const frame = encodeCommand({ ...command, body: null, serializeTypeCurrentRPC: 'ROCKETMQ' });
    assert.equal(frame.readUInt8(4), 1);
    return frame.subarray(8);
  }

  const base = { ...createRequest(103), version: 2333, opaque: 42 };

  it('lays out the header as RocketMQSerializableTest asserts', () => {
    assert.equal(
      rocketMqHeader(base).toString('hex'),
      '0067' + '00' + '091d' + '0000002a' + '00000000' + '00000000' + '00000000',
    );
    const withRemark = rocketMqHeader({ ...base, remark: 'Sample Remark' });
    assert.equal(withRemark.length, 34);
    assert.equal(withRemark.readInt32BE(13), 13);
    assert.equal(withRemark.toString('utf8', 17, 30), 'Sample Remark');
    assert.equal(withRemark.readInt32BE(30), 0);
    const withExt = rocketMqHeader({ ...base, extFields: createExtFields({ key: 'value' }) });
    assert.equal(withExt.length, 35);
    assert.equal(withExt.readInt32BE(17), 14);
    assert.equal(
      withExt.subarray(21).toString('hex'),
      '0003' + '6b6579' + '00000005' + '76616c7565',
    );
  });

  it('reads an empty remark as null and keeps a zero-length value', () => {
    const command = decodeOk(
      encodeCommand({
        ...base,
        remark: '',
        extFields: createExtFields({ empty: '' }),
        serializeTypeCurrentRPC: 'ROCKETMQ',
      }),
    );
    assert.equal(command.remark, null);
    assert.equal(command.extFields['empty'], '');
    assert.equal(command.serializeTypeCurrentRPC, 'ROCKETMQ');
  });

  it('answers in the serialize type of the request', () => {
    const request = decodeOk(encodeCommand({ ...base, serializeTypeCurrentRPC: 'ROCKETMQ' }));
    const response = createResponse(request, 3, 'no');
    assert.equal(response.serializeTypeCurrentRPC, 'ROCKETMQ');
    assert.equal(encodeCommand(response).readUInt8(4), 1);
  });

  it('rejects lengths that run past the header', () => {
    const header = rocketMqHeader({ ...base, remark: 'abc' });
    header.writeInt32BE(1000, 13);
    const frame = Buffer.concat([Buffer.alloc(8), header]);
    frame.writeUInt32BE(4 + header.length, 0);
    frame.writeUInt32BE((1 << 24) | header.length, 4);
    const result = decodeCommand(frame);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.reason, FrameErrorReason.HEADER_MALFORMED);
      assert.equal(result.error.opaque, 42);
    }
  });
});

describe('RemotingCommand helpers', () => {
  it('flag bits: response bit 0, oneway bit 1', () => {
    const request = createRequest(15, { consumerGroup: 'g', queueId: 1, commitOffset: -1 });
    assert.equal(request.extFields['queueId'], '1');
    assert.equal(isOneway(request), false);
    markOneway(request);
    assert.equal(request.flag, RpcFlag.ONEWAY);
    assert.equal(isOneway(request), true);
    const response = createResponse({ ...request, opaque: 77 }, 0);
    assert.equal(response.opaque, 77);
    assert.equal(response.flag, RpcFlag.RESPONSE);
  });
});

describe('RemotingCommand header limits', () => {
  function decodeJson(json: string) {
    return decodeCommand(jsonFrame(json), defaultHeaderLimits);
  }

  it('refuse deep nesting, too many fields and long values, keeping the request id', () => {
    const deep = `{"code":1,"opaque":5,"extFields":{"a":${'['.repeat(8)}${']'.repeat(8)}}}`;
    const many = `{"code":1,"opaque":6,"extFields":{${Array.from({ length: 257 }, (_, i) => `"k${i}":"v"`).join(',')}}}`;
    const long = `{"code":1,"opaque":7,"extFields":{"k":"${'x'.repeat(32 * 1024 + 1)}"}}`;
    const notJson = '{"code":1,"opaque":8,';
    const cases: [string, number | null][] = [
      [deep, null],
      [many, 6],
      [long, 7],
      [notJson, null],
    ];
    for (const [json, opaque] of cases) {
      const result = decodeJson(json);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.error.reason, FrameErrorReason.HEADER_MALFORMED);
        assert.equal(result.error.opaque, opaque);
      }
    }
    const atLimit = `{"code":1,"opaque":9,"extFields":{${Array.from({ length: 256 }, (_, i) => `"k${i}":"${'v'.repeat(i === 0 ? 32 * 1024 : 1)}"`).join(',')}}}`;
    assert.equal(decodeJson(atLimit).ok, true);
  });

  it('refuses invalid UTF-8 and non-object headers', () => {
    const bad = jsonFrame('{"code":1,"opaque":1,"remark":"xx"}');
    bad[8 + 30] = 0xff;
    for (const frame of [bad, jsonFrame('[1,2]'), jsonFrame('null'), jsonFrame('{"opaque":1}')]) {
      const result = decodeCommand(frame);
      assert.equal(result.ok, false);
    }
  });

  it('checks the frame prefix against the frame', () => {
    const frame = jsonFrame('{"code":1,"opaque":1}');
    frame.writeUInt32BE(5000, 4);
    const result = decodeCommand(frame);
    assert.equal(!result.ok && result.error.reason, FrameErrorReason.HEADER_LENGTH_INVALID);
    frame.writeUInt32BE((7 << 24) | 21, 4);
    const unknown = decodeCommand(frame);
    assert.equal(!unknown.ok && unknown.error.reason, FrameErrorReason.SERIALIZE_TYPE_UNKNOWN);
  });
});

describe('RemotingCommand round trips', () => {
  function randomText(next: () => number, maxLength: number): string {
    const alphabet = 'abcXYZ019 _-%@é中\u0001\u0002"\\';
    let out = '';
    const length = Math.floor(next() * maxLength);
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
    return out;
  }

  it('encode then decode gives the same command, both serialize types', () => {
    for (const seed of testSeeds(20, 1000)) {
      const prng = createPrng(seed);
      const next = () => prng.next();
      for (let i = 0; i < 50; i++) {
        const fields: Record<string, string> = {};
        for (let f = prng.int(0, 6); f > 0; f--)
          fields[`k${f}${randomText(next, 5)}`] = randomText(next, 40);
        const command: RemotingCommand = {
          code: prng.int(-32768, 32767),
          language: prng.chance(0.5) ? 'JAVA' : 'GO',
          version: prng.int(-32768, 32767),
          opaque: prng.int(-0x80000000, 0x7fffffff),
          flag: prng.int(0, 3),
          remark: prng.chance(0.5) ? null : `r${randomText(next, 30)}`,
          extFields: createExtFields(fields),
          body: prng.chance(0.3) ? null : Buffer.from(randomText(next, 200) || 'b'),
          serializeTypeCurrentRPC: prng.chance(0.5) ? 'JSON' : 'ROCKETMQ',
        };
        const decoded = decodeOk(encodeCommand(command));
        assert.deepEqual(
          { ...decoded, extFields: { ...decoded.extFields } },
          { ...command, extFields: fields },
          `seed=${seed}`,
        );
      }
    }
  });
});
