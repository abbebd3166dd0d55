// Goal: a broker whose store meets a real storage fault keeps running, refuses writes with a clear
// status and code, keeps serving reads, loses nothing it acknowledged, and takes writes again by
// itself once the cause is gone.
// Method: the store lives on a small tmpfs mounted for the test (root is needed to mount; without
// it the tests are skipped and say so). The disk is filled suddenly with a filler file, faster than
// the periodic space check, so the writer thread meets ENOSPC itself (the puts its stalled batch
// holds are answered at once with E_DISK_FULL); then the filler is deleted.
// A tmpfs remounted read-only before start shows the read-only refusal at open.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  createRequest,
  decodeTopicRouteData,
  encodeProperties,
  type RemotingCommand,
  RequestCode,
  ResponseCode,
} from '../../protocol/index.js';
import { TestClient } from '../harness/broker-client.js';
import {
  cliPath,
  type PetrelProcess,
  smallBrokerArgs,
  startBroker,
  startNamesrv,
  stopAll,
  tmpDir,
} from '../harness/petrel-processes.js';
import { spawnNode } from '../harness/spawn-process.js';
import { makeTmpDir } from '../harness/tmp-dir.js';
import { waitFor } from '../harness/wait-for.js';

const TOPIC = 'TopicFull';
const BODY = Buffer.alloc(8 * 1024, 'b');

/** Mounts a tmpfs of `sizeMiB` at a fresh directory; undefined when mounting is not permitted. */
function mountTmpfs(sizeMiB: number): { path: string; unmount: () => void } | undefined {
  const dir = makeTmpDir('petrel-tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir.path], {
      stdio: 'pipe',
    });
  } catch {
    dir.remove();
    return undefined;
  }
  return {
    path: dir.path,
    /** Unmounts (lazily, after the processes using it were killed) and removes the directory. */
    unmount: () => {
      try {
        execFileSync('umount', ['-l', dir.path], { stdio: 'pipe' });
      } catch {
        // Already unmounted.
      }
      dir.remove();
    },
  };
}

/** Writes zeros to `path` until the file system is full; returns bytes written. */
function fillDisk(path: string): number {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(256 * 1024);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return written;
}

async function routePerm(ns: TestClient): Promise<number | undefined> {
  const response = await ns.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: TOPIC });
  if (response.code !== ResponseCode.SUCCESS) return undefined;
  return decodeTopicRouteData(response.body).queueDatas[0]?.perm;
}

/** A send that answers within `timeoutMs`, or undefined (the put may still be stored later). */
async function trySend(client: TestClient, id: number): Promise<RemotingCommand | undefined> {
  try {
    return await client.remoting.invoke(
      createRequest(
        RequestCode.SEND_MESSAGE_V2,
        {
          a: 'PG',
          b: TOPIC,
          c: 'TBW102',
          d: 1,
          e: 0,
          f: 0,
          g: Date.now(),
          h: 0,
          i: encodeProperties({ id: String(id) }),
          j: 0,
        },
        BODY,
      ),
      3_000,
    );
  } catch {
    return undefined;
  }
}

