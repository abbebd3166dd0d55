// Layout constants, enumerations and error shapes of a RocketMQ remoting frame, shared by the
// command codec, the two header codecs and the streaming frame decoder.
//
// RocketMQ: remoting/.../protocol/RemotingCommand.java (encode, decode, markProtocolType),
// SerializeType.java, LanguageCode.java; remoting/.../netty/NettyDecoder.java (length-prefixed
// framing, 16 MiB default maximum).
//
// Frame, all integers big-endian:
// +----------------+---------------------------+------------------+-----------------+
// | length (int32) | serializeType (1 byte) +  | header           | body            |
// | = 4 + H + B    | H (uint24)                | H bytes          | B bytes         |
// +----------------+---------------------------+------------------+-----------------+
//   bytes 0..3       bytes 4..7                   8 .. 8+H-1         8+H .. 4+length-1
//
// `length` counts everything after itself, so a frame occupies 4 + length bytes on the stream.
// The header is JSON (serialize type 0) or the ROCKETMQ binary layout (serialize type 1, see
// rocketmq-header.ts). A body of 0 bytes decodes to `null`, as in Java.

import { assert } from '../common/assert.js';

export const LENGTH_FIELD_BYTES = 4;
export const HEADER_LENGTH_FIELD_BYTES = 4;
/** Bytes before the header: the length field and the serialize-type/header-length word. */
export const FRAME_PREFIX_BYTES = LENGTH_FIELD_BYTES + HEADER_LENGTH_FIELD_BYTES;
/** The header length is a 24-bit field. */
export const MAX_HEADER_LENGTH_BYTES = 0xffffff;
/** The length field is a signed int32 in Java. */
export const MAX_FRAME_LENGTH_FIELD = 0x7fffffff;

assert(FRAME_PREFIX_BYTES === 8, 'frame prefix is two int32 fields');

/** Serialize types by their wire byte (the top byte of the header-length word). */
export const SerializeType = { JSON: 0, ROCKETMQ: 1 } as const;
export type SerializeTypeName = keyof typeof SerializeType;

export function serializeTypeFromByte(byte: number): SerializeTypeName | null {
  if (byte === SerializeType.JSON) return 'JSON';
  if (byte === SerializeType.ROCKETMQ) return 'ROCKETMQ';
  return null;
}

/** LanguageCode: the enum name travels in JSON headers, the byte in ROCKETMQ headers. */
export const LanguageCode = {
  JAVA: 0,
  CPP: 1,
  DOTNET: 2,
  PYTHON: 3,
  DELPHI: 4,
  ERLANG: 5,
  RUBY: 6,
  OTHER: 7,
  HTTP: 8,
  GO: 9,
  PHP: 10,
  OMS: 11,
  RUST: 12,
} as const;
export type LanguageName = keyof typeof LanguageCode;

const languageNames: readonly LanguageName[] = Object.keys(LanguageCode) as LanguageName[];

/** The language name for a ROCKETMQ header byte; unknown bytes read as OTHER. */
export function languageFromByte(byte: number): LanguageName {
  return languageNames[byte] ?? 'OTHER';
}

/** The ROCKETMQ header byte for a language name; names we do not know are sent as OTHER. */
export function languageToByte(language: string): number {
  return Object.hasOwn(LanguageCode, language)
    ? LanguageCode[language as LanguageName]
    : LanguageCode.OTHER;
}

for (const [index, name] of languageNames.entries()) {
  assert(LanguageCode[name] === index, 'LanguageCode values are dense from 0');
}

/** Bits of the `flag` field (RemotingCommand.RPC_TYPE and RPC_ONEWAY). */
export const RpcFlag = { RESPONSE: 1 << 0, ONEWAY: 1 << 1 } as const;

/** MQVersion.Version ordinals that servers use as feature gates. */
export const MqVersion = {
  /** ali-ons sends this; brokers honour maxReconsumeTimes from it on. */
  V3_4_9: 121,
  /** From this version on a NameServer answers route queries with standard JSON. */
  V4_9_4: 401,
  V4_9_7: 407,
} as const;

/** Why a frame could not be decoded. Every reason closes the connection it arrived on. */
export const FrameErrorReason = {
  /** The length field is below 4: there is no room for the header-length word. */
  TOO_SHORT: 'TOO_SHORT',
  /** The header length is larger than the frame leaves for it. */
  HEADER_LENGTH_INVALID: 'HEADER_LENGTH_INVALID',
  /** The length field exceeds the configured maximum frame size. */
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  /** The serialize-type byte is neither 0 (JSON) nor 1 (ROCKETMQ). */
  SERIALIZE_TYPE_UNKNOWN: 'SERIALIZE_TYPE_UNKNOWN',
  /** The header does not parse, or breaks a header limit (see HeaderLimits). */
  HEADER_MALFORMED: 'HEADER_MALFORMED',
} as const;
export type FrameErrorReason = (typeof FrameErrorReason)[keyof typeof FrameErrorReason];

export interface FrameError {
  reason: FrameErrorReason;
  message: string;
  /**
   * The request id when the header parsed far enough to read it (HEADER_MALFORMED only), so a
   * server can answer SYSTEM_ERROR before it closes the connection; null otherwise.
   */
  opaque: number | null;
  /** The flag field when `opaque` is known (a oneway request gets no error answer). */
  flag: number | null;
  serializeType: SerializeTypeName | null;
}

/** Bounds on what one header may contain (docs/testing.md B4). */
export interface HeaderLimits {
  /** Maximum JSON nesting depth of a JSON header (the header object itself is depth 1). */
  maxJsonDepth: number;
  /** Maximum number of extFields entries. */
  maxExtFields: number;
  /** Maximum UTF-8 byte length of any one string: remark, extFields key or value. */
  maxValueBytes: number;
}

export const defaultHeaderLimits: Readonly<HeaderLimits> = Object.freeze({
  maxJsonDepth: 8,
  maxExtFields: 256,
  maxValueBytes: 32 * 1024,
});
