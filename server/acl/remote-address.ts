// White remote address patterns of RocketMQ's plain ACL: one pattern matches the client's IP.
//
// RocketMQ: acl/.../plain/RemoteAddressStrategyFactory.java. Accepted forms (IPv4):
//   "*" or "*.*.*.*"        every address
//   "192.168.0.1"           one address (IPv6 addresses also match exactly)
//   "192.168.0.*"           trailing segments may be "*"
//   "192.168.0.1-100"       a range in a segment
//   "192.168.0.{1,2,7}"     a list in the last segment
//   "10.0.0.1,10.0.0.2"     a comma list of single addresses
// An empty or missing pattern matches nothing. A pattern of another form is an error at load.

export type AddressMatcher = (ip: string) => boolean;

const NEVER: AddressMatcher = () => false;
const ALWAYS: AddressMatcher = () => true;

/** IPv4 text of an address, with "::ffff:" removed; unchanged otherwise. */
export function plainIp(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

type Segment = (value: number) => boolean;

function parseSegment(text: string): Segment | string {
  if (text === '*') return () => true;
  const range = /^(\d{1,3})-(\d{1,3})$/.exec(text);
  if (range !== null) {
    const low = Number(range[1]);
    const high = Number(range[2]);
    if (low > 255 || high > 255 || low > high) return `bad range "${text}"`;
    return (v) => v >= low && v <= high;
  }
  if (/^\d{1,3}$/.test(text) && Number(text) <= 255) {
    const n = Number(text);
    return (v) => v === n;
  }
  return `bad segment "${text}"`;
}

function ipv4Segments(ip: string): number[] | null {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  return parts.map(Number);
}

function segmentPattern(pattern: string): AddressMatcher | string {
  const texts = pattern.split('.');
  if (texts.length !== 4) return `"${pattern}" is not an IPv4 pattern of four segments`;
  const segments: Segment[] = [];
  for (const text of texts) {
    const segment = parseSegment(text);
    if (typeof segment === 'string') return `${segment} in "${pattern}"`;
    segments.push(segment);
  }
  return (ip) => {
    const values = ipv4Segments(plainIp(ip));
    return values?.every((v, i) => segments[i]?.(v) === true) === true;
  };
}

/** The matcher of one whiteRemoteAddress value, or an error message. */
export function parseRemoteAddress(pattern: string | null | undefined): AddressMatcher | string {
  const text = (pattern ?? '').trim();
  if (text === '') return NEVER;
  if (text === '*' || text === '*.*.*.*' || text === '*:*:*:*:*:*:*:*') return ALWAYS;
  if (text.includes(',') && !text.includes('{')) {
    const matchers: AddressMatcher[] = [];
    for (const one of text.split(',')) {
      const matcher = parseRemoteAddress(one);
      if (typeof matcher === 'string') return matcher;
      matchers.push(matcher);
    }
    return (ip) => matchers.some((m) => m(ip));
  }
  const list = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\{([\d,]+)\}$/.exec(text);
  if (list !== null) {
    const prefix = list[1] ?? '';
    const hosts = new Set((list[2] ?? '').split(',').map((n) => `${prefix}.${Number(n)}`));
    return (ip) => hosts.has(plainIp(ip));
  }
  if (text.includes(':')) return (ip) => plainIp(ip) === text;
  return segmentPattern(text);
}
