// The web console in real headless Chromium against a real cluster: a NameServer serving the
// console and a three-member DLedger group, fed by real producers and consumers. Each page loads
// and shows the figures `mqadmin --json` gives; an action is refused without the admin token and
// done with it; a cross-site request is refused (by the browser's same-origin policy for a fetch
// with the console's header, by the console for a plain form post); kill -9 of the master shows on
// the map (the master died, a replica took over) and on the failover timeline within seconds.
// Screenshots of the map and the timeline are kept under the artefact directory.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Producer } from '../../client/producer.js';
import { ConsumeStatus, PushConsumer } from '../../client/push-consumer.js';
import { launchChromium } from '../harness/browser.js';
import { DledgerGroup } from '../harness/dledger-group.js';
import { mqadminCli } from '../harness/mqadmin-cli.js';
import { waitFor } from '../harness/wait-for.js';

const TOKEN = 'console-test-token';
const TOPIC = 'ConsoleTopic';
const GROUP = 'ConsoleCG';
const artefacts = process.env['PETREL_ARTEFACT_DIR'] ?? join(tmpdir(), 'petrel-artefacts');

let group: DledgerGroup;
let browser: Browser;
let page: Page;
let url: string;
let retriedMsgId = '';
const mqadmin = mqadminCli(() => group.namesrvAddr);

async function open(hash: string): Promise<void> {
  await page.goto(`${url}#${hash}`);
}

