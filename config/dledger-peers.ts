// Config-side validation of a DLedger peers string (RocketMQ dLegerPeers, DLedgerConfig#peers):
// `n0-host:port;n1-host:port;n2-host:port`. It is a pure parser so that a broker .properties file
// is rejected at load time, with its line, rather than when the DLedger node starts. The HA layer
// may keep its own reader of the same format; both follow DLedger's rules:
// - an entry is `id-address`, split at the first `-` (DLedger reads the id as the text before it);
// - the address is `host:port`, the port being the DLedger RPC port;
// - ids are a letter followed by digits, because RocketMQ derives a follower's brokerId from
//   selfId.substring(1) + 1 (`n2` becomes brokerId 3);
// - ids and addresses are unique within the group.

export interface DledgerPeer {
  readonly id: string;
  readonly host: string;
  readonly port: number;
}

export type DledgerPeersResult =
  | { readonly ok: true; readonly peers: readonly DledgerPeer[] }
  | { readonly ok: false; readonly reason: string };

const PEER_ID = /^[A-Za-z]\d+$/;

function parsePeer(entry: string, index: number): DledgerPeer | string {
  const where = `peer ${index + 1} ${JSON.stringify(entry)}`;
  const dash = entry.indexOf('-');
  if (dash <= 0) return `${where}: expected id-host:port`;
  const id = entry.slice(0, dash);
  const address = entry.slice(dash + 1);
  if (!PEER_ID.test(id)) return `${where}: id must be a letter followed by digits, like n0`;
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return `${where}: expected id-host:port`;
  const host = address.slice(0, colon);
  const portText = address.slice(colon + 1);
  if (/\s/.test(host)) return `${where}: host must not contain whitespace`;
  if (!/^\d{1,5}$/.test(portText)) return `${where}: port must be a number`;
  const port = Number(portText);
  if (port < 1 || port > 65535) return `${where}: port must be within 1..65535`;
  return { id, host, port };
}

/** Parses and checks a peers string; never throws. A trailing `;` is allowed (Java's split). */
export function parseDledgerPeers(text: string): DledgerPeersResult {
  const parts = text.split(';');
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  const peers: DledgerPeer[] = [];
  const ids = new Set<string>();
  const addresses = new Set<string>();
  for (const [index, part] of parts.entries()) {
    const peer = parsePeer(part, index);
    if (typeof peer === 'string') return { ok: false, reason: peer };
    if (ids.has(peer.id)) return { ok: false, reason: `peer id "${peer.id}" appears twice` };
    const address = `${peer.host}:${peer.port}`;
    if (addresses.has(address)) return { ok: false, reason: `address ${address} appears twice` };
    ids.add(peer.id);
    addresses.add(address);
    peers.push(Object.freeze(peer));
  }
  return { ok: true, peers: Object.freeze(peers) };
}

export function formatDledgerPeers(peers: readonly DledgerPeer[]): string {
  return peers.map((p) => `${p.id}-${p.host}:${p.port}`).join(';');
}
