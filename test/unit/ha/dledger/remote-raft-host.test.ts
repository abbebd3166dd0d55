// The Raft host behind its channel (host-channel.ts), both ends on one thread over real rings: a
// one-member RaftHost served by a HostEndpoint, driven through a RemoteRaftHost as the broker
// drives it. Committed entries reach the owner in log order and before their outcomes; proposals
// read together share one save; full rings and the pending bound answer BUSY at once; a full
// events ring holds the host until the owner reads; transfers are answered; close answers CLOSED;
// a failing state machine stops the owner side with STORAGE_FAILED.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPrng } from '../../../../common/prng.js';
import { HostEndpoint } from '../../../../ha/dledger/host-endpoint.js';
import type { ProposeOutcome, RaftLogStore } from '../../../../ha/dledger/host-types.js';
import { RaftHost } from '../../../../ha/dledger/raft-host.js';
import { RemoteRaftHost } from '../../../../ha/dledger/remote-raft-host.js';
import { MemoryStorage } from '../../../../ha/raft/log-storage.js';
import { type Entry, EntryType, Role } from '../../../../ha/raft/messages.js';
import { SpscRing } from '../../../../workers/ring/spsc-ring.js';
import { waitFor } from '../../../harness/wait-for.js';

class CountingLogStore extends MemoryStorage implements RaftLogStore {
  readonly saves: number[] = [];

  save(
    entries: readonly Entry[],
    hardState: Parameters<RaftLogStore['save']>[1],
    _sync: boolean,
    done: (error: Error | null) => void,
  ): void {
    if (entries.length > 0) this.saves.push(entries.length);
    this.append(entries);
    if (hardState !== null) this.setHardState(hardState);
    done(null);
  }
}

const manual = { repeat: () => () => undefined };
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const bytes = (s: string) => new TextEncoder().encode(s);

interface Setup {
  host: RaftHost;
  endpoint: HostEndpoint;
  remote: RemoteRaftHost;
  store: CountingLogStore;
  applied: string[];
  running: Promise<void>;
  fatal: Error[];
}

function setup(
  options: {
    requestBytes?: number;
    eventBytes?: number;
    maxPending?: number;
    apply?: (entries: readonly Entry[]) => void;
  } = {},
): Setup {
  const requests = SpscRing.create(options.requestBytes ?? 1 << 20);
  const events = SpscRing.create(options.eventBytes ?? 1 << 20);
  const endpoint = new HostEndpoint({
    requests: SpscRing.attach(requests.sab),
    events: SpscRing.attach(events.sab),
    scheduler: manual,
    statusIntervalMs: 100,
    maxOutboxRecords: 10_000,
  });
  const store = new CountingLogStore();
  const host = new RaftHost({
    id: 'n0',
    peers: ['n0'],
    storage: store,
    transport: { send: () => undefined },
    scheduler: manual,
    prng: createPrng(1),
    apply: endpoint.apply,
    onRoleChange: endpoint.onRoleChange,
    onFatal: endpoint.onFatal,
  });
  const applied: string[] = [];
  const fatal: Error[] = [];
  const remote = new RemoteRaftHost({
    id: 'n0',
    requests,
    events,
    maxPendingProposals: options.maxPending ?? 1000,
    apply:
      options.apply ??
      ((entries) => {
        for (const e of entries) if (e.type === EntryType.NORMAL) applied.push(text(e.data));
      }),
    onFatal: (error) => fatal.push(error),
  });
  endpoint.attach(host);
  host.start();
  host.campaign();
  const running = remote.start();
  return { host, endpoint, remote, store, applied, running, fatal };
}

async function leader(s: Setup): Promise<void> {
  await waitFor(() => s.remote.role === Role.LEADER, { timeoutMs: 5000, what: 'LEADER mirrored' });
}

function stop(s: Setup): Promise<void> {
  s.endpoint.close();
  return s.running;
}

