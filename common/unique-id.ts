// Client-style unique message ids (UNIQ_KEY), shaped like RocketMQ's MessageClientIDSetter:
// 32 hex digits = ip (4 bytes) + pid (2) + a per-process random (4) + ms since the start of the
// current month (4) + a counter (2). Unique per process, sortable within a month.

import { writeInt64Buffer } from './bytes.js';

export class UniqueIdGenerator {
  #prefix: string;
  #counter = 0;
  #buf = Buffer.alloc(8);
  #monthStartMs = 0;
  #nextMonthMs = 0;

  constructor(ipv4: string, pid: number, random32: number) {
    const fixed = Buffer.alloc(10);
    const parts = ipv4.split('.').map((p) => Number(p) & 0xff);
    for (let i = 0; i < 4; i++) fixed.writeUInt8(parts[i] ?? 0, i);
    fixed.writeUInt16BE(pid & 0xffff, 4);
    fixed.writeUInt32BE(random32 >>> 0, 6);
    this.#prefix = fixed.toString('hex').toUpperCase();
  }

  next(nowMs: number): string {
    if (nowMs >= this.#nextMonthMs || nowMs < this.#monthStartMs) {
      const d = new Date(nowMs);
      this.#monthStartMs = new Date(d.getFullYear(), d.getMonth(), 1).getTime();
      this.#nextMonthMs = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
    }
    writeInt64Buffer(this.#buf, 0, 0);
    this.#buf.writeUInt32BE((nowMs - this.#monthStartMs) >>> 0, 2);
    this.#counter = (this.#counter + 1) & 0xffff;
    this.#buf.writeUInt16BE(this.#counter, 6);
    return this.#prefix + this.#buf.toString('hex', 2, 8).toUpperCase();
  }
}
