// Broadcasting consumers keep their offsets on the client, optionally in a JSON file per client
// and group, so a restarted broadcasting consumer resumes where it left off.
//
// RocketMQ: client/.../consumer/store/LocalFileOffsetStore.java (offsets.json under
// ~/.rocketmq_offsets/<clientId>/<group>/, written through a .bak copy); ali-ons:
// lib/store/local_file.js.
//
//   {"offsetTable":[{"topic":"T","brokerName":"broker-a","queueId":0,"offset":12}, ...]}
//
// Writes go to a temporary file first and are renamed over the old one, so a crash leaves either
// the old or the new table, never a torn one.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, MqError } from '../common/errors.js';
import type { MessageQueue } from './message-queue.js';

export interface StoredOffset {
  queue: MessageQueue;
  offset: number;
}

export function offsetFilePath(dir: string, clientId: string, group: string): string {
  const safeClientId = clientId.replace(/[^A-Za-z0-9._@-]/g, '_');
  return join(dir, safeClientId, group, 'offsets.json');
}

function parseOffsets(text: string, path: string): StoredOffset[] {
  const fail = (why: string) =>
    new MqError(ErrorCode.BODY_MALFORMED, `Offset file "${path}" is not valid: ${why}`, { path });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new MqError(
      ErrorCode.BODY_MALFORMED,
      `Offset file "${path}" is not JSON`,
      { path },
      {
        cause,
      },
    );
  }
  const table = (parsed as { offsetTable?: unknown } | null)?.offsetTable;
  if (!Array.isArray(table)) throw fail('no offsetTable array');
  return table.map((item: unknown, index) => {
    const o = item as Record<string, unknown>;
    const { topic, brokerName, queueId, offset } = o;
    if (typeof topic !== 'string' || typeof brokerName !== 'string') {
      throw fail(`entry ${index} lacks topic or brokerName`);
    }
    if (!Number.isInteger(queueId) || !Number.isSafeInteger(offset) || (offset as number) < 0) {
      throw fail(`entry ${index} has a bad queueId or offset`);
    }
    return { queue: { topic, brokerName, queueId: queueId as number }, offset: offset as number };
  });
}

/** The stored offsets, or [] when the file does not exist. */
export async function loadOffsetFile(path: string): Promise<StoredOffset[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new MqError(
      ErrorCode.IO_ERROR,
      `Cannot read offset file "${path}"`,
      { path },
      {
        cause: error,
      },
    );
  }
  return parseOffsets(text, path);
}

export async function saveOffsetFile(
  path: string,
  offsets: readonly StoredOffset[],
): Promise<void> {
  const body = JSON.stringify({
    offsetTable: offsets.map((o) => ({ ...o.queue, offset: o.offset })),
  });
  const dir = join(path, '..');
  const temporary = `${path}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temporary, body);
    await rename(temporary, path);
  } catch (error) {
    throw new MqError(
      ErrorCode.IO_ERROR,
      `Cannot write offset file "${path}"`,
      { path },
      {
        cause: error,
      },
    );
  }
}
