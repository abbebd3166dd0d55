// The live store role and the replicated append strategy, on real stores (in-thread and on worker
// threads): a store switches between master and slave at runtime, fenced by a number; a put that
// raced a role change fails with ROLE_CHANGED and never half-applies; a replicated log (stamped on
// the leader, applied on every replica through the raw-append path) leaves byte-identical
// CommitLogs and ConsumeQueues, across segment ends and a change of leader.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MqError } from '../../../common/errors.js';
import {
  type BrokerStore as MessageStore,
  openBrokerStore as openStore,
} from '../../../engine/internal.js';
import { StoreRole } from '../../../engine/message-store.js';
import type { ReplicateOutcome } from '../../../engine/put/replicated-append.js';
import { makeTmpDir } from '../../harness/tmp-dir.js';
import { waitFor } from '../../harness/wait-for.js';

const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});
const tmp = () => {
  const d = makeTmpDir('petrel-role-');
  dirs.push(d);
  return d.path;
};

const small = {
  mappedFileSizeCommitLog: 64 * 1024,
  mappedFileSizeConsumeQueue: 20 * 100,
  maxMessageSize: 8192,
  appendRingBytes: 1024 * 1024,
  tailCacheBytes: 512 * 1024,
  maxHashSlotNum: 64,
  maxIndexNum: 512,
  haTransferBatchSize: 4096,
};

const body = (i: number) => Buffer.from(`m${i}:${'x'.repeat((i * 397) % 3000)}`);

/** A replicated log in one process: entries commit in order and are applied to every replica. */
class LoopbackLog {
  replicas: MessageStore[] = [];
  entries: Buffer[] = [];
  /** Refuse the next proposal outright (as a busy or deposed Raft leader does). */
  refuseNext = false;
  /** Refuse the next proposal later, nothing appended (a batch refused after its puts). */
  refuseLaterNext = false;