describe('storage faults under a running broker (tmpfs)', () => {
  const mount = mountTmpfs(24);
  let namesrv: PetrelProcess;
  let ns: TestClient;
  after(async () => {
    await ns?.remoting.close();
    await stopAll();
    mount?.unmount();
  });
  before(async () => {
    if (mount === undefined) return;
    namesrv = await startNamesrv();
    ns = new TestClient(namesrv.address);
  });

  it('refuses writes with E_DISK_FULL on a full disk, keeps serving reads, loses nothing acknowledged, and resumes when space returns', {
    skip: mount === undefined ? 'mount -t tmpfs is not permitted here (needs root)' : false,
    timeout: 120_000,
  }, async () => {
    const dir = `${mount?.path}/store`;
    mkdirSync(dir);
    const broker = await startBroker([namesrv.address], {
      dir,
      extra: [
        '--mappedFileSizeCommitLog=1048576',
        '--maxMessageSize=65536',
        '--mappedFileSizeConsumeQueue=120000',
        '--tailCacheBytes=4194304',
        '--appendRingBytes=4194304',
        '--registerNameServerPeriod=60000',
      ],
    });
    const client = new TestClient(broker.address);
    try {
      const created = await client.invoke(RequestCode.UPDATE_AND_CREATE_TOPIC, {
        topic: TOPIC,
        defaultTopic: 'TBW102',
        readQueueNums: 1,
        writeQueueNums: 1,
        perm: 6,
        topicFilterType: 'SINGLE_TAG',
        order: false,
      });
      assert.equal(created.code, ResponseCode.SUCCESS, created.remark ?? '');
      const acked = new Set<number>();
      let id = 0;
      for (; id < 40; id++) {
        const r = await trySend(client, id);
        assert.equal(r?.code, ResponseCode.SUCCESS, r?.remark ?? 'no answer');
        acked.add(id);
      }
      await waitFor(async () => (await routePerm(ns)) === 6, {
        timeoutMs: 10_000,
        what: 'the topic registered writable',
      });

      fillDisk(`${mount?.path}/filler`);
      // At once, before the periodic check: the writer meets ENOSPC itself (or the check wins).
      const answers: Array<RemotingCommand | undefined> = [];
      for (let i = 0; i < 5; i++, id++) {
        const r = await trySend(client, id);
        answers.push(r);
        if (r?.code === ResponseCode.SUCCESS) acked.add(id);
      }
      const refusal = await waitFor(
        async () => {
          const r = await trySend(client, id++);
          if (r?.code === ResponseCode.SUCCESS) acked.add(id - 1);
          return r?.code === ResponseCode.SERVICE_NOT_AVAILABLE ? r : undefined;
        },
        { timeoutMs: 15_000, what: 'a send refused as SERVICE_NOT_AVAILABLE' },
      );
      assert.match(refusal.remark ?? '', /E_DISK_FULL/);
      process.stdout.write(
        `# right after the fill: ${answers.map((r) => (r === undefined ? 'no answer' : r.code)).join(', ')}; refusal: ${refusal.remark}\n`,
      );
      for (const r of answers) {
        // A put the stalled writer holds is answered while the disk is full, not when space returns.
        assert.ok(r !== undefined, 'a send right after the fill got no answer within 3 s');
        if (r.code === ResponseCode.SUCCESS) continue;
        assert.equal(r.code, ResponseCode.SERVICE_NOT_AVAILABLE, r.remark ?? '');
        assert.match(r.remark ?? '', /E_DISK_FULL/);
      }
      await waitFor(async () => (await routePerm(ns)) === 4, {
        timeoutMs: 10_000,
        what: 'the NameServer to hear the broker is not writable',
      });
      await waitFor(
        () => broker.child.stderr.some((l) => /ERROR .*refuses writes.*E_DISK_FULL/.test(l)),
        {
          timeoutMs: 5_000,
          what: 'an ERROR log line naming E_DISK_FULL',
        },
      );
      // Reads go on while the disk is full.
      const pulled = await client.pull({
        group: 'CG',
        topic: TOPIC,
        queueId: 0,
        offset: 0,
        maxMsgNums: 32,
      });
      assert.equal(pulled.code, ResponseCode.SUCCESS, pulled.remark ?? '');
      assert.ok(pulled.messages.length > 0, 'the pull returned messages');

      rmSync(`${mount?.path}/filler`);
      await waitFor(
        async () => {
          const r = await trySend(client, id++);
          if (r?.code === ResponseCode.SUCCESS) acked.add(id - 1);
          return r?.code === ResponseCode.SUCCESS;
        },
        { timeoutMs: 15_000, what: 'writes to resume by themselves' },
      );
      await waitFor(async () => (await routePerm(ns)) === 6, {
        timeoutMs: 10_000,
        what: 'the NameServer to hear the broker is writable again',
      });
      assert.equal(broker.child.process.exitCode, null, 'the broker is still running');

      const stored = new Set<number>();
      for (let offset = 0; ; ) {
        const page = await client.pull({
          group: 'CG',
          topic: TOPIC,
          queueId: 0,
          offset,
          maxMsgNums: 32,
        });
        if (page.code !== ResponseCode.SUCCESS || page.messages.length === 0) break;
        for (const m of page.messages) {
          assert.deepEqual(m.body, BODY);
          const mid = Number(m.properties['id']);
          assert.ok(!stored.has(mid), `message ${mid} stored twice`);
          stored.add(mid);
        }
        offset = page.nextBeginOffset;
      }
      const lost = [...acked].filter((a) => !stored.has(a));
      assert.deepEqual(lost, [], 'acknowledged messages missing');
      assert.ok(
        !broker.child.stderr.some((l) => /Uncaught|exited/.test(l)),
        broker.child.stderr.join('\n'),
      );
    } finally {
      await client.remoting.close();
    }
  });

  it('refuses to start on a read-only file system with E_STORE_READ_ONLY, naming the path', {
    skip: mount === undefined ? 'mount -t tmpfs is not permitted here (needs root)' : false,
    timeout: 60_000,
  }, async () => {
    const ro = mountTmpfs(1);
    assert.ok(ro !== undefined);
    try {
      execFileSync('mount', ['-o', 'remount,ro', ro.path], { stdio: 'pipe' });
      const root = tmpDir('petrel-ro-root-');
      const cases = [
        { store: `${ro.path}/store`, extra: [] as string[], path: `${ro.path}/store` },
        {
          store: root,
          extra: [`--storePathCommitLog=${ro.path}/commitlog`],
          path: `${ro.path}/commitlog`,
        },
      ];
      for (const c of cases) {
        const child = spawnNode(cliPath('mqbroker'), [
          '--brokerIP1=127.0.0.1',
          '--bindAddress=127.0.0.1',
          '--listenPort=0',
          `--storePathRootDir=${c.store}`,
          ...smallBrokerArgs,
          ...c.extra,
        ]);
        const code = await child.exited;
        assert.notEqual(code, 0, 'the broker refused to start');
        const text = child.stderr.join('\n');
        assert.match(text, /E_STORE_READ_ONLY/, text);
        assert.match(text, /read-only file system/, text);
        assert.ok(text.includes(c.path), text);
        assert.doesNotMatch(text, /Broker started/);
      }
    } finally {
      ro.unmount();
    }
  });
});

