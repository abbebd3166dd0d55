// The dLegerPeers / dLegerSelfId parser: the accepted forms, each rejected form with its error
// code, and the warnings returned as data for groups that cannot tolerate a failure.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DLedgerPeersWarning, parseDLedgerPeers } from '../../../../common/dledger-peers.js';
import { ErrorCode, MqError } from '../../../../common/errors.js';

function rejects(peers: string, selfId: string, pattern: RegExp): void {
  assert.throws(
    () => parseDLedgerPeers(peers, selfId),
    (error: unknown) => {
      assert.ok(error instanceof MqError);
      assert.equal(error.code, ErrorCode.PEERS_INVALID);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('parseDLedgerPeers', () => {
  it('parses the RocketMQ sample configuration', () => {
    const parsed = parseDLedgerPeers(
      'n0-127.0.0.1:40911;n1-127.0.0.1:40912;n2-127.0.0.1:40913',
      'n1',
    );
    assert.deepEqual(
      parsed.peers.map((p) => [p.id, p.host, p.port]),
      [
        ['n0', '127.0.0.1', 40911],
        ['n1', '127.0.0.1', 40912],
        ['n2', '127.0.0.1', 40913],
      ],
    );
    assert.equal(parsed.self.id, 'n1');
    assert.equal(parsed.self.address, '127.0.0.1:40912');
    assert.deepEqual(parsed.warnings, []);
  });

  it('accepts host names with dashes, IPv6 in brackets, spaces and a trailing separator', () => {
    const parsed = parseDLedgerPeers(' n0-broker-a.local:40911 ; n1-[::1]:40912;n2-h:1; ', 'n2');
    assert.deepEqual(
      parsed.peers.map((p) => [p.id, p.host, p.port]),
      [
        ['n0', 'broker-a.local', 40911],
        ['n1', '[::1]', 40912],
        ['n2', 'h', 1],
      ],
    );
  });

  it('warns, without failing, when the group is not fault tolerant', () => {
    const one = parseDLedgerPeers('n0-127.0.0.1:40911', 'n0');
    assert.equal(one.warnings[0]?.kind, DLedgerPeersWarning.NOT_FAULT_TOLERANT);
    const two = parseDLedgerPeers('n0-a:1;n1-b:2', 'n0');
    assert.equal(two.warnings[0]?.kind, DLedgerPeersWarning.NOT_FAULT_TOLERANT);
    const four = parseDLedgerPeers('n0-a:1;n1-b:2;n2-c:3;n3-d:4', 'n0');
    assert.equal(four.warnings[0]?.kind, DLedgerPeersWarning.EVEN_PEER_COUNT);
  });

  it('rejects an unknown self id, naming the known ids', () => {
    rejects('n0-a:1;n1-b:2;n2-c:3', 'n7', /dLegerSelfId "n7" is not among the peer ids n0, n1, n2/);
  });

  it('rejects duplicate ids and duplicate addresses', () => {
    rejects('n0-a:1;n1-b:2;n0-c:3', 'n0', /Peer id "n0" appears more than once/);
    rejects('n0-a:1;n1-a:1;n2-c:3', 'n0', /Peer address "a:1" appears more than once/);
  });

  it('rejects malformed segments with a message naming the segment', () => {
    rejects('', 'n0', /dLegerPeers is empty/);
    rejects('n0-a:1;;n2-c:3', 'n0', /empty entry at position 2/);
    rejects('127.0.0.1:40911', 'n0', /is not of the form id-host:port/);
    rejects('-a:1', 'n0', /is not of the form id-host:port/);
    rejects('node0-a:1', 'node0', /Peer id "node0" must be a letter followed by digits/);
    rejects('n0-a', 'n0', /has no port/);
    rejects('n0-a:port', 'n0', /invalid port "port"/);
    rejects('n0-a:70000', 'n0', /port 70000 outside 1..65535/);
    rejects('n0-a:0', 'n0', /port 0 outside 1..65535/);
    rejects('n0-a b:1', 'n0', /invalid host "a b"/);
  });
});
