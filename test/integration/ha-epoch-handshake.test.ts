// The controller-mode HA handshake between real stores over 127.0.0.1 (RocketMQ 5's AutoSwitch
// handshake in Petrel's frames): a replica copies its master's epochs; an old master that rejoins
// after a failover is cut to the last common epoch and offset, the bytes it loses are moved aside
// to a file named in the log (never dropped), and it then matches the new master byte for byte;
// a replica that has seen a newer epoch than the master's is refused and the master learns that
// epoch (the broker fences itself on it).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../common/clock.js';
import { type EpochEntry, EpochFile, entriesUpTo } from '../../engine/checkpoint/epoch-file.js';
import { type BrokerStore, openBrokerStore } from '../../engine/internal.js';
import { NodeFileIO } from '../../engine/io/node-file-io.js';
import { SlaveReplica } from '../../ha/master-slave/slave-replica.js';
import { createHaSenderFactory } from '../../workers/store/ha-sender-host.js';
import { makeTmpDir } from '../harness/tmp-dir.js';
import { waitFor } from '../harness/wait-for.js';

const base = {
  mappedFileSizeCommitLog: 256 * 1024,
  mappedFileSizeConsumeQueue: 20 * 1000,
  maxMessageSize: 16 * 1024,
  tailCacheBytes: 1024 * 1024,
  appendRingBytes: 1024 * 1024,
  maxHashSlotNum: 100,
  maxIndexNum: 10_000,
  haSendHeartbeatInterval: 200,
  haHousekeepingInterval: 2000,
  slaveTimeout: 1000,
};
const dirs: Array<{ remove: () => void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});
const tmp = () => {
  const d = makeTmpDir('petrel-epoch-ha-');
  dirs.push(d);
  return d.path;
};
const io = new NodeFileIO();

function master(root: string, entries: readonly EpochEntry[]): Promise<BrokerStore> {
  return openBrokerStore(
    {
      storePathRootDir: root,
      brokerRole: 'ASYNC_MASTER',
      haListenPort: 0,
      haListenHost: '127.0.0.1',
      ...base,
    },
    { haSender: createHaSenderFactory(), epochEntries: entries },
  );
}

/**
 * A controller-mode replica: its epoch file travels in the hello and follows the master's as the
 * bytes arrive (copyEpochs(), which the broker runs on every heartbeat).
 */
function replica(root: string, brokerId: number, lines: string[]) {
  const epochs = EpochFile.open(io, join(root, 'epochFileCheckpoint'));
  let current: BrokerStore | undefined;
  let masterEntries: EpochEntry[] = [];
  const copyEpochs = () =>
    epochs.replace(entriesUpTo(masterEntries, current?.getMaxPhyOffset() ?? 0));
  const r = new SlaveReplica<BrokerStore>(
    {
      heartbeatIntervalMs: 200,
      housekeepingIntervalMs: 2000,
      reconnectDelayMs: 50,
      maxFrameBodyBytes: 1 << 20,
    },
    {
      open: (truncateTo) =>
        openBrokerStore(
          { storePathRootDir: root, brokerRole: 'SLAVE', ...base },
          truncateTo === undefined ? {} : { truncateCommitLogTo: truncateTo },
        ),
      clock: systemClock,
      logger: { info: (m) => lines.push(m), warn: (m) => lines.push(m) },
      onStore: (store) => {
        current = store;
        epochs.truncateFrom(store.getMaxPhyOffset() + 1);
      },
      epochs: {
        replicaIdentity: () => ({ brokerId, epochs: epochs.entries }),
        onMasterEpochs: (entries) => {
          masterEntries = entries;
          copyEpochs();
        },
      },
    },
  );
  return { replica: r, epochs, copyEpochs };
}

async function putMany(store: BrokerStore, from: number, count: number): Promise<void> {
  const results = await Promise.all(
    Array.from({ length: count }, (_, k) =>
      store.putMessage({ topic: 'Epoch', queueId: 0, body: Buffer.from(`message ${from + k}`) }),
    ),
  );
  for (const r of results) assert.equal(r.status, 'PUT_OK');
}

function logBytes(root: string): Buffer {
  const dir = `${root}/commitlog`;
  const names = readdirSync(dir).sort();
  return Buffer.concat(names.map((n) => readFileSync(`${dir}/${n}`)));
}

