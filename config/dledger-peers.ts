// Config-side reading of a DLedger peers string (dLegerPeers): the parsing rules live in
// common/dledger-peers.ts, shared with the Raft host; here they are wrapped in a result that never
// throws, so the loader can report the problem at its line with the others.

import {
  type DLedgerPeer,
  formatDLedgerPeers,
  parseDLedgerPeerList,
} from '../common/dledger-peers.js';
import { MqError } from '../common/errors.js';

export type DledgerPeer = DLedgerPeer;

export type DledgerPeersResult =
  | { readonly ok: true; readonly peers: readonly DledgerPeer[] }
  | { readonly ok: false; readonly reason: string };

/** Parses and checks a peers string; never throws. A trailing `;` is allowed (Java's split). */
export function parseDledgerPeers(text: string): DledgerPeersResult {
  try {
    return {
      ok: true,
      peers: Object.freeze(parseDLedgerPeerList(text).map((p) => Object.freeze(p))),
    };
  } catch (error) {
    if (error instanceof MqError) return { ok: false, reason: error.message };
    throw error;
  }
}

export const formatDledgerPeers = formatDLedgerPeers;
