// Streaming decoder for a TCP byte stream of remoting frames: chunks of any size in, whole
// RemotingCommands out, frames split anywhere.
//
// RocketMQ: remoting/.../netty/NettyDecoder.java (Netty's LengthFieldBasedFrameDecoder with a
// 4-byte length field, then RemotingCommand.decode). Frame layout: see frame-format.ts.
//
// Invariants:
// - Never throws on bad input: every problem becomes a FrameError with a reason, after which the
//   decoder is failed for good (the connection must be closed) and drops whatever it holds.
// - Buffers at most one frame: the length field is checked against maxFrameSizeBytes as soon as
//   its 4 bytes have arrived, and the serialize-type/header-length word as soon as its 4 bytes
//   have, before the rest of the frame is waited for. So an oversized or broken prefix fails
//   after the first 8 bytes, holding only the chunk that carried them.
// - maxFrameSizeBytes counts the whole frame, length field included (Java's maxFrameLength).
// - Pull-based: push() stores bytes, next() yields one command at a time, so a caller that
//   applies backpressure can stop taking commands while bytes stay buffered.

import { assert } from '../common/assert.js';
import {
  defaultHeaderLimits,
  FRAME_PREFIX_BYTES,
  type FrameError,
  FrameErrorReason,
  type HeaderLimits,
  LENGTH_FIELD_BYTES,
  MAX_HEADER_LENGTH_BYTES,
  serializeTypeFromByte,
} from './frame-format.js';
import { decodeCommand, type RemotingCommand } from './remoting-command.js';

export interface FrameDecoderOptions {
  /** Largest frame accepted, length field included (Limits.maxFrameSizeBytes by default). */
  maxFrameSizeBytes: number;
  headerLimits?: Readonly<HeaderLimits>;
}

export type DecodeStep =
  | { kind: 'command'; command: RemotingCommand; frameBytes: number }
  | { kind: 'need-more' }
  | { kind: 'error'; error: FrameError };

const NEED_MORE: DecodeStep = Object.freeze({ kind: 'need-more' });

export class FrameDecoder {
  readonly #maxFrameSizeBytes: number;
  readonly #headerLimits: Readonly<HeaderLimits>;
  #chunks: Buffer[] = [];
  /** Bytes of #chunks[0] already consumed. */
  #headOffset = 0;
  #bufferedBytes = 0;
  /** Size of the frame at the head of the buffer (length field included), -1 until known. */
  #frameBytes = -1;
  #wordChecked = false;
  #error: FrameError | null = null;

  constructor(options: FrameDecoderOptions) {
    assert(Number.isSafeInteger(options.maxFrameSizeBytes), 'maxFrameSizeBytes is an integer');
    assert(options.maxFrameSizeBytes >= FRAME_PREFIX_BYTES, 'maxFrameSizeBytes holds a prefix');
    this.#maxFrameSizeBytes = options.maxFrameSizeBytes;
    this.#headerLimits = options.headerLimits ?? defaultHeaderLimits;
  }