describe('controller-mode HA handshake', { timeout: 60_000 }, () => {
  it('cuts a rejoining old master to the last common epoch, keeps the cut bytes aside, then matches the new master', async () => {
    const aRoot = tmp();
    const bRoot = tmp();
    // A is master in epoch 1; B replicates and copies A's epochs.
    const aEpochs = EpochFile.open(io, join(aRoot, 'epochFileCheckpoint'));
    aEpochs.append(1, 0);
    const a = await master(aRoot, aEpochs.entries);
    await putMany(a, 0, 40);
    const bLines: string[] = [];
    const b = replica(bRoot, 2, bLines);
    await b.replica.start(`127.0.0.1:${a.haStatus().haPort}`);
    await waitFor(() => b.replica.store.getMaxPhyOffset() === a.getMaxPhyOffset(), {
      timeoutMs: 10_000,
      what: 'B to catch up with A',
    });
    b.copyEpochs();
    assert.deepEqual(b.epochs.entries, [{ epoch: 1, startOffset: 0 }]);
    const common = b.replica.store.getMaxPhyOffset();
    await b.replica.close();
    // A writes 20 more that B never gets, then dies; B takes over in epoch 2 at `common`.
    await putMany(a, 40, 20);
    const aEnd = a.getMaxPhyOffset();
    assert.ok(aEnd > common);
    const lost = logBytes(aRoot).subarray(common, aEnd);
    await a.close();
    b.epochs.append(2, common);
    const bMaster = await master(bRoot, b.epochs.entries);
    await putMany(bMaster, 1000, 10);
    // A rejoins as a replica of B with its epoch-1 history.
    const aLines: string[] = [];
    const aReplica = replica(aRoot, 1, aLines);
    await aReplica.replica.start(`127.0.0.1:${bMaster.haStatus().haPort}`);
    await waitFor(() => aReplica.replica.truncations === 1, {
      timeoutMs: 10_000,
      what: 'A to be cut',
    });
    await aReplica.replica.settled();
    await waitFor(() => aReplica.replica.store.getMaxPhyOffset() === bMaster.getMaxPhyOffset(), {
      timeoutMs: 10_000,
      what: 'A to catch up with B',
    });
    const cutLine = aLines.find((l) => /slave cut its CommitLog at/.test(l));
    assert.ok(cutLine, aLines.join('\n'));
    assert.match(cutLine, new RegExp(`at ${common} `));
    const movedTo = /kept in (\S+)$/.exec(cutLine)?.[1];
    assert.ok(movedTo !== undefined, cutLine);
    // The cut bytes are A's 20 unreplicated messages, kept whole.
    const kept = statSync(movedTo).isDirectory()
      ? Buffer.concat(
          readdirSync(movedTo)
            .sort()
            .map((n) => readFileSync(join(movedTo, n))),
        )
      : readFileSync(movedTo);
    assert.ok(kept.includes(lost.subarray(0, Math.min(lost.byteLength, 200))));
    aReplica.copyEpochs();
    assert.deepEqual(aReplica.epochs.entries, [
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: common },
    ]);
    await aReplica.replica.close();
    await bMaster.close();
    const end = bMaster.getMaxPhyOffset();
    assert.ok(logBytes(aRoot).subarray(0, end).equals(logBytes(bRoot).subarray(0, end)));
  });

  it('refuses a replica that has seen a newer epoch and tells the master that epoch', async () => {
    const mRoot = tmp();
    const m = await master(mRoot, [{ epoch: 1, startOffset: 0 }]);
    await putMany(m, 0, 5);
    const rRoot = tmp();
    const lines: string[] = [];
    const r = replica(rRoot, 3, lines);
    r.epochs.append(3, 0);
    await r.replica.start(`127.0.0.1:${m.haStatus().haPort}`);
    await waitFor(() => m.haStatus().peerEpoch === 3, {
      timeoutMs: 10_000,
      what: 'the master to learn epoch 3',
    });
    assert.equal(m.haStatus().slaveCount, 0);
    assert.equal(r.replica.store.getMaxPhyOffset(), 0, 'nothing streamed from a deposed master');
    await r.replica.close();
    await m.close();
  });
});
