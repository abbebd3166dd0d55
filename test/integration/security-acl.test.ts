// Goal: a NameServer and a broker with aclEnable=true serve unchanged RocketMQ clients that sign
// their requests (ali-ons with accessKey/secretKey, Petrel's client with the same options) and
// refuse everything else with NO_PERMISSION, storing nothing. Method: real mqnamesrv and mqbroker
// processes on 127.0.0.1 reading plain_acl.yml from <rocketmqHome>/conf/ plus an extra account
// file in conf/acl/ (the broker's own admin credentials, used to register with the NameServer).
// Checked: allowed send and consume (Petrel client and ali-ons); a topic and a group the account
// lacks; a wrong secret; a captured request replayed with a modified body (refused, and the
// queue's max offset does not move); a reload of the edited file; admin-only codes; mqadmin
// signing with conf/tools.yml; a slave that syncs from its master and registers, signing both.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Admin, type MessageExt, Producer, PushConsumer } from '../../client/index.js';
import { type AclCredentials, signRequest } from '../../protocol/acl-signature.js';
import { createRequest, RemotingClient, RequestCode, ResponseCode } from '../../protocol/index.js';
import {
  type PetrelProcess,
  startBroker,
  startNamesrv,
  stopAll,
  tmpDir,
} from '../harness/petrel-processes.js';
import { type Child, spawnNode } from '../harness/spawn-process.js';
import { waitFor } from '../harness/wait-for.js';

const run = promisify(execFile);
const MQADMIN = join(process.cwd(), 'bin', 'mqadmin');
const aliOns = fileURLToPath(new URL('../fixtures/ali-ons/ali-ons-client.js', import.meta.url));
const PRODUCER: AclCredentials = { accessKey: 'producer1', secretKey: 'producer-secret' };
const CONSUMER: AclCredentials = { accessKey: 'consumer1', secretKey: 'consumer-secret' };
const ADMIN: AclCredentials = { accessKey: 'adminuser', secretKey: 'admin-secret' };

function aclYaml(producerTopics: string[]): string {
  return [
    'globalWhiteRemoteAddresses: []',
    'accounts:',
    '  - accessKey: producer1',
    '    secretKey: producer-secret',
    '    defaultTopicPerm: DENY',
    '    defaultGroupPerm: DENY',
    '    topicPerms:',
    ...producerTopics.map((t) => `      - ${t}=PUB`),
    '  - accessKey: consumer1',
    '    secretKey: consumer-secret',
    '    defaultTopicPerm: DENY',
    '    defaultGroupPerm: DENY',
    '    topicPerms: [AclTopic=SUB]',
    '    groupPerms: [AclGroup=SUB]',
    '  - accessKey: adminuser',
    '    secretKey: admin-secret',
    '    admin: true',
    '    defaultTopicPerm: PUB|SUB',
    '    defaultGroupPerm: PUB|SUB',
    '',
  ].join('\n');
}

let home: string;

function aclArgs(): string[] {
  return ['--aclEnable=true', `--rocketmqHome=${home}`, '--aclReloadIntervalMs=100'];
}

/** A broker's ACL keys, with its own (admin) credentials for NameServers and its master. */
function brokerAclArgs(): string[] {
  return [...aclArgs(), '--aclAccessKey=brokerinner', '--aclSecretKey=broker-secret'];
}
let ns: PetrelProcess;
let broker: PetrelProcess;
let admin: Admin;
const closers: Array<() => Promise<unknown>> = [];
const children: Child[] = [];

/** The ali-ons fixture in a child process, with ali-ons options (accessKey, secretKey). */
function runAliOns(mode: string[], options: object): Child {
  const child = spawnNode(aliOns, mode, { ALI_ONS_OPTIONS: JSON.stringify(options) });
  children.push(child);
  return child;
}

function raw(address: string, credentials?: AclCredentials): RemotingClient {
  const client = new RemotingClient({ address, credentials });
  closers.push(() => client.close());
  return client;
}

async function maxOffset(topic: string): Promise<number> {
  const status = await admin.topicStatus(topic);
  return status.reduce((sum, q) => sum + q.maxOffset, 0);
}

before(async () => {
  home = tmpDir('petrel-acl-home-');
  mkdirSync(join(home, 'conf', 'acl'), { recursive: true });
  writeFileSync(join(home, 'conf', 'plain_acl.yml'), aclYaml(['AclTopic']));
  writeFileSync(
    join(home, 'conf', 'acl', 'brokers.yml'),
    'accounts:\n  - accessKey: brokerinner\n    secretKey: broker-secret\n    admin: true\n',
  );
  ns = await startNamesrv(aclArgs());
  broker = await startBroker([ns.address], { extra: brokerAclArgs() });
  admin = new Admin({ namesrvAddr: ns.address, ...ADMIN });
  await admin.start();
  closers.push(() => admin.shutdown());
  for (const topic of ['AclTopic', 'OtherTopic']) {
    await admin.createTopic({
      topic,
      brokerAddr: broker.address,
      readQueueNums: 1,
      writeQueueNums: 1,
    });
  }
  await waitFor(async () => (await admin.topicRoute('OtherTopic')).queueDatas.length === 1, {
    timeoutMs: 15_000,
    what: 'routes registered by the broker with its own credentials',
  });
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  await stopAll();
});

