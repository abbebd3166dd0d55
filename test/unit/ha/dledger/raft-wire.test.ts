// The Raft wire codec and the TCP transport's handling of bad input: every message type round-trips
// field by field; truncated, oversized, unknown and trailing-byte frames fail with a stable code;
// over a real socket, a malformed frame or a bad HELLO drops that connection only, reports the
// code, and the transport keeps serving well-formed peers.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { ErrorCode, MqError } from '../../../../common/errors.js';
import {
  decodeFrameBody,
  encodeHello,
  encodeMessage,
  encodeMessageParts,
  FRAME_LENGTH_BYTES,
  FrameSplitter,
} from '../../../../ha/dledger/raft-wire.js';
import { TcpTransport } from '../../../../ha/dledger/tcp-transport.js';
import {
  CampaignType,
  EntryType,
  type Message,
  MessageType,
  message,
} from '../../../../ha/raft/messages.js';
import { waitFor } from '../../../harness/wait-for.js';

function body(frame: Uint8Array): Uint8Array {
  return frame.subarray(FRAME_LENGTH_BYTES);
}

function withCode(code: string) {
  return (error: unknown) => error instanceof MqError && error.code === code;
}

const sample: Message = message({
  type: MessageType.APP,
  from: 'n0',
  to: 'n2',
  term: 7,
  logTerm: 6,
  index: 41,
  commit: 40,
  rejectHint: 0,
  entries: [
    { index: 42, term: 7, type: EntryType.NOOP, data: new Uint8Array(0) },
    { index: 43, term: 7, type: EntryType.NORMAL, data: new Uint8Array([1, 2, 3, 250]) },
  ],
});

describe('Raft wire codec', () => {
  it('round-trips every message type and flag', () => {
    for (const type of Object.values(MessageType)) {
      for (const reject of [false, true]) {
        const m = message({
          ...sample,
          type,
          reject,
          rejectHint: reject ? 2 ** 40 : 0,
          campaign: reject ? CampaignType.TRANSFER : CampaignType.ELECTION,
        });
        const frame = decodeFrameBody(body(encodeMessage(m)));
        assert.equal(frame.kind, 'message');
        assert.deepEqual(frame.kind === 'message' ? frame.message : null, m);
      }
    }
    const hello = decodeFrameBody(body(encodeHello('broker-a', 'n1')));
    assert.deepEqual(hello, {
      kind: 'hello',
      hello: { version: 1, group: 'broker-a', nodeId: 'n1' },
    });
  });

  it('sends large entries as parts of their own, and decodes them to the same bytes', () => {
    const large = (i: number) => new Uint8Array(40_000 + i).fill(i);
    const m = message({
      ...sample,
      entries: [
        { index: 42, term: 7, type: EntryType.NORMAL, data: large(1) },
        { index: 43, term: 7, type: EntryType.NORMAL, data: new Uint8Array([9, 9]) },
        { index: 44, term: 7, type: EntryType.NORMAL, data: large(2) },
      ],
    });
    const parts = encodeMessageParts(m);
    assert.equal(parts.length, 4, 'header, entry 42, header + entry 43 + header, entry 44');
    assert.equal(parts[1], m.entries[0]?.data, 'a large entry is sent as it is, not copied');
    assert.equal(parts[3], m.entries[2]?.data);
    const frame = encodeMessage(m);
    assert.equal(
      frame.length,
      parts.reduce((sum, p) => sum + p.length, 0),
    );
    const decoded = decodeFrameBody(body(frame));
    assert.deepEqual(decoded.kind === 'message' ? decoded.message : null, m);
  });

  it('refuses truncated, unknown and trailing-byte frames with E_FRAME_MALFORMED', () => {
    const good = body(encodeMessage(sample));
    for (let cut = 0; cut < good.length; cut++) {
      assert.throws(
        () => decodeFrameBody(good.subarray(0, cut)),
        withCode(ErrorCode.FRAME_MALFORMED),
      );
    }
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    assert.throws(() => decodeFrameBody(trailing), withCode(ErrorCode.FRAME_MALFORMED));
    const unknownKind = good.slice();
    unknownKind[0] = 0x99;
    assert.throws(() => decodeFrameBody(unknownKind), withCode(ErrorCode.FRAME_MALFORMED));
    const unknownType = good.slice();
    unknownType[1] = 42;
    assert.throws(() => decodeFrameBody(unknownType), withCode(ErrorCode.FRAME_MALFORMED));
    // An entry count that claims more entries than the frame could hold.
    const hugeCount = good.slice();
    const countAt = 3 + 1 + 2 + 1 + 2 + 5 * 8;
    new DataView(hugeCount.buffer).setUint32(countAt, 0xffffffff);
    assert.throws(() => decodeFrameBody(hugeCount), withCode(ErrorCode.FRAME_MALFORMED));
    // A negative term (the sign bit set).
    const negative = good.slice();
    negative[countAt - 40] = 0x80;
    assert.throws(() => decodeFrameBody(negative), withCode(ErrorCode.FRAME_MALFORMED));
  });

  it('splits a byte stream at any chunk boundary and bounds the frame size', () => {
    const frames = [encodeMessage(sample), encodeHello('g', 'n0'), encodeMessage(sample)];
    const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let p = 0;
    for (const f of frames) {
      stream.set(f, p);
      p += f.length;
    }
    for (const chunkSize of [1, 3, 17, stream.length]) {
      const splitter = new FrameSplitter(1024);
      const bodies: Uint8Array[] = [];
      for (let i = 0; i < stream.length; i += chunkSize) {
        const { bodies: found, error } = splitter.push(stream.subarray(i, i + chunkSize));
        assert.equal(error, null);
        bodies.push(...found);
      }
      assert.deepEqual(
        bodies.map((b) => decodeFrameBody(b).kind),
        ['message', 'hello', 'message'],
      );
    }
    const small = new FrameSplitter(16).push(encodeMessage(sample));
    assert.equal(small.error?.code, ErrorCode.FRAME_TOO_LARGE);
    const empty = new FrameSplitter(16).push(new Uint8Array(4));
    assert.equal(empty.error?.code, ErrorCode.FRAME_MALFORMED);
    // Whole frames before a bad length prefix are still handed out.
    const hello = encodeHello('g', 'n0');
    const mixed = new Uint8Array(hello.length + 4);
    mixed.set(hello);
    new DataView(mixed.buffer).setUint32(hello.length, 17);
    const partly = new FrameSplitter(16).push(mixed);
    assert.equal(partly.bodies.length, 1);
    assert.equal(partly.error?.code, ErrorCode.FRAME_TOO_LARGE);
  });
});

