// Bad input to a broker running as a real process on 127.0.0.1, over the raw RocketMQ protocol:
// unknown request codes, malformed send headers and frames, transaction flags without their
// property, and bad group names; each is refused with a stable code, appends nothing, and costs
// at most the connection that sent it.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { encodeProperties, RequestCode, ResponseCode } from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import {
  type PetrelProcess,
  startBroker,
  startNamesrv,
  stopAll,
} from '../harness/petrel-processes.js';

let broker: PetrelProcess;
let client: TestClient;

before(async () => {
  const namesrv = await startNamesrv();
  broker = await startBroker([namesrv.address], { extra: ['--maxMessageSize=65536'] });
  client = new TestClient(broker.address);
});

after(async () => {
  await client?.close();
  await stopAll();
});

function commitLogMaxOffset(): Promise<number> {
  return client.runtimeFigure('commitLogMaxOffset');
}

describe('Bad input to the broker', { timeout: 60_000 }, () => {
  it('answers an unknown request code with REQUEST_CODE_NOT_SUPPORTED and keeps the connection', async () => {
    const response = await client.invoke(9999);
    assert.equal(response.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    assert.equal(
      (await client.invoke(RequestCode.GET_BROKER_RUNTIME_INFO)).code,
      ResponseCode.SUCCESS,
    );
  });

  it('refuses malformed send headers with MESSAGE_ILLEGAL and appends nothing', async () => {
    const before = await commitLogMaxOffset();
    const good = { a: 'PG', b: 'TopicBad', c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0 };
    const notInt = await client.invoke(
      RequestCode.SEND_MESSAGE_V2,
      { ...good, e: 'abc' },
      Buffer.from('x'),
    );
    assert.equal(notInt.code, ResponseCode.MESSAGE_ILLEGAL);
    assert.match(notInt.remark ?? '', /"e"/);
    const { b: _, ...noTopic } = good;
    const missing = await client.invoke(RequestCode.SEND_MESSAGE_V2, noTopic, Buffer.from('x'));
    assert.equal(missing.code, ResponseCode.MESSAGE_ILLEGAL);
    const empty = await client.invoke(RequestCode.SEND_MESSAGE_V2, good, null);
    assert.equal(empty.code, ResponseCode.MESSAGE_ILLEGAL);
    const huge = await client.invoke(RequestCode.SEND_MESSAGE_V2, good, Buffer.alloc(65_537));
    assert.equal(huge.code, ResponseCode.MESSAGE_ILLEGAL);
    const badName = await client.invoke(
      RequestCode.SEND_MESSAGE_V2,
      { ...good, b: 'bad topic' },
      Buffer.from('x'),
    );
    assert.equal(badName.code, ResponseCode.MESSAGE_ILLEGAL);
    const badPull = await client.invoke(RequestCode.PULL_MESSAGE, {
      consumerGroup: 'G',
      topic: 'T',
    });
    assert.equal(badPull.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(await commitLogMaxOffset(), before, 'nothing appended');
  });

  it('refuses a transaction type in the sysFlag without TRAN_MSG, and stores TRAN_MSG sends as half messages', async () => {
    const before = await commitLogMaxOffset();
    const header = { a: 'PG', b: 'TopicTx', c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0 };
    // Prepared, commit and rollback: the transaction-type bits (0x4, 0x8, 0xc) of the sysFlag.
    for (const f of [0x4, 0x8, 0xc, 0x4 | 0x1]) {
      const response = await client.invoke(
        RequestCode.SEND_MESSAGE_V2,
        { ...header, f },
        Buffer.from('x'),
      );
      assert.equal(response.code, ResponseCode.NO_PERMISSION, `sysFlag ${f}`);
      assert.match(response.remark ?? '', /transaction/);
    }
    assert.equal(await commitLogMaxOffset(), before, 'nothing appended');
    const tranProperty = encodeProperties({ TRAN_MSG: 'true', PGROUP: 'PG' });
    const byProperty = await client.invoke(
      RequestCode.SEND_MESSAGE_V2,
      { ...header, i: tranProperty },
      Buffer.from('x'),
    );
    assert.equal(byProperty.code, ResponseCode.SUCCESS, 'a prepared send is a half message');
    const halfMax = await client.invoke(RequestCode.GET_MAX_OFFSET, {
      topic: 'RMQ_SYS_TRANS_HALF_TOPIC',
      queueId: 0,
    });
    assert.equal(Number(halfMax.extFields['offset']) > 0, true, 'stored in the half topic');
    const plain = await client.invoke(RequestCode.SEND_MESSAGE_V2, header, Buffer.from('x'));
    assert.equal(plain.code, ResponseCode.SUCCESS, 'the same send without a transaction is stored');
  });

  it('refuses bad group names at heartbeat, send-back, pulls and offset commands with E_GROUP_NAME_INVALID', async () => {
    const sent = await client.send('TopicBadGroup', 'give me back', { queueId: 0 });
    assert.equal(sent.code, ResponseCode.SUCCESS);
    const stored = (
      await client.pull({ group: 'GOK', topic: 'TopicBadGroup', queueId: 0, offset: 0 })
    ).messages[0];
    assert.ok(stored);
    const refusedWith = (r: { code: number; remark: string | null }, what: string) => {
      assert.equal(r.code, ResponseCode.SYSTEM_ERROR, `${what}: ${r.remark}`);
      assert.match(r.remark ?? '', /^E_GROUP_NAME_INVALID: /, what);
    };
    for (const group of ['a/b', '../../EVIL', 'g'.repeat(200), 'bad\nname', 'g'.repeat(121)]) {
      const what = JSON.stringify(group).slice(0, 30);
      refusedWith(
        await client.heartbeat('10.0.0.9@7', group, 'TopicBadGroup', '*'),
        `heartbeat ${what}`,
      );
      const list = await client.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, {
        consumerGroup: group,
      });
      assert.equal(list.code, ResponseCode.SYSTEM_ERROR, `no consumer registered for ${what}`);
      refusedWith(
        await client.invoke(RequestCode.CONSUMER_SEND_MSG_BACK, {
          offset: stored.commitLogOffset,
          group,
          delayLevel: 0,
          originMsgId: 'X',
          originTopic: 'TopicBadGroup',
          maxReconsumeTimes: 1,
        }),
        `send-back ${what}`,
      );
      const pull = await client.pull({ group, topic: 'TopicBadGroup', queueId: 0, offset: 0 });
      refusedWith(pull, `pull ${what}`);
      const offsetHeader = { consumerGroup: group, topic: 'TopicBadGroup', queueId: 0 };
      refusedWith(
        await client.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, {
          ...offsetHeader,
          commitOffset: 1,
        }),
        `offset update ${what}`,
      );
      refusedWith(
        await client.invoke(RequestCode.QUERY_CONSUMER_OFFSET, offsetHeader),
        `offset query ${what}`,
      );
    }
    // The longest consumer group whose retry topic is still a valid topic is taken.
    const longest = 'g'.repeat(120);
    assert.equal(
      (await client.heartbeat('10.0.0.9@7', longest, 'TopicBadGroup', '*')).code,
      ResponseCode.SUCCESS,
    );
  });

  it('closes only the connection that sends a malformed frame', async () => {
    const socket = connect({ host: '127.0.0.1', port: broker.port });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => socket.destroy());
    const frame = Buffer.alloc(12);
    frame.writeInt32BE(8, 0);
    frame.writeInt32BE(0x05000004, 4);
    socket.write(frame);
    await closed;
    assert.equal(
      (await client.invoke(RequestCode.GET_BROKER_RUNTIME_INFO)).code,
      ResponseCode.SUCCESS,
    );
  });
});
