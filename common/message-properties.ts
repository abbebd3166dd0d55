// The properties string of a RocketMQ message: `key\u0001value\u0002key\u0001value\u0002...`
// (MessageDecoder.messageProperties2String / string2messageProperties), and the well-known keys.

export const NAME_VALUE_SEPARATOR = '\u0001';
export const PROPERTY_SEPARATOR = '\u0002';

export const MessageProperty = {
  TAGS: 'TAGS',
  KEYS: 'KEYS',
  UNIQ_KEY: 'UNIQ_KEY',
  WAIT: 'WAIT',
  DELAY: 'DELAY',
  RETRY_TOPIC: 'RETRY_TOPIC',
  REAL_TOPIC: 'REAL_TOPIC',
  REAL_QID: 'REAL_QID',
  ORIGIN_MESSAGE_ID: 'ORIGIN_MESSAGE_ID',
  RECONSUME_TIME: 'RECONSUME_TIME',
  MAX_RECONSUME_TIMES: 'MAX_RECONSUME_TIMES',
  MIN_OFFSET: 'MIN_OFFSET',
  MAX_OFFSET: 'MAX_OFFSET',
  TRAN_MSG: 'TRAN_MSG',
  PGROUP: 'PGROUP',
  /** Petrel: xxhash64 of the body as 16 lowercase hex digits, checked end to end. */
  BODY_XXH64: 'BODY_XXH64',
} as const;

/** Encodes a property map; keys and values must not contain the two separator characters. */
export function encodeProperties(properties: Readonly<Record<string, string>>): string {
  let out = '';
  for (const key of Object.keys(properties)) {
    out += key + NAME_VALUE_SEPARATOR + properties[key] + PROPERTY_SEPARATOR;
  }
  return out;
}

export function decodeProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(PROPERTY_SEPARATOR, start);
    if (end === -1) end = text.length;
    const sep = text.indexOf(NAME_VALUE_SEPARATOR, start);
    if (sep !== -1 && sep < end) out[text.slice(start, sep)] = text.slice(sep + 1, end);
    start = end + 1;
  }
  return out;
}

/** True when a key or value could be stored without breaking the properties string. */
export function isValidPropertyText(text: string): boolean {
  return !text.includes(NAME_VALUE_SEPARATOR) && !text.includes(PROPERTY_SEPARATOR);
}
