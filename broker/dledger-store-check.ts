// A store written in Master/Slave mode cannot become a DLedger member in place: its CommitLog was
// written by one master, with offsets the other members do not share, and no Raft log says which
// of its messages a majority holds. Adopting it would make the members' logs differ, so the broker
// refuses it with a clear error and the way to migrate (RocketMQ's upgrade path re-reads the old
// CommitLog as a legacy prefix on every member; Petrel does not, so the group starts empty).

import { join } from 'node:path';
import { ErrorCode, MqError } from '../common/errors.js';
import type { FileIO } from '../engine/io/file-io.js';

/** Throws E_DLEDGER_STORE_NOT_MIGRATED when `root` holds messages and no DLedger log. */
export function checkDledgerStore(
  io: FileIO,
  root: string,
  commitLogDir: string,
  raftDir: string,
): void {
  if (io.exists(raftDir)) return;
  const dir = commitLogDir;
  const first = io.list(dir).sort()[0];
  if (first === undefined) return;
  const fd = io.open(join(dir, first), { create: false, readOnly: true });
  const head = new Uint8Array(4);
  try {
    if (io.read(fd, head, 0, 4, 0) < 4) return;
  } finally {
    io.close(fd);
  }
  if (Buffer.from(head).readInt32BE(0) === 0) return;
  throw new MqError(
    ErrorCode.DLEDGER_STORE_NOT_MIGRATED,
    `The store at ${root} holds messages written in Master/Slave mode and no DLedger log ` +
      `(${raftDir}); a DLedger group cannot adopt it without its members' logs differing. ` +
      'To migrate: start the DLedger group on empty storePathRootDir directories (a new ' +
      'brokerName, or the same one after the old group is stopped), point producers at it, and ' +
      'let consumers drain the old group (run it with brokerPermission=4, read-only) before ' +
      'retiring it.',
    { root, raftDir },
  );
}
