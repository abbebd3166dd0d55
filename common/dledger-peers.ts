// Parser for DLedger's peer list, `dLegerPeers=n0-host:port;n1-host:port;n2-host:port`, and the
// node's own id, `dLegerSelfId=n0`. Pure, so both ha/raft/ and the config/ loader can use it.
//
// Rules (DLedger splits on ";" and then at the first "-"): the id is everything before the first
// "-", the address everything after it; the address is host:port with a port in 1..65535 (an IPv6
// host is written in brackets, [::1]:40911). RocketMQ derives a follower's brokerId from the id
// (selfId.substring(1) + 1), so ids are one letter followed by digits. Ids and addresses are
// unique; the self id must be one of the ids. Fewer than 3 peers is allowed but not fault tolerant,
// and an even count tolerates no more failures than one peer less: both are returned as warnings.
//
// DLedger counterpart: DLedgerConfig.getPeers / MemberState (peer map built from the string).

import { ErrorCode, MqError } from './errors.js';

export interface DLedgerPeer {
  /** The peer id, e.g. "n0". */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** "host:port" as written (brackets kept for IPv6). */
  readonly address: string;
}

export const DLedgerPeersWarning = {
  NOT_FAULT_TOLERANT: 'NOT_FAULT_TOLERANT',
  EVEN_PEER_COUNT: 'EVEN_PEER_COUNT',
} as const;
export type DLedgerPeersWarningKind =
  (typeof DLedgerPeersWarning)[keyof typeof DLedgerPeersWarning];

export interface DLedgerPeersWarningItem {
  readonly kind: DLedgerPeersWarningKind;
  readonly message: string;
}

export interface DLedgerPeers {
  /** Peers in the order written. */
  readonly peers: readonly DLedgerPeer[];
  readonly self: DLedgerPeer;
  readonly warnings: readonly DLedgerPeersWarningItem[];
}

const ID_PATTERN = /^[A-Za-z][0-9]+$/;
const HOST_PATTERN = /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])$/;

function peersError(message: string, details: Record<string, unknown>): MqError {
  return new MqError(ErrorCode.PEERS_INVALID, message, details);
}

function parsePort(text: string, segment: string): number {
  if (!/^[0-9]{1,5}$/.test(text)) {
    throw peersError(`Peer "${segment}" has an invalid port "${text}"`, { segment });
  }
  const port = Number(text);
  if (port < 1 || port > 65535) {
    throw peersError(`Peer "${segment}" has port ${port} outside 1..65535`, { segment, port });
  }
  return port;
}

/** Parse one `id-host:port` segment. */
export function parseDLedgerPeer(segment: string): DLedgerPeer {
  const dash = segment.indexOf('-');
  if (dash <= 0) {
    throw peersError(
      `Peer "${segment}" is not of the form id-host:port (e.g. n0-127.0.0.1:40911)`,
      {
        segment,
      },
    );
  }
  const id = segment.slice(0, dash);
  const address = segment.slice(dash + 1);
  if (!ID_PATTERN.test(id)) {
    throw peersError(`Peer id "${id}" must be a letter followed by digits (e.g. n0)`, { id });
  }
  const colon = address.lastIndexOf(':');
  if (colon <= 0) {
    throw peersError(`Peer "${segment}" has no port: expected id-host:port`, { segment });
  }
  const host = address.slice(0, colon);
  if (!HOST_PATTERN.test(host)) {
    throw peersError(`Peer "${segment}" has an invalid host "${host}"`, { segment, host });
  }
  return { id, host, port: parsePort(address.slice(colon + 1), segment), address };
}

function checkUnique(peers: readonly DLedgerPeer[]): void {
  const ids = new Set<string>();
  const addresses = new Set<string>();
  for (const peer of peers) {
    if (ids.has(peer.id)) {
      throw peersError(`Peer id "${peer.id}" appears more than once in dLegerPeers`, {
        id: peer.id,
      });
    }
    if (addresses.has(peer.address)) {
      throw peersError(`Peer address "${peer.address}" appears more than once in dLegerPeers`, {
        address: peer.address,
      });
    }
    ids.add(peer.id);
    addresses.add(peer.address);
  }
}

function warningsFor(count: number): DLedgerPeersWarningItem[] {
  if (count < 3) {
    return [
      {
        kind: DLedgerPeersWarning.NOT_FAULT_TOLERANT,
        message: `dLegerPeers lists ${count} peer(s): the group stops if any peer fails; use 3 or more`,
      },
    ];
  }
  if (count % 2 === 0) {
    return [
      {
        kind: DLedgerPeersWarning.EVEN_PEER_COUNT,
        message: `dLegerPeers lists ${count} peers: this tolerates as many failures as ${count - 1}`,
      },
    ];
  }
  return [];
}

/**
 * Parse `dLegerPeers` alone (ids, hosts, ports, uniqueness).
 * @throws MqError PEERS_INVALID naming the problem.
 */
export function parseDLedgerPeerList(peersText: string): DLedgerPeer[] {
  const segments = peersText.split(';').map((segment) => segment.trim());
  // A trailing ";" is tolerated (Java's split drops trailing empty strings); other gaps are not.
  while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  if (segments.length === 0) {
    throw peersError('dLegerPeers is empty: expected n0-host:port;n1-host:port;...', {});
  }
  const emptyAt = segments.indexOf('');
  if (emptyAt !== -1) {
    throw peersError(`dLegerPeers has an empty entry at position ${emptyAt + 1}`, {
      position: emptyAt + 1,
    });
  }
  const peers = segments.map(parseDLedgerPeer);
  checkUnique(peers);
  return peers;
}

export function formatDLedgerPeers(peers: readonly DLedgerPeer[]): string {
  return peers.map((p) => `${p.id}-${p.address}`).join(';');
}

/**
 * Parse `dLegerPeers` and check `dLegerSelfId` against it.
 * @throws MqError PEERS_INVALID with a message naming the problem (empty list, malformed segment,
 * bad id, host or port, duplicate id or address, unknown self id).
 */
export function parseDLedgerPeers(peersText: string, selfId: string): DLedgerPeers {
  const peers = parseDLedgerPeerList(peersText);
  const self = peers.find((peer) => peer.id === selfId.trim());
  if (self === undefined) {
    throw peersError(
      `dLegerSelfId "${selfId}" is not among the peer ids ${peers.map((p) => p.id).join(', ')}`,
      { selfId, ids: peers.map((p) => p.id) },
    );
  }
  return { peers, self, warnings: warningsFor(peers.length) };
}
