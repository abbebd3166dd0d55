// Goal: Petrel checks plain-ACL requests exactly as RocketMQ 4.x does. Method: requests signed by
// the real ali-ons signer (its Channel.beforeRequest, applied to its own RemotingCommand and
// encoded to a frame by ali-ons) are decoded by Petrel's frame decoder and judged by
// checkAccess against a plain_acl.yml parsed by Petrel; the same request is then altered (body,
// a header field, the secret) to show each alteration is refused. Petrel's own signer is checked
// against the same verifier, and the permission rules (defaults, DENY, groups as retry topics,
// admin codes, white addresses) are exercised one by one.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { signRequest } from '../../../protocol/acl-signature.js';
import { encodeHeartbeatData } from '../../../protocol/bodies/heartbeat-data.js';
import {
  createRequest,
  decodeCommand,
  encodeCommand,
  type RemotingCommand,
} from '../../../protocol/remoting-command.js';
import { RequestCode } from '../../../protocol/request-code.js';
import { checkAccess } from '../../../server/acl/access-check.js';
import { AclFileError, mergeAclFiles, parseAclFile } from '../../../server/acl/plain-acl-config.js';
import { parseRemoteAddress } from '../../../server/acl/remote-address.js';

const ACL_YML = `
globalWhiteRemoteAddresses:
  - 10.10.103.*
accounts:
  - accessKey: RocketMQ
    secretKey: 12345678
    whiteRemoteAddress:
    admin: false
    defaultTopicPerm: DENY
    defaultGroupPerm: SUB
    topicPerms:
      - topicA=DENY
      - topicB=PUB|SUB
      - topicC=SUB
    groupPerms:
      - groupA=DENY
      - groupB=PUB|SUB
  - accessKey: rocketmq2
    secretKey: 12345678
    whiteRemoteAddress: 192.168.1.*
    admin: true
`;

const table = mergeAclFiles([['plain_acl.yml', parseAclFile(ACL_YML, 'plain_acl.yml')]]);
const CLIENT_IP = '127.0.0.1';

interface AliCommand {
  body: Buffer | null;
  extFields: Record<string, unknown>;
  encode(): Buffer;
}
interface AliRemotingCommand {
  createRequestCommand(code: number, header: Record<string, unknown>): AliCommand;
}
const requireCjs = createRequire(import.meta.url);
const AliCommandClass = requireCjs(
  'ali-ons/lib/protocol/command/remoting_command.js',
) as AliRemotingCommand;
const AliChannel = requireCjs('ali-ons/lib/channel.js') as {
  prototype: { beforeRequest(this: unknown, command: AliCommand): void };
};

/** A SEND_MESSAGE_V2 request signed by ali-ons, as the broker receives it. */
function aliSignedSend(topic: string, secretKey: string, body: string): RemotingCommand {
  const command = AliCommandClass.createRequestCommand(RequestCode.SEND_MESSAGE_V2, {
    a: 'PG',
    b: topic,
    c: 'TBW102',
    d: 4,
    e: 1,
    f: 0,
    g: 1_700_000_000_000,
    h: 0,
    i: 'TAGS\u0001TagA\u0002',
    j: 0,
    k: false,
  });
  command.body = Buffer.from(body);
  const channel = { accessKey: 'RocketMQ', secretKey, onsChannel: 'ALIYUN' };
  AliChannel.prototype.beforeRequest.call(channel, command);
  const decoded = decodeCommand(command.encode());
  assert.ok(decoded.ok, 'Petrel decodes the ali-ons frame');
  return decoded.command;
}

function petrelSigned(
  code: number,
  ext: Record<string, string>,
  body: Buffer | null,
  accessKey = 'RocketMQ',
): RemotingCommand {
  const request = createRequest(code, ext, body);
  signRequest(request, { accessKey, secretKey: '12345678' });
  const decoded = decodeCommand(encodeCommand(request));
  assert.ok(decoded.ok);
  return decoded.command;
}

describe('plain ACL signature', () => {
  it('accepts a request signed by ali-ons, byte for byte', () => {
    const request = aliSignedSend('topicB', '12345678', 'hello');
    assert.equal(request.extFields['AccessKey'], 'RocketMQ');
    assert.equal(request.extFields['OnsChannel'], 'ALIYUN');
    assert.equal(checkAccess(table, request, CLIENT_IP), null);
  });

  it('refuses the same request with its body or a header field changed (a replay)', () => {
    const request = aliSignedSend('topicB', '12345678', 'hello');
    const bodyChanged = { ...request, body: Buffer.from('hellO') };
    assert.equal(
      checkAccess(table, bodyChanged, CLIENT_IP),
      'Check signature failed for accessKey=RocketMQ',
    );
    const queueChanged = { ...request, extFields: { ...request.extFields, e: '2' } };
    assert.match(checkAccess(table, queueChanged, CLIENT_IP) ?? '', /Check signature failed/);
  });

  it('refuses a wrong secret and an unknown or missing accessKey', () => {
    const wrong = aliSignedSend('topicB', 'not-the-secret', 'hello');
    assert.match(checkAccess(table, wrong, CLIENT_IP) ?? '', /Check signature failed/);
    const unknown = petrelSigned(RequestCode.GET_MAX_OFFSET, { topic: 'topicB' }, null, 'Nobody99');
    assert.equal(checkAccess(table, unknown, CLIENT_IP), 'No acl config for Nobody99');
    const unsigned = createRequest(RequestCode.GET_MAX_OFFSET, { topic: 'topicB' });
    assert.match(checkAccess(table, unsigned, CLIENT_IP) ?? '', /No accessKey is configured/);
  });

  it("Petrel's signer produces what the verifier accepts, body included", () => {
    const request = petrelSigned(
      RequestCode.SEND_MESSAGE_V2,
      { a: 'PG', b: 'topicB' },
      Buffer.from('x'),
    );
    assert.equal(checkAccess(table, request, CLIENT_IP), null);
  });
});