  /** Bytes held: the partial (or not yet taken) frames. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  get error(): FrameError | null {
    return this.#error;
  }

  /** Stores a chunk and checks the prefix of the frame at the head. Dropped once failed. */
  push(chunk: Uint8Array): void {
    if (this.#error !== null || chunk.length === 0) return;
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.#chunks.push(buffer);
    this.#bufferedBytes += buffer.length;
    this.#checkPrefix();
  }

  /** The next whole command, 'need-more', or the error that failed the decoder. */
  next(): DecodeStep {
    if (this.#error !== null) return { kind: 'error', error: this.#error };
    if (this.#frameBytes < 0 || this.#bufferedBytes < this.#frameBytes) return NEED_MORE;
    const frameBytes = this.#frameBytes;
    const frame = this.#take(frameBytes);
    this.#frameBytes = -1;
    this.#wordChecked = false;
    const result = decodeCommand(frame, this.#headerLimits);
    if (!result.ok) return { kind: 'error', error: this.#fail(result.error) };
    this.#checkPrefix();
    return { kind: 'command', command: result.command, frameBytes };
  }

  #checkPrefix(): void {
    if (this.#frameBytes < 0 && this.#bufferedBytes >= LENGTH_FIELD_BYTES) {
      const lengthField = this.#peekUInt32(0);
      if (lengthField < 4) {
        this.#failWith(FrameErrorReason.TOO_SHORT, `Length field ${lengthField} is below 4`);
        return;
      }
      if (lengthField + LENGTH_FIELD_BYTES > this.#maxFrameSizeBytes) {
        const message = `Frame of ${lengthField + 4} bytes exceeds ${this.#maxFrameSizeBytes}`;
        this.#failWith(FrameErrorReason.FRAME_TOO_LARGE, message);
        return;
      }
      this.#frameBytes = lengthField + LENGTH_FIELD_BYTES;
    }
    if (this.#frameBytes >= 0 && !this.#wordChecked && this.#bufferedBytes >= FRAME_PREFIX_BYTES) {
      this.#wordChecked = true;
      this.#checkHeaderWord();
    }
  }

  #checkHeaderWord(): void {
    const word = this.#peekUInt32(LENGTH_FIELD_BYTES);
    const headerBytes = word & MAX_HEADER_LENGTH_BYTES;
    const room = this.#frameBytes - FRAME_PREFIX_BYTES;
    if (headerBytes > room) {
      const message = `Header length ${headerBytes} exceeds the ${room} bytes the frame leaves`;
      this.#failWith(FrameErrorReason.HEADER_LENGTH_INVALID, message);
    } else if (serializeTypeFromByte(word >>> 24) === null) {
      const message = `Serialize type ${word >>> 24} is neither JSON (0) nor ROCKETMQ (1)`;
      this.#failWith(FrameErrorReason.SERIALIZE_TYPE_UNKNOWN, message);
    }
  }

  #failWith(reason: FrameErrorReason, message: string): void {
    this.#fail({ reason, message, opaque: null, flag: null, serializeType: null });
  }

  #fail(error: FrameError): FrameError {
    this.#error = error;
    this.#chunks = [];
    this.#headOffset = 0;
    this.#bufferedBytes = 0;
    this.#frameBytes = -1;
    return error;
  }

  /** Big-endian uint32 at `offset` bytes past the head, possibly spanning chunks. */
  #peekUInt32(offset: number): number {
    assert(offset + 4 <= this.#bufferedBytes, 'peek within buffered bytes');
    const first = this.#chunks[0];
    assert(first !== undefined, 'buffer has a chunk');
    const start = this.#headOffset + offset;
    if (start + 4 <= first.length) return first.readUInt32BE(start);
    let value = 0;
    for (let i = 0; i < 4; i++) value = value * 256 + this.#byteAt(offset + i);
    return value;
  }

  #byteAt(offset: number): number {
    let position = this.#headOffset + offset;
    for (const chunk of this.#chunks) {
      if (position < chunk.length) return chunk[position] ?? 0;
      position -= chunk.length;
    }
    assert(false, 'byte within buffered bytes');
  }

  /** Removes and returns the next `count` bytes: a view when one chunk holds them, else a copy. */
  #take(count: number): Buffer {
    assert(count <= this.#bufferedBytes, 'take within buffered bytes');
    const first = this.#chunks[0];
    assert(first !== undefined, 'buffer has a chunk');
    let out: Buffer;
    if (first.length - this.#headOffset >= count) {
      out = first.subarray(this.#headOffset, this.#headOffset + count);
      this.#advance(count);
    } else {
      out = Buffer.allocUnsafe(count);
      let written = 0;
      while (written < count) {
        const chunk = this.#chunks[0];
        assert(chunk !== undefined, 'chunks cover the frame');
        const n = Math.min(chunk.length - this.#headOffset, count - written);
        chunk.copy(out, written, this.#headOffset, this.#headOffset + n);
        written += n;
        this.#advance(n);
      }
    }
    return out;
  }

  #advance(count: number): void {
    this.#headOffset += count;
    this.#bufferedBytes -= count;
    const first = this.#chunks[0];
    if (first !== undefined && this.#headOffset === first.length) {
      this.#chunks.shift();
      this.#headOffset = 0;
    }
    assert(this.#bufferedBytes >= 0, 'buffered bytes never negative');
  }
}