describe('TCP transport with bad peers', () => {
  const received: Message[] = [];
  const errors: { code: string; peer: string | null; text: string }[] = [];
  const transport = new TcpTransport({
    group: 'broker-a',
    selfId: 'n2',
    peerIds: ['n0', 'n1', 'n2'],
    listenHost: '127.0.0.1',
    listenPort: 0,
    maxFrameBytes: 4096,
    helloTimeoutMs: 300,
    onMessage: (m) => received.push(m),
    onError: (error, peer) => errors.push({ code: error.code, peer, text: error.message }),
  });
  after(() => transport.close());

  async function sendRaw(port: number, chunks: Uint8Array[]): Promise<void> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    for (const chunk of chunks) socket.write(chunk);
    // The transport closes the connection on a protocol error; a good one stays open.
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.on('error', () => undefined);
      setTimeout(() => socket.end(), 200).unref();
    });
  }

  it('drops the connection and reports the code, then serves a good peer', async () => {
    const { port } = await transport.listen();
    const garbage = new Uint8Array([0, 0, 0, 5, 0x99, 1, 2, 3, 4]);
    await sendRaw(port, [garbage]);
    await waitFor(() => errors.length === 1, { timeoutMs: 5000, what: 'garbage refused' });
    assert.equal(errors[0]?.code, ErrorCode.FRAME_MALFORMED);

    await sendRaw(port, [encodeHello('broker-b', 'n0')]);
    await waitFor(() => errors.length === 2, { timeoutMs: 5000, what: 'wrong group refused' });
    assert.equal(errors[1]?.code, ErrorCode.FRAME_MALFORMED);

    const tooLarge = new Uint8Array(8);
    new DataView(tooLarge.buffer).setUint32(0, 1 << 20);
    await sendRaw(port, [encodeHello('broker-a', 'n0'), tooLarge]);
    await waitFor(() => errors.length === 3, { timeoutMs: 5000, what: 'huge frame refused' });
    assert.equal(errors[2]?.code, ErrorCode.FRAME_TOO_LARGE);
    assert.equal(errors[2]?.peer, 'n0');

    // A message whose sender differs from the HELLO's id.
    const spoofed = encodeMessage(message({ ...sample, from: 'n1', to: 'n2' }));
    await sendRaw(port, [encodeHello('broker-a', 'n0'), spoofed]);
    await waitFor(() => errors.length === 4, { timeoutMs: 5000, what: 'spoofed sender refused' });
    assert.equal(received.length, 0);

    // A connection that never says HELLO is closed after helloTimeoutMs.
    const silent = connect({ host: '127.0.0.1', port });
    silent.on('error', () => undefined);
    await new Promise<void>((resolve) => silent.once('close', () => resolve()));
    await waitFor(() => errors.length === 5, { timeoutMs: 5000, what: 'silent peer closed' });
    assert.equal(errors[4]?.code, ErrorCode.FRAME_MALFORMED);
    assert.match(errors[4]?.text ?? '', /no HELLO within 300 ms/);

    const good = message({ ...sample, from: 'n0', to: 'n2' });
    await sendRaw(port, [encodeHello('broker-a', 'n0'), encodeMessage(good)]);
    await waitFor(() => received.length === 1, { timeoutMs: 5000, what: 'good message' });
    assert.deepEqual(received[0], good);
    assert.equal(errors.length, 5);
  });
});