describe('plain ACL on a real NameServer and broker', { timeout: 120_000 }, () => {
  it('refuses unsigned requests at the NameServer and the broker', async () => {
    const fromNs = await raw(ns.address).invoke(
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'AclTopic' }),
      5000,
    );
    assert.equal(fromNs.code, ResponseCode.NO_PERMISSION);
    assert.match(fromNs.remark ?? '', /No accessKey is configured/);
    const fromBroker = await raw(broker.address).invoke(
      createRequest(RequestCode.GET_MAX_OFFSET, { topic: 'AclTopic', queueId: 0 }),
      5000,
    );
    assert.equal(fromBroker.code, ResponseCode.NO_PERMISSION);
  });

  it('lets only admin accounts create topics', async () => {
    const request = () =>
      createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
        topic: 'NotByProducer',
        defaultTopic: 'TBW102',
        readQueueNums: 1,
        writeQueueNums: 1,
        perm: 6,
        topicFilterType: 'SINGLE_TAG',
        topicSysFlag: 0,
        order: false,
      });
    const refused = await raw(broker.address, PRODUCER).invoke(request(), 5000);
    assert.equal(refused.code, ResponseCode.NO_PERMISSION);
    assert.match(refused.remark ?? '', /UPDATE_AND_CREATE_TOPIC\(17\) needs an admin account/);
    const allowed = await raw(broker.address, ADMIN).invoke(request(), 5000);
    assert.equal(allowed.code, ResponseCode.SUCCESS);
  });

  it("Petrel's client sends and consumes with its account; other topics and groups are refused", async () => {
    const producer = new Producer({ namesrvAddr: ns.address, groupName: 'AclPG', ...PRODUCER });
    await producer.start();
    closers.push(() => producer.shutdown());
    const sent = await producer.send({ topic: 'AclTopic', body: 'allowed-1' });
    assert.equal(sent.sendStatus, 'SEND_OK');
    const before = await maxOffset('OtherTopic');
    await assert.rejects(producer.send({ topic: 'OtherTopic', body: 'denied' }), (error: Error) =>
      /no PUB permission on topic OtherTopic/.test(error.message),
    );
    assert.equal(await maxOffset('OtherTopic'), before, 'nothing stored for a refused send');

    const got: MessageExt[] = [];
    const consumer = new PushConsumer({
      namesrvAddr: ns.address,
      groupName: 'AclGroup',
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      rebalanceIntervalMs: 500,
      ...CONSUMER,
    });
    consumer.subscribe('AclTopic', '*', (messages) => {
      got.push(...messages);
    });
    await consumer.start();
    await waitFor(() => got.some((m) => m.body.toString() === 'allowed-1'), {
      timeoutMs: 20_000,
      what: 'the consumer receives the allowed message',
    });
    await consumer.shutdown();

    const pull = (group: string) =>
      raw(broker.address, CONSUMER).invoke(
        createRequest(RequestCode.PULL_MESSAGE, {
          consumerGroup: group,
          topic: 'AclTopic',
          queueId: 0,
          queueOffset: 0,
          maxMsgNums: 1,
          sysFlag: 0,
          commitOffset: 0,
          suspendTimeoutMillis: 0,
          subVersion: 0,
        }),
        5000,
      );
    const denied = await pull('OtherGroup');
    assert.equal(denied.code, ResponseCode.NO_PERMISSION);
    assert.match(denied.remark ?? '', /no SUB permission on group OtherGroup/);
  });

  it('refuses a wrong secret, and a captured request replayed with a modified body', async () => {
    const wrong = new Producer({
      namesrvAddr: ns.address,
      groupName: 'AclPG2',
      accessKey: PRODUCER.accessKey,
      secretKey: 'not-the-secret',
    });
    closers.push(() => wrong.shutdown());
    await wrong.start();
    await assert.rejects(
      wrong.send({ topic: 'AclTopic', body: 'x' }),
      /Check signature failed|NO_PERMISSION/,
    );

    const send = createRequest(
      RequestCode.SEND_MESSAGE_V2,
      { a: 'AclPG', b: 'AclTopic', c: 'TBW102', d: 1, e: 0, f: 0, g: Date.now(), h: 0, i: '' },
      Buffer.from('original body'),
    );
    signRequest(send, PRODUCER);
    const before = await maxOffset('AclTopic');
    const tampered = {
      ...send,
      extFields: { ...send.extFields },
      body: Buffer.from('evil body!!!!'),
    };
    const refused = await raw(broker.address).invoke(tampered, 5000);
    assert.equal(refused.code, ResponseCode.NO_PERMISSION);
    assert.equal(refused.remark, 'Check signature failed for accessKey=producer1');
    assert.equal(await maxOffset('AclTopic'), before, 'the tampered message is not stored');
  });

  it('reloads plain_acl.yml when it changes', async () => {
    const client = raw(broker.address, PRODUCER);
    const sendOther = () =>
      client.invoke(
        createRequest(
          RequestCode.SEND_MESSAGE_V2,
          {
            a: 'AclPG',
            b: 'OtherTopic',
            c: 'TBW102',
            d: 1,
            e: 0,
            f: 0,
            g: Date.now(),
            h: 0,
            i: '',
          },
          Buffer.from('after reload'),
        ),
        5000,
      );
    assert.equal((await sendOther()).code, ResponseCode.NO_PERMISSION);
    writeFileSync(join(home, 'conf', 'plain_acl.yml'), aclYaml(['AclTopic', 'OtherTopic']));
    await waitFor(async () => (await sendOther()).code === ResponseCode.SUCCESS, {
      timeoutMs: 10_000,
      what: 'the broker reloads the ACL and accepts OtherTopic',
    });
    writeFileSync(join(home, 'conf', 'plain_acl.yml'), aclYaml(['AclTopic']));
    await waitFor(async () => (await sendOther()).code === ResponseCode.NO_PERMISSION, {
      timeoutMs: 10_000,
      what: 'the broker reloads the ACL and refuses OtherTopic again',
    });
  });

  it('a slave signs its sync requests to its ACL master and its registration', async () => {
    await startBroker([ns.address], {
      name: 'broker-a',
      extra: [
        ...brokerAclArgs(),
        '--brokerId=1',
        '--brokerRole=SLAVE',
        '--haListenPort=0',
        '--slaveSynchronizeInterval=300',
      ],
    });
    // The slave registers AclTopic only after copying the topic table from the master.
    await waitFor(
      async () =>
        Object.keys((await admin.topicRoute('AclTopic')).brokerDatas[0]?.brokerAddrs ?? {})
          .length === 2,
      { timeoutMs: 20_000, what: 'the slave learns AclTopic from the master and registers it' },
    );
  });

  it('mqadmin signs with $ROCKETMQ_HOME/conf/tools.yml, as RocketMQ tools do', async () => {
    const mqadmin = async (toolsHome: string) => {
      try {
        await run(
          process.execPath,
          [MQADMIN, 'updateTopic', '-t', 'ToolsTopic', '-c', 'DefaultCluster'],
          {
            timeout: 20_000,
            env: { ...process.env, NAMESRV_ADDR: ns.address, ROCKETMQ_HOME: toolsHome },
          },
        );
        return 0;
      } catch (error) {
        return (error as { code?: number }).code ?? -1;
      }
    };
    const withoutTools = tmpDir('petrel-no-tools-');
    assert.notEqual(await mqadmin(withoutTools), 0, 'unsigned mqadmin is refused');
    writeFileSync(
      join(home, 'conf', 'tools.yml'),
      'accessKey: adminuser\nsecretKey: admin-secret\n',
    );
    assert.equal(await mqadmin(home), 0, 'mqadmin with the admin account in tools.yml');
  });

  it('serves ali-ons with accessKey and secretKey, and refuses it with a wrong secret', async () => {
    const consumer = runAliOns(['consume', ns.address, 'AclTopic', 'AclGroup', '*', '0'], CONSUMER);
    await waitFor(() => consumer.lines.some((l) => l.includes('"event":"ready"')), {
      timeoutMs: 20_000,
      what: `ali-ons consumer ready (${consumer.stderr.slice(-3).join(' | ')})`,
    });
    const producer = runAliOns(['produce', ns.address, 'AclTopic', '3', 'ali'], PRODUCER);
    assert.equal(await producer.exited, 0, producer.stderr.slice(-5).join(' | '));
    await waitFor(() => consumer.lines.filter((l) => l.includes('"body":"ali-')).length === 3, {
      timeoutMs: 30_000,
      what: `ali-ons consumer receives three messages (${consumer.stderr.slice(-3).join(' | ')})`,
    });
    const before = await maxOffset('AclTopic');
    const wrong = runAliOns(['produce', ns.address, 'AclTopic', '1', 'bad'], {
      accessKey: PRODUCER.accessKey,
      secretKey: 'not-the-secret',
    });
    assert.notEqual(await wrong.exited, 0, 'the producer with a wrong secret fails');
    assert.equal(await maxOffset('AclTopic'), before);
  });

  it('refuses ali-ons a topic and a group its account lacks', async () => {
    const before = await maxOffset('OtherTopic');
    const producer = runAliOns(['produce', ns.address, 'OtherTopic', '1', 'denied'], PRODUCER);
    assert.notEqual(await producer.exited, 0, 'ali-ons cannot send to OtherTopic');
    assert.equal(await maxOffset('OtherTopic'), before, 'nothing stored');
    const consumer = runAliOns(
      ['consume', ns.address, 'AclTopic', 'OtherGroup', '*', '0'],
      CONSUMER,
    );
    await waitFor(
      () => consumer.stderr.some((l) => /no SUB permission on group OtherGroup/.test(l)),
      {
        timeoutMs: 20_000,
        what: 'the broker refuses the heartbeat of ali-ons group OtherGroup',
      },
    );
    assert.ok(!consumer.lines.some((l) => l.includes('"event":"got"')), 'nothing consumed');
    consumer.kill('SIGKILL');
  });
});
