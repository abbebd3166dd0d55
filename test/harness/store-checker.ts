// Reads a whole store back and checks it against what producers were told: every acknowledged
// message readable and byte-identical at the queue offset it was acknowledged with, no message
// twice, queue offsets contiguous, no message that was never attempted.

import assert from 'node:assert/strict';
import type { MessageStore } from '../../engine/index.js';
import { bodyFor } from './message-bodies.js';

export interface Ack {
  id: number;
  queueId: number;
  queueOffset: number;
}

export interface StoreContent {
  /** id -> [queueId, queueOffset] of every message found. */
  found: Map<number, [number, number]>;
  maxId: number;
}

/** `allowGaps`: a repaired store has a hole in a queue where a damaged record was. */
export async function readAllMessages(
  store: MessageStore,
  topic: string,
  queueCount: number,
  options: { allowGaps?: boolean } = {},
): Promise<StoreContent> {
  const found = new Map<number, [number, number]>();
  let maxId = -1;
  for (let queueId = 0; queueId < queueCount; queueId++) {
    const max = store.getMaxOffsetInQueue(topic, queueId);
    let offset = store.getMinOffsetInQueue(topic, queueId);
    while (offset < max) {
      const got = await store.getMessage({ topic, queueId, queueOffset: offset, maxMsgNums: 256 });
      assert.equal(got.status, 'FOUND', `queue ${queueId} offset ${offset}: ${got.status}`);
      for (const m of got.messages) {
        if (options.allowGaps === true && m.queueOffset > offset) offset = m.queueOffset;
        assert.equal(m.queueOffset, offset, `queue ${queueId}: offsets are contiguous`);
        const id = Number(m.properties['id']);
        assert.ok(!found.has(id), `message ${id} appears twice`);
        assert.ok(m.body.equals(bodyFor(id, 32, 16 * 1024)), `message ${id} body is intact`);
        found.set(id, [queueId, offset]);
        maxId = Math.max(maxId, id);
        offset++;
      }
    }
  }
  return { found, maxId };
}

export function checkAcked(content: StoreContent, acks: readonly Ack[]): void {
  for (const ack of acks) {
    const where = content.found.get(ack.id);
    assert.ok(where !== undefined, `acknowledged message ${ack.id} is missing`);
    assert.deepEqual(where, [ack.queueId, ack.queueOffset], `acknowledged message ${ack.id} moved`);
  }
}

export function parseAcks(lines: readonly string[]): Ack[] {
  const acks: Ack[] = [];
  for (const line of lines) {
    const m = /^ack (\d+) (\d+) (\d+) /.exec(line);
    if (m !== null)
      acks.push({ id: Number(m[1]), queueId: Number(m[2]), queueOffset: Number(m[3]) });
  }
  return acks;
}
