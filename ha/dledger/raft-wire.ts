// Binary codec of Raft messages between DLedger peers (docs/dledger.md, "Wire format"). Every
// frame is a 4-byte big-endian length (of what follows) and a body whose first byte is its kind:
//
//   HELLO    kind 0x48 | version u8 | group (u8 length + UTF-8) | node id (u8 length + UTF-8)
//   MESSAGE  kind 0x4d | type u8 | flags u8 (1 reject, 2 transfer campaign) |
//            from (u8 length + UTF-8) | to (u8 length + UTF-8) |
//            term i64 | logTerm i64 | index i64 | commit i64 | rejectHint i64 |
//            entryCount u32 | entries: index i64 | term i64 | type u8 | dataLength u32 | data
//
// The first frame on a connection is HELLO (the dialer's group and id); every later frame is a
// MESSAGE from that id. Decoding never trusts a length: any field that does not fit, an unknown
// kind or type, a bad UTF-8 string or trailing bytes throws MqError FRAME_MALFORMED, and a frame
// longer than the bound throws FRAME_TOO_LARGE; the transport then drops the connection.

import { readInt64, writeInt64 } from '../../common/bytes.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import {
  CampaignType,
  type Entry,
  type EntryType,
  type Message,
  MessageType,
} from '../raft/messages.js';

export const RAFT_WIRE_VERSION = 1;
export const FRAME_LENGTH_BYTES = 4;
const KIND_HELLO = 0x48;
const KIND_MESSAGE = 0x4d;
const FLAG_REJECT = 1;
const FLAG_TRANSFER = 2;
const MESSAGE_FIXED_BYTES = 1 + 1 + 1 + 5 * 8 + 4;
const ENTRY_HEADER_BYTES = 8 + 8 + 1 + 4;

/** Message types by wire code (index + 1); the order is part of the wire format. */
const TYPES: readonly MessageType[] = [
  MessageType.APP,
  MessageType.APP_RESP,
  MessageType.PRE_VOTE,
  MessageType.PRE_VOTE_RESP,
  MessageType.VOTE,
  MessageType.VOTE_RESP,
  MessageType.HEARTBEAT,
  MessageType.HEARTBEAT_RESP,
  MessageType.TIMEOUT_NOW,
];

export interface Hello {
  readonly version: number;
  readonly group: string;
  readonly nodeId: string;
}

export type RaftFrame =
  | { readonly kind: 'hello'; readonly hello: Hello }
  | { readonly kind: 'message'; readonly message: Message };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function malformed(text: string): MqError {
  return new MqError(ErrorCode.FRAME_MALFORMED, `Raft frame malformed: ${text}`);
}

function shortString(text: string, what: string): Uint8Array {
  const bytes = encoder.encode(text);
  if (bytes.length > 255) throw malformed(`${what} longer than 255 bytes`);
  return bytes;
}

export function encodeHello(group: string, nodeId: string): Uint8Array {
  const groupBytes = shortString(group, 'group');
  const idBytes = shortString(nodeId, 'node id');
  const bodyLength = 2 + 1 + groupBytes.length + 1 + idBytes.length;
  const frame = new Uint8Array(FRAME_LENGTH_BYTES + bodyLength);
  const view = new DataView(frame.buffer);
  view.setUint32(0, bodyLength);
  let p = FRAME_LENGTH_BYTES;
  frame[p++] = KIND_HELLO;
  frame[p++] = RAFT_WIRE_VERSION;
  frame[p++] = groupBytes.length;
  frame.set(groupBytes, p);
  p += groupBytes.length;
  frame[p++] = idBytes.length;
  frame.set(idBytes, p);
  return frame;
}

export function encodeMessage(m: Message): Uint8Array {
  const parts = encodeMessageParts(m);
  if (parts.length === 1) return parts[0] as Uint8Array;
  const frame = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let p = 0;
  for (const part of parts) {
    frame.set(part, p);
    p += part.length;
  }
  return frame;
}

/**
 * The frame of `m` as parts to write back to back: the data of an entry of SHARED_DATA_BYTES or
 * more is its own part (the entry's bytes, not a copy), everything else is copied into the parts
 * between, so a large append is sent without assembling a frame of its size.
 */
