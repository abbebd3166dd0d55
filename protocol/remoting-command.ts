// The RemotingCommand model: one request or response of the RocketMQ remoting protocol, with
// helpers to build requests and responses and to encode and decode whole frames.
//
// RocketMQ: remoting/src/main/java/org/apache/rocketmq/remoting/protocol/RemotingCommand.java;
// ali-ons: lib/protocol/command/remoting_command.js.
//
// Invariants:
// - extFields values are strings, as on the wire in Java. Decoding stringifies the JSON numbers
//   and booleans that ali-ons sends; typed header codecs (headers/) convert them to numbers.
// - extFields objects have no prototype, so keys taken from the wire ("__proto__",
//   "constructor") are plain entries and never reach Object.prototype.
// - A response uses the serialize type of its request (Java's rule; ali-ons reads JSON only and
//   always sends JSON, so it always gets JSON back).
// - opaque is a signed int32. Requests get theirs from the sender (RemotingClient, or the server
//   for server-initiated requests) when they are sent; createRequest leaves 0.
//
// Frame layout: see frame-format.ts. Header layouts: json-header.ts and rocketmq-header.ts.

import { assert } from '../common/assert.js';
import {
  defaultHeaderLimits,
  FRAME_PREFIX_BYTES,
  type FrameError,
  FrameErrorReason,
  type HeaderLimits,
  type LanguageName,
  MAX_FRAME_LENGTH_FIELD,
  MAX_HEADER_LENGTH_BYTES,
  MqVersion,
  RpcFlag,
  SerializeType,
  type SerializeTypeName,
  serializeTypeFromByte,
} from './frame-format.js';
import { decodeJsonHeader, encodeJsonHeader } from './json-header.js';
import { decodeRocketMqHeader, encodeRocketMqHeader } from './rocketmq-header.js';

/** Custom header fields: string keys to string values, no prototype. */
export type ExtFields = Record<string, string>;

export interface RemotingCommand {
  /** Request code (requests) or response code (responses). */
  code: number;
  /** LanguageCode name of the sender, e.g. "JAVA". Unknown names are kept as sent. */
  language: LanguageName | (string & {});
  /** MQVersion ordinal of the sender (see MqVersion). */
  version: number;
  /** Request id; a response carries its request's. Signed int32. */
  opaque: number;
  /** Bit 0: response. Bit 1: oneway request (no response is sent). */
  flag: number;
  remark: string | null;
  extFields: ExtFields;
  body: Buffer | null;
  serializeTypeCurrentRPC: SerializeTypeName;
  /**
   * A response's hook, never on the wire: called once the socket is done with the frame (written,
   * or dropped on a close), so a body read into a pooled buffer can give it back. Not called for a
   * response that is never sent.
   */
  onWritten?: () => void;
}

/** A value an extFields entry may be built from; null and undefined entries are left out. */
export type ExtFieldInput = string | number | boolean | null | undefined;

/** The version Petrel puts on the commands it creates (MQVersion.CURRENT_VERSION of 4.9.7). */
export const PETREL_WIRE_VERSION = MqVersion.V4_9_7;

/** A prototype-free copy of `source` with every value rendered as Java's toString() would. */
export function createExtFields(source: Readonly<Record<string, ExtFieldInput>> = {}): ExtFields {
  const fields: ExtFields = Object.create(null);
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value === null || value === undefined) continue;
    fields[key] = typeof value === 'string' ? value : String(value);
  }
  return fields;
}

/** A request with opaque 0 (the sender assigns it), JSON header, language JAVA. */
export function createRequest(
  code: number,
  extFields: Readonly<Record<string, ExtFieldInput>> = {},
  body: Buffer | null = null,
): RemotingCommand {
  assert(Number.isInteger(code), 'request code must be an integer');
  return {
    code,
    language: 'JAVA',
    version: PETREL_WIRE_VERSION,
    opaque: 0,
    flag: 0,
    remark: null,
    extFields: createExtFields(extFields),
    body,
    serializeTypeCurrentRPC: 'JSON',
  };
}

/** A response to `request`: same opaque and serialize type, response flag set, no body. */
export function createResponse(
  request: RemotingCommand,
  code: number,
  remark: string | null = null,
): RemotingCommand {
  assert(Number.isInteger(code), 'response code must be an integer');
  assert(!isResponse(request), 'cannot answer a response');
  return {
    code,
    language: 'JAVA',
    version: PETREL_WIRE_VERSION,
    opaque: request.opaque,
    flag: RpcFlag.RESPONSE,
    remark,
    extFields: createExtFields(),
    body: null,
    serializeTypeCurrentRPC: request.serializeTypeCurrentRPC,
  };
}