  replicate(entry: Buffer, settle: (o: ReplicateOutcome) => void): void {
    if (this.refuseNext) {
      this.refuseNext = false;
      settle({ committed: false, appended: false, reason: 'refused for the test' });
      return;
    }
    if (this.refuseLaterNext) {
      this.refuseLaterNext = false;
      setImmediate(() => settle({ committed: false, appended: false, reason: 'refused later' }));
      return;
    }
    const copy = Buffer.from(entry);
    this.entries.push(copy);
    // Entries proposed in one turn commit together and are applied in one call, as a Raft entry
    // of several puts is (contiguous records go to the writer in runs, BLANK records between).
    this.#pending.push({ entry: copy, settle });
    if (this.#pending.length === 1)
      setImmediate(() => {
        const batch = this.#pending.splice(0);
        for (const store of this.replicas)
          assert.equal(store.applyStamped(batch.map((p) => p.entry)), 'OK');
        for (const p of batch) p.settle({ committed: true, appended: true, reason: '' });
      });
  }

  #pending: Array<{ entry: Buffer; settle: (o: ReplicateOutcome) => void }> = [];
}

function filesOf(root: string, sub: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${rel}${e.name}/`);
      else out.set(`${rel}${e.name}`, readFileSync(join(dir, e.name)));
    }
  };
  walk(join(root, sub), '');
  return out;
}

function assertSameFiles(a: string, b: string, sub: string): number {
  const fa = filesOf(a, sub);
  const fb = filesOf(b, sub);
  assert.deepEqual([...fa.keys()].sort(), [...fb.keys()].sort(), `${sub}: same file names`);
  for (const [name, bytes] of fa) assert.ok(bytes.equals(fb.get(name)!), `${sub}/${name} differs`);
  return fa.size;
}

for (const threads of [false, true]) {
  describe(`live store role (threads: ${threads})`, () => {
    it('switches master -> slave -> master at runtime, fenced by a number that never goes back', async () => {
      const a = await openStore({ storePathRootDir: tmp(), threads, ...small });
      const b = await openStore({ storePathRootDir: tmp(), threads, ...small });
      try {
        assert.equal(a.role, StoreRole.MASTER);
        for (let i = 0; i < 20; i++)
          assert.equal(
            (await a.putMessage({ topic: 'R', queueId: 0, body: body(i) })).status,
            'PUT_OK',
          );
        await b.changeRole(StoreRole.SLAVE, 1);
        const refused = await b.putMessage({ topic: 'R', queueId: 0, body: body(0) });
        assert.equal(refused.status, 'SERVICE_NOT_AVAILABLE');
        // b follows a's log through the slave path, then is promoted and continues it.
        const end = a.getMaxPhyOffset();
        const bytes = readFileSync(join(a.options.storePathCommitLog, '0'.repeat(20))).subarray(
          0,
          end,
        );
        assert.equal(b.appendReplicated(0, bytes), 'OK');
        await b.changeRole(StoreRole.MASTER, 2);
        assert.equal(b.getMaxPhyOffset(), end);
        const next = await b.putMessage({ topic: 'R', queueId: 0, body: body(20) }, 2);
        assert.equal(next.status, 'PUT_OK');
        assert.equal(next.queueOffset, 20, 'queue offsets continue after the replicated records');
        assert.equal(next.commitLogOffset, end);
        assert.equal(b.appendReplicated(b.getMaxPhyOffset(), bytes), 'NOT_SLAVE');
        // Fences never go back, and a promotion needs a fence newer than the last master's.
        await assert.rejects(b.changeRole(StoreRole.SLAVE, 1), (e: unknown) => {
          return e instanceof MqError && e.code === 'E_ROLE_FENCE_STALE';
        });
        await b.changeRole(StoreRole.SLAVE, 2);
        await assert.rejects(b.changeRole(StoreRole.MASTER, 2), /E_ROLE_FENCE_STALE|fence 2/);
        const stale = await b.putMessage({ topic: 'R', queueId: 0, body: body(21) }, 2);
        assert.equal(stale.status, 'SERVICE_NOT_AVAILABLE');
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('a put that raced a demotion fails with ROLE_CHANGED and never half-applies', async () => {
      const root = tmp();
      const store = await openStore({ storePathRootDir: root, threads, ...small });
      const results = [];
      try {
        await store.changeRole(StoreRole.MASTER, 1);
        const early = Array.from({ length: 200 }, (_, i) =>
          store.putMessage({ topic: 'Race', queueId: i % 2, body: body(i) }, 1),
        );
        const demotion = store.changeRole(StoreRole.SLAVE, 2);
        const late = Array.from({ length: 50 }, (_, i) =>
          store.putMessage({ topic: 'Race', queueId: i % 2, body: body(200 + i) }, 1),
        );
        results.push(...(await Promise.all([...early, ...late])));
        await demotion;
        for (const r of results.slice(200))
          assert.equal(r.status, 'ROLE_CHANGED', 'a put at the old fence after the change');
        for (const r of results)
          assert.ok(
            r.status === 'PUT_OK' ||
              r.status === 'ROLE_CHANGED' ||
              r.status === 'FLUSH_SLAVE_TIMEOUT',
            r.status,
          );
      } finally {
        await store.close();
      }
      // Every acknowledged put is whole in the reopened store; nothing else is there.
      const reopened = await openStore({ storePathRootDir: root, threads, ...small });
      try {
        // Acknowledged, or stored and not confirmed: each of these is whole in the log.
        const acked = results.filter(
          (r) => r.status === 'PUT_OK' || r.status === 'FLUSH_SLAVE_TIMEOUT',
        );
        for (const r of acked) {
          const m = await reopened.lookMessageByOffset(r.commitLogOffset!);
          assert.ok(m !== undefined);
          assert.equal(m.queueOffset, r.queueOffset);
        }
        const stored =
          reopened.getMaxOffsetInQueue('Race', 0) + reopened.getMaxOffsetInQueue('Race', 1);
        assert.ok(
          stored >= acked.length && stored <= 200,
          `${stored} stored, ${acked.length} acked`,
        );
      } finally {
        await reopened.close();
      }
    });

    it('a replicated log stamped on the leader is byte-identical on every replica, across a change of leader', async () => {
      const [ra, rb] = [tmp(), tmp()];
      const log = new LoopbackLog();
      const a = await openStore({ storePathRootDir: ra, threads, ...small });
      const b = await openStore({ storePathRootDir: rb, threads, ...small, brokerRole: 'SLAVE' });
      log.replicas = [a, b];
      const acked: Array<{ offset: number; i: number }> = [];
      try {
        a.useReplicator(log);
        b.useReplicator(log);
        await a.changeRole(StoreRole.MASTER, 1);
        await b.changeRole(StoreRole.SLAVE, 1);
        const put = async (leader: MessageStore, i: number, fence: number) => {
          const r = await leader.putMessage({ topic: 'Rep', queueId: i % 3, body: body(i) }, fence);
          assert.equal(r.status, 'PUT_OK', r.reason);
          acked.push({ offset: r.commitLogOffset!, i });
        };
        await Promise.all(Array.from({ length: 60 }, (_, i) => put(a, i, 1)));
        log.refuseNext = true;
        const refused = await a.putMessage({ topic: 'Rep', queueId: 0, body: body(999) }, 1);
        assert.equal(refused.status, 'SERVICE_NOT_AVAILABLE', 'refused outright: nothing stamped');
        // Refused later: the stamp is a hole until nothing is in flight, then stamping resumes.
        log.refuseLaterNext = true;
        const later = await a.putMessage({ topic: 'Rep', queueId: 1, body: body(998) }, 1);
        assert.equal(later.status, 'SERVICE_NOT_AVAILABLE', later.reason);
        await Promise.all(Array.from({ length: 60 }, (_, i) => put(a, 60 + i, 1)));
        // The leader changes: b stamps from the applied log, a applies b's entries.
        await a.changeRole(StoreRole.SLAVE, 2);
        await b.changeRole(StoreRole.MASTER, 2);
        assert.equal(
          (await a.putMessage({ topic: 'Rep', queueId: 0, body: body(0) })).status,
          'SERVICE_NOT_AVAILABLE',
        );
        await Promise.all(Array.from({ length: 60 }, (_, i) => put(b, 120 + i, 2)));
        // An acknowledgement means the log holds the entry; the local write may follow it.
        const end = Math.max(...acked.map((x) => x.offset));
        await waitFor(() => a.getMaxPhyOffset() > end && b.getMaxPhyOffset() > end, {
          timeoutMs: 10_000,
          what: 'both replicas written',
        });
        assert.ok(a.getMaxPhyOffset() > 2 * small.mappedFileSizeCommitLog, 'several segments');
        for (const { offset, i } of acked) {
          const [ma, mb] = [
            await a.lookMessageByOffset(offset),
            await b.lookMessageByOffset(offset),
          ];
          assert.ok(ma !== undefined && mb !== undefined);
          assert.deepEqual(Buffer.from(ma.body), body(i));
          assert.equal(ma.storeTimestamp, mb.storeTimestamp);
        }
        // The ConsumeQueue views on this thread learn a replica's units after its CommitLog bytes.
        await waitFor(() => [0, 1, 2].every((q) => a.getMaxOffsetInQueue('Rep', q) === 60), {
          timeoutMs: 10_000,
          what: "every queue's 60 units on the new slave",
        });
      } finally {
        await a.close();
        await b.close();
      }
      assert.ok(assertSameFiles(ra, rb, 'commitlog') >= 3);
      assert.ok(assertSameFiles(ra, rb, 'consumequeue') >= 3);
    });
  });
}
