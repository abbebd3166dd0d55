// The message properties string and the well-known property keys.
//
// RocketMQ: common/.../message/MessageDecoder.java (messageProperties2String,
// string2messageProperties) and common/.../message/MessageConst.java (tag rocketmq-all-4.9.7);
// ali-ons: lib/message/message_decoder.js, lib/message/message_const.js.
//
// Layout: each property is  key U+0001 value U+0002 , e.g.
//   "TAGS\u0001TagA\u0002KEYS\u0001k1 k2\u0002WAIT\u0001true"
// Java 4.9.x omits the separator after the last property; older Java and ali-ons write it. The
// decoder follows Java 4.9.7 exactly: it accepts both, splits each segment at its first U+0001,
// and drops segments with no U+0001, an empty key or an empty value. ali-ons writes properties
// whose value is the text "null" or "undefined" (a message without tags has TAGS "null"): they
// are ordinary values here, as in Java.
//
// The stored-record codec that carries this string (int16 length + bytes) is message-codec.ts;
// this module only builds and parses the string.

export const NAME_VALUE_SEPARATOR = '\u0001';
export const PROPERTY_SEPARATOR = '\u0002';
/** Separates several keys in the KEYS property. */
export const KEY_SEPARATOR = ' ';

/** Well-known property keys (MessageConst), named after their value. */
export const MessageProperty = {
  KEYS: 'KEYS',
  TAGS: 'TAGS',
  /** "true"/"false": wait for flush / replication before answering (default true). */
  WAIT: 'WAIT',
  /** Delay level as decimal text. */
  DELAY: 'DELAY',
  RETRY_TOPIC: 'RETRY_TOPIC',
  REAL_TOPIC: 'REAL_TOPIC',
  REAL_QID: 'REAL_QID',
  TRAN_MSG: 'TRAN_MSG',
  PGROUP: 'PGROUP',
  MIN_OFFSET: 'MIN_OFFSET',
  MAX_OFFSET: 'MAX_OFFSET',
  BUYER_ID: 'BUYER_ID',
  ORIGIN_MESSAGE_ID: 'ORIGIN_MESSAGE_ID',
  TRANSFER_FLAG: 'TRANSFER_FLAG',
  CORRECTION_FLAG: 'CORRECTION_FLAG',
  MQ2_FLAG: 'MQ2_FLAG',
  RECONSUME_TIME: 'RECONSUME_TIME',
  MSG_REGION: 'MSG_REGION',
  TRACE_ON: 'TRACE_ON',
  /** Client-generated unique message id (message-id.ts). */
  UNIQ_KEY: 'UNIQ_KEY',
  MAX_RECONSUME_TIMES: 'MAX_RECONSUME_TIMES',
  CONSUME_START_TIME: 'CONSUME_START_TIME',
  TRAN_PREPARED_QUEUE_OFFSET: 'TRAN_PREPARED_QUEUE_OFFSET',
  TRANSACTION_CHECK_TIMES: 'TRANSACTION_CHECK_TIMES',
  CHECK_IMMUNITY_TIME_IN_SECONDS: 'CHECK_IMMUNITY_TIME_IN_SECONDS',
  INSTANCE_ID: 'INSTANCE_ID',
  CORRELATION_ID: 'CORRELATION_ID',
  REPLY_TO_CLIENT: 'REPLY_TO_CLIENT',
  TTL: 'TTL',
  ARRIVE_TIME: 'ARRIVE_TIME',
  PUSH_REPLY_TIME: 'PUSH_REPLY_TIME',
  CLUSTER: 'CLUSTER',
  MSG_TYPE: 'MSG_TYPE',
  INNER_MULTI_DISPATCH: 'INNER_MULTI_DISPATCH',
  INNER_MULTI_QUEUE_OFFSET: 'INNER_MULTI_QUEUE_OFFSET',
  /** ali-ons: picks the queue by md5 of this key. */
  SHARDING_KEY: '__SHARDING_KEY',
  /** ali-ons / Aliyun ONS timed delivery (ms epoch); Apache brokers ignore it. */
  STARTDELIVERTIME: '__STARTDELIVERTIME',
  /** Petrel: xxhash64 of the body as 16 lowercase hex digits, checked end to end. */
  BODY_XXH64: 'BODY_XXH64',
} as const;
export type MessageProperty = (typeof MessageProperty)[keyof typeof MessageProperty];