describe('plain ACL permissions', () => {
  const send = (topic: string) =>
    petrelSigned(RequestCode.SEND_MESSAGE_V2, { a: 'PG', b: topic }, Buffer.from('m'));
  const pull = (topic: string, group: string) =>
    petrelSigned(RequestCode.PULL_MESSAGE, { topic, consumerGroup: group, queueId: '0' }, null);

  it('checks topic permissions, then the default topic permission', () => {
    assert.equal(checkAccess(table, send('topicB'), CLIENT_IP), null);
    assert.equal(
      checkAccess(table, send('topicA'), CLIENT_IP),
      'accessKey=RocketMQ has no PUB permission on topic topicA',
    );
    assert.match(
      checkAccess(table, send('topicC'), CLIENT_IP) ?? '',
      /no PUB permission on topic topicC/,
    );
    assert.match(
      checkAccess(table, send('other'), CLIENT_IP) ?? '',
      /no PUB permission on topic other/,
    );
  });

  it('checks the group as its retry topic: groupPerms, then defaultGroupPerm', () => {
    assert.equal(checkAccess(table, pull('topicC', 'groupB'), CLIENT_IP), null);
    assert.equal(checkAccess(table, pull('topicC', 'anyGroup'), CLIENT_IP), null);
    assert.equal(
      checkAccess(table, pull('topicC', 'groupA'), CLIENT_IP),
      'accessKey=RocketMQ has no SUB permission on group groupA',
    );
    const heartbeat = encodeHeartbeatData({
      clientID: 'c@1',
      producerDataSet: [],
      consumerDataSet: [
        {
          groupName: 'groupB',
          consumeType: 'CONSUME_PASSIVELY',
          messageModel: 'CLUSTERING',
          consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
          unitMode: false,
          subscriptionDataSet: [
            {
              classFilterMode: false,
              topic: 'topicA',
              subString: '*',
              tagsSet: [],
              codeSet: [],
              subVersion: 1,
              expressionType: 'TAG',
            },
          ],
        },
      ],
    });
    const beat = petrelSigned(RequestCode.HEART_BEAT, {}, heartbeat);
    assert.match(checkAccess(table, beat, CLIENT_IP) ?? '', /no SUB permission on topic topicA/);
  });

  it('lets only admin accounts send admin codes', () => {
    const create = petrelSigned(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'T' }, null);
    assert.match(checkAccess(table, create, CLIENT_IP) ?? '', /needs an admin account/);
    const asAdmin = createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'T' });
    signRequest(asAdmin, { accessKey: 'rocketmq2', secretKey: '12345678' });
    assert.equal(checkAccess(table, asAdmin, CLIENT_IP), null);
  });

  it('lets global and account white addresses through without a signature check', () => {
    const unsigned = createRequest(RequestCode.SEND_MESSAGE_V2, { a: 'PG', b: 'topicA' });
    assert.equal(checkAccess(table, unsigned, '10.10.103.7'), null);
    const badSignature = createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'T' });
    badSignature.extFields['AccessKey'] = 'rocketmq2';
    badSignature.extFields['Signature'] = 'bogus';
    assert.equal(checkAccess(table, badSignature, '192.168.1.20'), null);
    assert.match(checkAccess(table, badSignature, '192.168.2.20') ?? '', /Check signature failed/);
  });
});

describe('plain_acl.yml parsing', () => {
  it('reads the remote address forms RocketMQ accepts', () => {
    const cases: Array<[string, string, boolean]> = [
      ['*', '1.2.3.4', true],
      ['192.168.0.{1,2}', '192.168.0.2', true],
      ['192.168.0.{1,2}', '192.168.0.3', false],
      ['192.168.1-10.*', '192.168.5.9', true],
      ['192.168.1-10.*', '192.168.11.9', false],
      ['10.0.0.1,10.0.0.2', '10.0.0.2', true],
      ['', '10.0.0.2', false],
      ['127.0.0.1', '::ffff:127.0.0.1', true],
    ];
    for (const [pattern, ip, expected] of cases) {
      const matcher = parseRemoteAddress(pattern);
      assert.ok(typeof matcher === 'function', pattern);
      assert.equal(matcher(ip), expected, `${pattern} ~ ${ip}`);
    }
    assert.equal(typeof parseRemoteAddress('192.168.300.1'), 'string');
  });

  it('refuses typos instead of reading them as DENY, naming the file and account', () => {
    const bad =
      'accounts:\n  - accessKey: someone1\n    secretKey: 12345678\n    defaultTopicPerm: PUBSUB\n    topicPrems: [a=PUB]\n';
    assert.throws(
      () => parseAclFile(bad, 'x.yml'),
      (error: Error) =>
        error instanceof AclFileError &&
        /x\.yml: account "someone1": unknown field "topicPrems"/.test(error.message) &&
        /defaultTopicPerm: "PUBSUB" is not DENY, PUB, SUB or PUB\|SUB/.test(error.message),
    );
    assert.throws(
      () => parseAclFile('accounts:\n  - accessKey: short\n    secretKey: 1\n', 'y.yml'),
      /longer than 6/,
    );
    const one = parseAclFile(
      'accounts:\n  - accessKey: twice12\n    secretKey: 12345678\n',
      'a.yml',
    );
    assert.throws(
      () =>
        mergeAclFiles([
          ['a.yml', one],
          ['b.yml', one],
        ]),
      /declared in both a\.yml and b\.yml/,
    );
  });
});