async function cells(selector: string): Promise<string[][]> {
  return page.$$eval(`${selector} tbody tr`, (rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  );
}

describe('the web console in Chromium', { timeout: 240_000 }, () => {
  before(async () => {
    mkdirSync(artefacts, { recursive: true });
    group = await DledgerGroup.start([], {
      namesrvArgs: ['--consoleListenPort=0', `--consoleAdminToken=${TOKEN}`],
    });
    const line = await group.namesrv.child.waitForLine(/^console http:\/\/\S+$/, 20_000);
    url = line.slice('console '.length);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(20_000);
    await feed();
  });

  after(async () => {
    await browser?.close();
    await group?.stop();
  });

  /** Messages on TOPIC, one of them retried once by the consumer group (a copy in %RETRY%). */
  async function feed(): Promise<void> {
    const producer = new Producer({ namesrvAddr: group.namesrvAddr, groupName: 'ConsolePG' });
    const consumer = new PushConsumer({
      namesrvAddr: group.namesrvAddr,
      groupName: GROUP,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      persistConsumerOffsetIntervalMs: 200,
    });
    await producer.start();
    try {
      for (let i = 0; i < 20; i++) {
        const sent = await producer.send({ topic: TOPIC, body: `m${i}`, keys: `key-${i}` });
        if (i === 7) retriedMsgId = sent.msgId;
      }
      const seen = new Map<string, number>();
      consumer.subscribe(TOPIC, '*', (messages) => {
        for (const m of messages) seen.set(m.msgId, (seen.get(m.msgId) ?? 0) + 1);
        const first = messages.some((m) => m.msgId === retriedMsgId && seen.get(m.msgId) === 1);
        return first ? ConsumeStatus.RECONSUME_LATER : ConsumeStatus.CONSUME_SUCCESS;
      });
      await consumer.start();
      await waitFor(
        async () => {
          const p = await mqadmin.json('consumerProgress', '-g', GROUP, '-t', TOPIC);
          return seen.size === 20 && p['diffTotal'] === 0;
        },
        { timeoutMs: 30_000, what: 'every message consumed and committed' },
      );
    } finally {
      await consumer.shutdown();
      await producer.shutdown();
    }
    await group.waitSameEnd(20_000);
  }

  it('the cluster map shows the group as mqadmin haStatus and clusterList do', async () => {
    const ha = (await mqadmin.json('haStatus'))['groups'] as Array<{ master: string }>;
    const brokers = (await mqadmin.json('clusterList'))['brokers'] as Array<{ address: string }>;
    await open('/map');
    const box = page.locator(`[data-group="broker-a"][data-master="${ha[0]?.master}"]`);
    await box.waitFor();
    const members = await box
      .locator('[data-member][data-broker-id]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-member') ?? ''));
    assert.deepEqual(members.sort(), brokers.map((b) => b.address).sort());
    await page.locator('[data-in-sync-set]').first().waitFor();
    const inSync = await waitFor(
      async () => {
        const set = await box.locator('[data-in-sync-set]').getAttribute('data-in-sync-set');
        return set?.split(',').length === 3 ? set : undefined;
      },
      { timeoutMs: 10_000, what: 'all three members in sync' },
    );
    assert.equal(inSync.split(',')[0], ha[0]?.master, 'the master heads the in-sync set');
  });

  it('the topic page shows the queues and offsets of mqadmin topicStatus', async () => {
    const status = (await mqadmin.json('topicStatus', '-t', TOPIC))['queues'] as Array<{
      queue: { brokerName: string; queueId: number };
      minOffset: number;
      maxOffset: number;
    }>;
    await open(`/topics?topic=${TOPIC}`);
    await page.locator(`[data-topic-queues="${TOPIC}"]`).waitFor();
    const rows = await cells(`[data-topic-queues="${TOPIC}"]`);
    const expected = status.map((q) => [
      q.queue.brokerName,
      String(q.queue.queueId),
      String(q.minOffset),
      String(q.maxOffset),
    ]);
    assert.deepEqual(rows, expected);
    assert.equal(
      expected.reduce((sum, r) => sum + Number(r[3]), 0),
      20,
    );
  });

  it('the group page shows the lag per queue of mqadmin consumerProgress', async () => {
    const progress = await mqadmin.json('consumerProgress', '-g', GROUP);
    await open(`/groups?group=${GROUP}`);
    const lag = await page.locator('[data-group-lag]').getAttribute('data-group-lag');
    assert.equal(Number(lag), progress['diffTotal']);
    const rows = await cells(`[data-group-queues="${GROUP}"]`);
    const queues = progress['queues'] as Array<{ consumerOffset: number; diff: number }>;
    assert.deepEqual(
      rows.map((r) => [Number(r[4]), Number(r[5])]),
      queues.map((q) => [q.consumerOffset, q.diff]),
    );
  });

  it('message search finds a message by id with its retry copy, and by key', async () => {
    await open('/messages');
    const form = page.locator('form[data-search]');
    await form.locator('input[name=topic]').fill(TOPIC);
    await form.locator('input[name=msgId]').fill(retriedMsgId);
    await form.locator('button').click();
    await page.locator('[data-found="1"]').waitFor();
    const copies = await page.locator('[data-copies]').getAttribute('data-copies');
    assert.ok(Number(copies) >= 1, `the retried message has a copy in %RETRY%${GROUP}`);
    assert.match((await cells('[data-results] table')).flat().join(' '), /%RETRY%ConsoleCG/);
    await form.locator('input[name=msgId]').fill('');
    await form.locator('input[name=key]').fill('key-3');
    await form.locator('button').click();
    await page.locator('[data-found="1"]').waitFor();
    assert.match((await cells('[data-results] table')).flat().join(' '), /m3/);
    // By store time: the default range (the last hour) holds the topic's 20 messages.
    await form.locator('input[name=key]').fill('');
    await form.locator('button').click();
    await page.locator('[data-found="20"]').waitFor();
  });

  it('the live charts take samples', async () => {
    await open('/charts');
    await page.locator('[data-samples="2"]').waitFor();
    assert.equal(await page.locator('polyline[data-series="in"]').count(), 1);
  });

  it('an action is refused without the token and done with it', async () => {
    await open('/topics');
    const form = page.locator('form[data-action="createTopic"]');
    await form.locator('input[name=topic]').fill('ConsoleCreated');
    await form.locator('button').click();
    const outcome = page.locator('[data-outcome="createTopic"]');
    await page.locator('[data-outcome="createTopic"][data-state="refused"]').waitFor();
    assert.match((await outcome.textContent()) ?? '', /E_CONSOLE_TOKEN/);
    assert.ok(
      !((await mqadmin.json('topicList'))['topicList'] as string[]).includes('ConsoleCreated'),
    );
    await page.locator('#token').fill(TOKEN);
    await page.locator('#token').dispatchEvent('change');
    await form.locator('button').click();
    await page.locator('[data-outcome="createTopic"][data-state="done"]').waitFor();
    assert.ok(
      ((await mqadmin.json('topicList'))['topicList'] as string[]).includes('ConsoleCreated'),
    );
    // Resetting the group's offsets to the start brings back a lag of every message.
    await open(`/groups?group=${GROUP}`);
    const reset = page.locator('form[data-action="resetOffset"]');
    await reset.locator('input[name=topic]').fill(TOPIC);
    await reset.locator('input[name=timestamp]').fill('0');
    await reset.locator('button').click();
    await page.locator('[data-outcome="resetOffset"][data-state="done"]').waitFor();
    const progress = await mqadmin.json('consumerProgress', '-g', GROUP, '-t', TOPIC);
    assert.equal(progress['diffTotal'], 20);
    // Wipe and restore broker-a's write permission on the NameServer's routes.
    const perm = async () => {
      const route = await mqadmin.json('topicRoute', '-t', TOPIC);
      return (route['queueDatas'] as Array<{ perm: number }>)[0]?.perm;
    };
    await open('/topics');
    for (const [action, expected] of [
      ['wipeWritePerm', 4],
      ['addWritePerm', 6],
    ] as const) {
      const permForm = page.locator(`form[data-action="${action}"]`);
      await permForm.locator('input[name=brokerName]').fill('broker-a');
      await permForm.locator('button').click();
      await page.locator(`[data-outcome="${action}"][data-state="done"]`).waitFor();
      assert.equal(await perm(), expected, action);
    }
  });

  it('refuses cross-site requests', async () => {
    // A page of another origin (localhost is not 127.0.0.1 to the browser) calling the API with
    // the console's header: the browser asks for CORS first and the console grants none.
    const other = await browser.newPage();
    try {
      const foreign = url.replace('127.0.0.1', 'localhost');
      await other.goto(`${foreign}#/map`);
      const outcome = await other.evaluate(
        async ({ target, token }) => {
          try {
            const r = await fetch(`${target}api/actions/createTopic`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'x-petrel-console': '1',
                'x-petrel-console-token': token,
              },
              body: JSON.stringify({ topic: 'CrossSiteFetch' }),
            });
            return `status ${r.status}`;
          } catch (error) {
            return `blocked: ${String(error)}`;
          }
        },
        { target: url, token: TOKEN },
      );
      assert.match(outcome, /^blocked/);
      // A plain form post needs no preflight (the classic CSRF): the console itself refuses it.
      const answer = other.waitForResponse((r) => r.url().endsWith('/api/actions/createTopic'));
      await other.setContent(
        `<form method="POST" enctype="text/plain" action="${url}api/actions/createTopic">` +
          `<input name='{"topic":"CrossSiteForm","x":"' value='"}'></form>`,
      );
      await other
        .locator('form')
        .evaluate((form) => (form as unknown as { submit(): void }).submit());
      const formResponse = await answer;
      assert.equal(formResponse.status(), 403);
      assert.match(await formResponse.text(), /E_CONSOLE_CROSS_SITE/);
    } finally {
      await other.close();
    }
    const response = await fetch(`${url}api/actions/createTopic`, {
      method: 'POST',
      headers: {
        origin: 'http://evil.example',
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/json',
        'x-petrel-console': '1',
        'x-petrel-console-token': TOKEN,
      },
      body: JSON.stringify({ topic: 'CrossSiteNode' }),
    });
    assert.equal(response.status, 403);
    const body = (await response.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'E_CONSOLE_CROSS_SITE');
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    const topics = (await mqadmin.json('topicList'))['topicList'] as string[];
    for (const t of ['CrossSiteFetch', 'CrossSiteForm', 'CrossSiteNode']) {
      assert.ok(!topics.includes(t), `${t} was not created`);
    }
  });

  it('kill -9 of the master shows on the map and the failover timeline within seconds', async () => {
    const old = group.node((await group.leaderIndex())!);
    const oldIndex = group.nodes.indexOf(old);
    await open('/map');
    await page.locator(`[data-group="broker-a"][data-master="${old.address}"]`).waitFor();
    await group.kill(oldIndex);
    await page
      .locator(`[data-mark="died"][data-member="${old.address}"]`)
      .waitFor({ timeout: 10_000 });
    const took = page.locator('[data-mark="took-over"]');
    await took.waitFor({ timeout: 15_000 });
    const newMaster = await page.locator('[data-group="broker-a"]').getAttribute('data-master');
    const ha = (await mqadmin.json('haStatus'))['groups'] as Array<{ master: string }>;
    assert.equal(newMaster, ha[0]?.master);
    assert.notEqual(newMaster, old.address);
    await page.screenshot({ path: join(artefacts, 'console-map.png'), fullPage: true });
    await open('/timeline');
    await page.locator(`[data-failover="broker-a"][data-new-master="${newMaster}"]`).waitFor();
    await page.screenshot({ path: join(artefacts, 'console-timeline.png'), fullPage: true });
    console.log(`console screenshots in ${artefacts}`);
  });
});