describe('store directory removed under a running broker', () => {
  after(() => stopAll());

  it('refuses writes with E_STORE_MISSING and keeps running through its clean rounds', {
    timeout: 60_000,
  }, async () => {
    const cleanIntervalMs = 300;
    const broker = await startBroker([], {
      extra: [`--cleanResourceInterval=${cleanIntervalMs}`],
    });
    const client = new TestClient(broker.address);
    try {
      const first = await trySend(client, 0);
      assert.equal(first?.code, ResponseCode.SUCCESS, first?.remark ?? 'no answer');
      rmSync(broker.dir, { recursive: true, force: true });
      const removedAt = Date.now();
      const refusal = await waitFor(
        async () => {
          const r = await trySend(client, 1);
          return r?.code === ResponseCode.SERVICE_NOT_AVAILABLE ? r : undefined;
        },
        { timeoutMs: 10_000, what: 'a send refused after the store directory was removed' },
      );
      assert.match(refusal.remark ?? '', /E_STORE_MISSING/);
      // The broker must answer, and refuse, across several clean rounds (the old CleanService
      // threw from its timer on statfs ENOENT and killed the process).
      let answered = 0;
      while (Date.now() - removedAt < 4 * cleanIntervalMs || answered < 3) {
        const r = await trySend(client, 2);
        assert.equal(r?.code, ResponseCode.SERVICE_NOT_AVAILABLE, r?.remark ?? 'no answer');
        assert.match(r?.remark ?? '', /E_STORE_MISSING/);
        answered++;
      }
      assert.equal(broker.child.process.exitCode, null, 'the broker is still running');
      assert.ok(
        broker.child.stderr.some((l) => /ERROR .*refuses writes.*E_STORE_MISSING/.test(l)),
        broker.child.stderr.join('\n'),
      );
      assert.ok(
        !broker.child.stderr.some((l) => /Uncaught/.test(l)),
        broker.child.stderr.join('\n'),
      );
    } finally {
      await client.remoting.close();
    }
  });
});