export type PropertiesInput =
  | ReadonlyMap<string, string>
  | Readonly<Record<string, string | null | undefined>>;

export interface EncodePropertiesOptions {
  /** Write U+0002 after the last property too (ali-ons, Java before 4.9). Default false. */
  trailingSeparator?: boolean;
}

function entriesOf(
  properties: PropertiesInput,
): Iterable<readonly [string, string | null | undefined]> {
  return properties instanceof Map ? properties.entries() : Object.entries(properties);
}

/**
 * The properties string of `properties` (null and undefined values are left out, as Java does).
 * @throws RangeError if a key is empty or holds a separator, or a value holds U+0002: the string
 *   would not read back.
 */
export function encodeProperties(
  properties: PropertiesInput,
  options: EncodePropertiesOptions = {},
): string {
  let text = '';
  for (const [key, value] of entriesOf(properties)) {
    if (value === null || value === undefined) continue;
    if (key === '' || key.includes(NAME_VALUE_SEPARATOR) || key.includes(PROPERTY_SEPARATOR)) {
      throw new RangeError(`Property key "${key}" is empty or contains a separator`);
    }
    if (value.includes(PROPERTY_SEPARATOR)) {
      throw new RangeError(`Property "${key}" has a value containing U+0002`);
    }
    text += key + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
  }
  return options.trailingSeparator === true || text === '' ? text : text.slice(0, -1);
}

/**
 * The key last seen at each position of a properties string. Senders write the same keys in the
 * same order message after message, so a key is usually recognised in place and the string already
 * used as a property name is reused, instead of cutting out and interning a new one per message.
 */
const recentKeys: string[] = [];
const MAX_RECENT_KEYS = 32;

function isAt(text: string, start: number, part: string): boolean {
  for (let i = 0; i < part.length; i++)
    if (text.charCodeAt(start + i) !== part.charCodeAt(i)) return false;
  return true;
}

function keyAt(text: string, start: number, end: number, position: number): string {
  const recent = recentKeys[position];
  if (recent !== undefined && recent.length === end - start && isAt(text, start, recent))
    return recent;
  const key = text.slice(start, end);
  if (position < MAX_RECENT_KEYS) recentKeys[position] = key;
  return key;
}

/** Calls `visit` for each property of a properties string, with Java 4.9.7's rules (see above). */
function visitProperties(text: string, visit: (key: string, value: string) => void): void {
  const length = text.length;
  let index = 0;
  let position = 0;
  while (index < length) {
    let end = text.indexOf(PROPERTY_SEPARATOR, index);
    if (end < 0) end = length;
    if (end - index >= 3) {
      const split = text.indexOf(NAME_VALUE_SEPARATOR, index);
      if (split > index && split < end - 1) {
        visit(keyAt(text, index, split, position), text.slice(split + 1, end));
        position++;
      }
    }
    index = end + 1;
  }
}

/** Parses a properties string with Java 4.9.7's rules (see the header comment). */
export function decodeProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  visitProperties(text, (key, value) => properties.set(key, value));
  return properties;
}

const OWN_PROPERTY = (value: string): PropertyDescriptor => ({
  value,
  enumerable: true,
  writable: true,
  configurable: true,
});

/** decodeProperties into a plain object (as received messages carry them); a later duplicate wins. */
export function decodePropertiesObject(text: string): Record<string, string> {
  const properties: Record<string, string> = {};
  visitProperties(text, (key, value) => {
    // "__proto__" must become an own property, as Object.fromEntries makes it, not the prototype.
    if (key === '__proto__') Object.defineProperty(properties, key, OWN_PROPERTY(value));
    else properties[key] = value;
  });
  return properties;
}

/** True when a key or value could be stored without breaking the properties string. */
export function isValidPropertyText(text: string): boolean {
  return !text.includes(NAME_VALUE_SEPARATOR) && !text.includes(PROPERTY_SEPARATOR);
}