export function isResponse(command: RemotingCommand): boolean {
  return (command.flag & RpcFlag.RESPONSE) !== 0;
}

export function isOneway(command: RemotingCommand): boolean {
  return (command.flag & RpcFlag.ONEWAY) !== 0;
}

/** Sets the oneway bit (the receiver sends no response). */
export function markOneway(command: RemotingCommand): void {
  assert(!isResponse(command), 'a response cannot be oneway');
  command.flag |= RpcFlag.ONEWAY;
}

function encodeHeader(command: RemotingCommand): Buffer {
  return command.serializeTypeCurrentRPC === 'ROCKETMQ'
    ? encodeRocketMqHeader(command)
    : encodeJsonHeader(command);
}

/**
 * The frame up to the body: length, serialize type + header length, header. Writing this and
 * then the body (writev) avoids copying large bodies.
 */
export function encodeCommandHead(command: RemotingCommand): Buffer {
  const header = encodeHeader(command);
  const bodyBytes = command.body === null ? 0 : command.body.length;
  assert(header.length <= MAX_HEADER_LENGTH_BYTES, 'header longer than 24 bits');
  const lengthField = 4 + header.length + bodyBytes;
  assert(lengthField <= MAX_FRAME_LENGTH_FIELD, 'frame longer than an int32');
  const head = Buffer.allocUnsafe(FRAME_PREFIX_BYTES + header.length);
  head.writeUInt32BE(lengthField, 0);
  const type = SerializeType[command.serializeTypeCurrentRPC];
  head.writeUInt32BE(((type << 24) | header.length) >>> 0, 4);
  header.copy(head, FRAME_PREFIX_BYTES);
  return head;
}

/** The whole frame, length field included. */
export function encodeCommand(command: RemotingCommand): Buffer {
  const head = encodeCommandHead(command);
  if (command.body === null || command.body.length === 0) return head;
  const frame = Buffer.concat([head, command.body], head.length + command.body.length);
  assert(frame.readUInt32BE(0) === frame.length - 4, 'encoded length field matches the frame');
  return frame;
}

export type CommandDecodeResult =
  | { ok: true; command: RemotingCommand }
  | { ok: false; error: FrameError };

function frameError(reason: FrameErrorReason, message: string): CommandDecodeResult {
  return { ok: false, error: { reason, message, opaque: null, flag: null, serializeType: null } };
}

/**
 * Decodes one whole frame (length field included, `frame.length` = 4 + length field). Never
 * throws on bad input. The body is a view into `frame`, not a copy.
 */
export function decodeCommand(
  frame: Buffer,
  limits: Readonly<HeaderLimits> = defaultHeaderLimits,
): CommandDecodeResult {
  if (frame.length < FRAME_PREFIX_BYTES) {
    return frameError(FrameErrorReason.TOO_SHORT, `Frame of ${frame.length} bytes is too short`);
  }
  const lengthField = frame.readUInt32BE(0);
  if (lengthField !== frame.length - 4) {
    return frameError(
      FrameErrorReason.HEADER_LENGTH_INVALID,
      `Length field ${lengthField} does not match a frame of ${frame.length} bytes`,
    );
  }
  const word = frame.readUInt32BE(4);
  const headerBytes = word & MAX_HEADER_LENGTH_BYTES;
  const serializeType = serializeTypeFromByte(word >>> 24);
  if (headerBytes > lengthField - 4) {
    return frameError(
      FrameErrorReason.HEADER_LENGTH_INVALID,
      `Header length ${headerBytes} exceeds the ${lengthField - 4} bytes the frame leaves`,
    );
  }
  if (serializeType === null) {
    return frameError(
      FrameErrorReason.SERIALIZE_TYPE_UNKNOWN,
      `Serialize type ${word >>> 24} is neither JSON (0) nor ROCKETMQ (1)`,
    );
  }
  const header = frame.subarray(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + headerBytes);
  const decoded =
    serializeType === 'JSON'
      ? decodeJsonHeader(header, limits)
      : decodeRocketMqHeader(header, limits);
  if (!decoded.ok) return decoded;
  const bodyStart = FRAME_PREFIX_BYTES + headerBytes;
  decoded.command.body = bodyStart < frame.length ? frame.subarray(bodyStart) : null;
  return decoded;
}