describe('RemoteRaftHost over a HostEndpoint', () => {
  it('applies committed entries in order on the owner side, each before its outcome', async () => {
    const s = setup();
    await leader(s);
    const seen: string[][] = [];
    const outcomes = await Promise.all(
      ['a', 'b', 'c'].map((v) =>
        s.remote.propose(bytes(v)).then((outcome) => {
          seen.push([...s.applied]);
          return outcome;
        }),
      ),
    );
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['COMMITTED', 'COMMITTED', 'COMMITTED'],
    );
    assert.deepEqual(s.applied, ['a', 'b', 'c']);
    for (const [i, value] of ['a', 'b', 'c'].entries()) {
      assert.ok(seen[i]?.includes(value), `${value} applied before its outcome`);
    }
    assert.equal(s.remote.term, s.host.term);
    assert.ok(s.remote.commitIndex >= (outcomes[2] as ProposeOutcome).index);
    await stop(s);
  });

  it('proposals read together share one save', async () => {
    const s = setup();
    await leader(s);
    const all = Array.from({ length: 50 }, (_, i) => s.remote.propose(bytes(`m${i}`)));
    const outcomes = await Promise.all(all);
    assert.ok(outcomes.every((o) => o.status === 'COMMITTED'));
    assert.ok(s.store.saves.includes(50), `saves: ${s.store.saves.join(',')}`);
    await stop(s);
  });

  it('answers BUSY at once when the requests ring or the pending bound is full', async () => {
    const small = setup({ requestBytes: 1024 });
    await leader(small);
    const answers: ProposeOutcome[] = [];
    for (let i = 0; i < 10; i++) small.remote.submit(new Uint8Array(200), (o) => answers.push(o));
    assert.ok(answers.length > 0 && answers.every((o) => o.status === 'BUSY'));
    await waitFor(() => answers.length === 10, { timeoutMs: 5000, what: 'every answer' });
    assert.ok(answers.some((o) => o.status === 'COMMITTED'));
    await stop(small);

    const bounded = setup({ maxPending: 2 });
    await leader(bounded);
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) bounded.remote.submit(bytes('x'), (o) => statuses.push(o.status));
    assert.deepEqual(statuses, ['BUSY']);
    await waitFor(() => statuses.length === 3, { timeoutMs: 5000, what: 'every answer' });
    await stop(bounded);
  });

  it('holds the host while the events ring is full and delivers everything in order', async () => {
    const s = setup({ eventBytes: 4096 });
    await leader(s);
    const values = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(900, '.'));
    const outcomes = await Promise.all(values.map((v) => s.remote.propose(bytes(v))));
    assert.ok(outcomes.every((o) => o.status === 'COMMITTED'));
    assert.deepEqual(s.applied, values);
    await stop(s);
  });

  it('answers leadership transfers', async () => {
    const s = setup();
    await leader(s);
    assert.deepEqual(await s.remote.transferLeadership('n0'), { status: 'ALREADY_LEADER' });
    assert.deepEqual(await s.remote.transferLeadership('n9'), {
      status: 'UNKNOWN_PEER',
      transferee: 'n9',
    });
    await stop(s);
  });

  it('close answers pending proposals CLOSED and ends the owner loop', async () => {
    const s = setup();
    const pending = s.remote.propose(bytes('late'));
    s.host.close();
    s.endpoint.close();
    await s.running;
    const outcome = await pending;
    assert.ok(outcome.status === 'CLOSED' || outcome.status === 'NOT_LEADER', outcome.status);
    assert.equal((await s.remote.propose(bytes('after'))).status, 'CLOSED');
  });

  it('a failing state machine stops the owner side with STORAGE_FAILED', async () => {
    const s = setup({
      apply: (entries) => {
        if (entries.some((e) => e.type === EntryType.NORMAL)) throw new Error('disk gone');
      },
    });
    await leader(s);
    const outcome = await s.remote.propose(bytes('x'));
    assert.equal(outcome.status, 'STORAGE_FAILED');
    assert.equal(s.fatal[0]?.message, 'disk gone');
    assert.equal((await s.remote.propose(bytes('y'))).status, 'STORAGE_FAILED');
    s.endpoint.close();
  });
});