export function encodeMessageParts(m: Message): Uint8Array[] {
  const type = TYPES.indexOf(m.type);
  if (type < 0) throw malformed(`unknown message type ${m.type}`);
  const from = shortString(m.from, 'from');
  const to = shortString(m.to, 'to');
  const fixedLength = MESSAGE_FIXED_BYTES + 2 + from.length + to.length;
  let bodyLength = fixedLength;
  let copiedLength = fixedLength;
  for (const entry of m.entries) {
    bodyLength += ENTRY_HEADER_BYTES + entry.data.length;
    copiedLength += ENTRY_HEADER_BYTES + (isShared(entry) ? 0 : entry.data.length);
  }
  const copied = new Uint8Array(FRAME_LENGTH_BYTES + copiedLength);
  const view = new DataView(copied.buffer);
  view.setUint32(0, bodyLength);
  let p = FRAME_LENGTH_BYTES;
  copied[p++] = KIND_MESSAGE;
  copied[p++] = type + 1;
  copied[p++] =
    (m.reject ? FLAG_REJECT : 0) | (m.campaign === CampaignType.TRANSFER ? FLAG_TRANSFER : 0);
  copied[p++] = from.length;
  copied.set(from, p);
  p += from.length;
  copied[p++] = to.length;
  copied.set(to, p);
  p += to.length;
  for (const value of [m.term, m.logTerm, m.index, m.commit, m.rejectHint]) {
    writeInt64(view, p, value);
    p += 8;
  }
  view.setUint32(p, m.entries.length);
  p += 4;
  const parts: Uint8Array[] = [];
  let partStart = 0;
  for (const entry of m.entries) {
    writeInt64(view, p, entry.index);
    writeInt64(view, p + 8, entry.term);
    copied[p + 16] = entry.type;
    view.setUint32(p + 17, entry.data.length);
    p += ENTRY_HEADER_BYTES;
    if (isShared(entry)) {
      parts.push(copied.subarray(partStart, p), entry.data);
      partStart = p;
    } else {
      copied.set(entry.data, p);
      p += entry.data.length;
    }
  }
  if (p > partStart || parts.length === 0) parts.push(copied.subarray(partStart, p));
  return parts;
}

/** Entries at least this large travel as their own part (see encodeMessageParts). */
const SHARED_DATA_BYTES = 16 * 1024;

function isShared(entry: Entry): boolean {
  return entry.data.length >= SHARED_DATA_BYTES;
}

/** A bounds-checked reader over one frame body. */
class BodyReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #p = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  #need(n: number, what: string): void {
    if (this.#p + n > this.#bytes.length) throw malformed(`${what} runs past the frame end`);
  }

  u8(what: string): number {
    this.#need(1, what);
    return this.#bytes[this.#p++] as number;
  }

  u32(what: string): number {
    this.#need(4, what);
    const value = this.#view.getUint32(this.#p);
    this.#p += 4;
    return value;
  }

  i64(what: string): number {
    this.#need(8, what);
    const high = this.#view.getInt32(this.#p);
    if (high < 0 || high > 0x1fffff) throw malformed(`${what} out of range`);
    const value = readInt64(this.#view, this.#p);
    this.#p += 8;
    return value;
  }

  bytes(n: number, what: string): Uint8Array {
    this.#need(n, what);
    const value = this.#bytes.subarray(this.#p, this.#p + n);
    this.#p += n;
    // A view keeps the whole buffer under it alive (a socket read, or the frame): it is taken
    // only for a large entry that is most of that buffer; smaller values are copied out.
    const isMostOfBuffer = n >= SHARED_DATA_BYTES && value.buffer.byteLength <= 2 * n;
    return isMostOfBuffer ? value : new Uint8Array(value);
  }

  text(what: string): string {
    const length = this.u8(`${what} length`);
    this.#need(length, what);
    const start = this.#p;
    this.#p += length;
    try {
      return decoder.decode(this.#bytes.subarray(start, this.#p));
    } catch {
      throw malformed(`${what} is not UTF-8`);
    }
  }

  end(): void {
    if (this.#p !== this.#bytes.length) {
      throw malformed(`${this.#bytes.length - this.#p} trailing bytes`);
    }
  }

  get remaining(): number {
    return this.#bytes.length - this.#p;
  }
}

/** Decode one frame body (without its length prefix). @throws MqError FRAME_MALFORMED */
export function decodeFrameBody(body: Uint8Array): RaftFrame {
  const r = new BodyReader(body);
  const kind = r.u8('kind');
  if (kind === KIND_HELLO) {
    const version = r.u8('version');
    const group = r.text('group');
    const nodeId = r.text('node id');
    r.end();
    return { kind: 'hello', hello: { version, group, nodeId } };
  }
  if (kind !== KIND_MESSAGE) throw malformed(`unknown frame kind 0x${kind.toString(16)}`);
  const typeCode = r.u8('type');
  const type = TYPES[typeCode - 1];
  if (type === undefined) throw malformed(`unknown message type ${typeCode}`);
  const flags = r.u8('flags');
  if ((flags & ~(FLAG_REJECT | FLAG_TRANSFER)) !== 0) throw malformed(`unknown flags ${flags}`);
  const from = r.text('from');
  const to = r.text('to');
  const term = r.i64('term');
  const logTerm = r.i64('logTerm');
  const index = r.i64('index');
  const commit = r.i64('commit');
  const rejectHint = r.i64('rejectHint');
  const count = r.u32('entry count');
  if (count * ENTRY_HEADER_BYTES > r.remaining) throw malformed(`entry count ${count} too large`);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const entryIndex = r.i64('entry index');
    const entryTerm = r.i64('entry term');
    const entryType = r.u8('entry type');
    if (entryType > 1) throw malformed(`unknown entry type ${entryType}`);
    const data = r.bytes(r.u32('entry length'), 'entry data');
    entries.push({ index: entryIndex, term: entryTerm, type: entryType as EntryType, data });
  }
  r.end();
  const message: Message = {
    type,
    from,
    to,
    term,
    logTerm,
    index,
    entries,
    commit,
    reject: (flags & FLAG_REJECT) !== 0,
    rejectHint,
    campaign: (flags & FLAG_TRANSFER) !== 0 ? CampaignType.TRANSFER : CampaignType.ELECTION,
  };
  return { kind: 'message', message };
}

/**
 * Splits a byte stream into frame bodies. Holds at most one partial frame (bounded by
 * `maxFrameBytes`). A bad length prefix (FRAME_TOO_LARGE, or an empty frame: FRAME_MALFORMED) is
 * returned as `error` after the whole frames before it; the stream is unusable from there on.
 */
export class FrameSplitter {
  readonly #maxFrameBytes: number;
  /** Received bytes not yet framed: #chunks[0] from #head on, then the others whole. */
  #chunks: Uint8Array[] = [];
  #head = 0;
  #total = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Uint8Array): { bodies: Uint8Array[]; error: MqError | null } {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#total += chunk.length;
    }
    const bodies: Uint8Array[] = [];
    while (this.#total >= FRAME_LENGTH_BYTES) {
      const length = new DataView(this.#peek(FRAME_LENGTH_BYTES).buffer).getUint32(0);
      let error: MqError | null = null;
      if (length > this.#maxFrameBytes) {
        error = new MqError(
          ErrorCode.FRAME_TOO_LARGE,
          `Raft frame of ${length} bytes exceeds the bound of ${this.#maxFrameBytes}`,
          { length, maxFrameBytes: this.#maxFrameBytes },
        );
      } else if (length === 0) error = malformed('empty frame');
      if (error !== null) {
        this.#chunks = [];
        this.#head = 0;
        this.#total = 0;
        return { bodies, error };
      }
      if (this.#total < FRAME_LENGTH_BYTES + length) break;
      bodies.push(this.#take(FRAME_LENGTH_BYTES + length).subarray(FRAME_LENGTH_BYTES));
    }
    return { bodies, error: null };
  }

  /** A copy of the next `n` buffered bytes (n <= #total), leaving them buffered. */
  #peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    let head = this.#head;
    for (const chunk of this.#chunks) {
      const part = chunk.subarray(head, head + (n - filled));
      out.set(part, filled);
      filled += part.length;
      head = 0;
      if (filled === n) break;
    }
    return out;
  }

  /** The next `n` buffered bytes, removed; a view when they lie in one chunk (no copy). */
  #take(n: number): Uint8Array {
    const first = this.#chunks[0] as Uint8Array;
    let out: Uint8Array;
    if (first.length - this.#head >= n) {
      out = first.subarray(this.#head, this.#head + n);
      this.#head += n;
    } else {
      out = new Uint8Array(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.#chunks[0] as Uint8Array;
        const part = chunk.subarray(this.#head, this.#head + (n - filled));
        out.set(part, filled);
        filled += part.length;
        this.#head += part.length;
        if (this.#head === chunk.length) {
          this.#chunks.shift();
          this.#head = 0;
        }
      }
    }
    if (this.#chunks.length > 0 && this.#head === (this.#chunks[0] as Uint8Array).length) {
      this.#chunks.shift();
      this.#head = 0;
    }
    this.#total -= n;
    return out;
  }
}
