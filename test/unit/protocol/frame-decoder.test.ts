// Goal: the streaming decoder yields the same commands however the byte stream is cut, and fails
// early and cheaply on bad prefixes. Method: a stream of several frames (both serialize types,
// with and without bodies) fed in two pieces split at every byte position, then byte by byte;
// bad prefixes fed a byte at a time to see exactly when the decoder gives up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder } from '../../../protocol/frame-decoder.js';
import { FrameErrorReason } from '../../../protocol/frame-format.js';
import {
  createRequest,
  createResponse,
  encodeCommand,
  type RemotingCommand,
} from '../../../protocol/remoting-command.js';

function sampleCommands(): RemotingCommand[] {
  const send = createRequest(
    310,
    { a: 'PG', b: 'TopicTest', e: 1, g: 1700000000000 },
    Buffer.alloc(37, 7),
  );
  send.opaque = 1;
  const pull = {
    ...createRequest(11, { topic: 'T', queueId: 0 }),
    opaque: 2,
    serializeTypeCurrentRPC: 'ROCKETMQ' as const,
  };
  const response = createResponse(send, 0, 'done');
  response.body = Buffer.from('payload');
  const empty = { ...createRequest(34), opaque: 4 };
  return [send, pull, response, empty];
}

function drain(decoder: FrameDecoder, out: RemotingCommand[]): void {
  for (;;) {
    const step = decoder.next();
    if (step.kind === 'need-more') return;
    if (step.kind === 'error') assert.fail(`unexpected error ${step.error.reason}`);
    out.push(step.command);
  }
}

function normalize(commands: RemotingCommand[]) {
  return commands.map((c) => ({
    ...c,
    extFields: { ...c.extFields },
    body: c.body === null ? null : Buffer.from(c.body),
  }));
}

describe('FrameDecoder', () => {
  const commands = sampleCommands();
  const stream = Buffer.concat(commands.map((c) => encodeCommand(c)));
  const expected = normalize(
    commands.map((c) => ({ ...c, body: c.body !== null && c.body.length > 0 ? c.body : null })),
  );

  it('decodes the stream split in two at every byte position', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new FrameDecoder({ maxFrameSizeBytes: 1 << 20 });
      const out: RemotingCommand[] = [];
      decoder.push(stream.subarray(0, cut));
      drain(decoder, out);
      decoder.push(stream.subarray(cut));
      drain(decoder, out);
      assert.deepEqual(normalize(out), expected, `cut at ${cut}`);
      assert.equal(decoder.bufferedBytes, 0);
    }
  });

  it('decodes the stream fed one byte at a time, holding at most one frame', () => {
    const decoder = new FrameDecoder({ maxFrameSizeBytes: 1 << 20 });
    const out: RemotingCommand[] = [];
    const largest = Math.max(...commands.map((c) => encodeCommand(c).length));
    for (let i = 0; i < stream.length; i++) {
      decoder.push(new Uint8Array(stream.subarray(i, i + 1)));
      drain(decoder, out);
      assert.ok(decoder.bufferedBytes < largest);
    }
    assert.deepEqual(normalize(out), expected);
  });

  it('keeps decoded commands until asked (pull-based backpressure)', () => {
    const decoder = new FrameDecoder({ maxFrameSizeBytes: 1 << 20 });
    decoder.push(stream);
    assert.equal(decoder.bufferedBytes, stream.length);
    const first = decoder.next();
    assert.equal(first.kind, 'command');
    assert.ok(decoder.bufferedBytes < stream.length);
  });

  it('rejects an oversized length as soon as the 4 length bytes arrive', () => {
    const decoder = new FrameDecoder({ maxFrameSizeBytes: 1024 });
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(1021, 0);
    decoder.push(prefix.subarray(0, 3));
    assert.equal(decoder.next().kind, 'need-more');
    decoder.push(prefix.subarray(3));
    const step = decoder.next();
    assert.equal(step.kind === 'error' && step.error.reason, FrameErrorReason.FRAME_TOO_LARGE);
    assert.equal(decoder.bufferedBytes, 0);
    decoder.push(Buffer.alloc(100_000));
    assert.equal(decoder.bufferedBytes, 0, 'a failed decoder holds nothing');
  });

  it('accepts a frame of exactly the maximum size', () => {
    const request = { ...createRequest(10), opaque: 3 };
    const frameWithoutBody = encodeCommand(request).length;
    request.body = Buffer.alloc(1024 - frameWithoutBody, 1);
    const frame = encodeCommand(request);
    assert.equal(frame.length, 1024);
    const decoder = new FrameDecoder({ maxFrameSizeBytes: 1024 });
    decoder.push(frame);
    assert.equal(decoder.next().kind, 'command');
    const bigger = new FrameDecoder({ maxFrameSizeBytes: 1023 });
    bigger.push(frame);
    assert.equal(bigger.next().kind, 'error');
  });

  it('names each bad prefix', () => {
    const cases: [string, FrameErrorReason][] = [
      ['00000003', FrameErrorReason.TOO_SHORT],
      ['ffffffff', FrameErrorReason.FRAME_TOO_LARGE],
      ['0000000a00000007', FrameErrorReason.HEADER_LENGTH_INVALID],
      ['0000000a02000002', FrameErrorReason.SERIALIZE_TYPE_UNKNOWN],
      ['0000000800000004' + '7b7d2020', FrameErrorReason.HEADER_MALFORMED],
      ['0000000801000004' + '00000000', FrameErrorReason.HEADER_MALFORMED],
    ];
    for (const [hex, reason] of cases) {
      const decoder = new FrameDecoder({ maxFrameSizeBytes: 1 << 20 });
      decoder.push(Buffer.from(hex, 'hex'));
      const step = decoder.next();
      assert.equal(step.kind === 'error' && step.error.reason, reason, hex);
      assert.equal(decoder.next().kind, 'error', 'failure is sticky');
    }
  });

  it('fails on the header word after 8 bytes, before the body arrives', () => {
    const decoder = new FrameDecoder({ maxFrameSizeBytes: 1 << 20 });
    decoder.push(Buffer.from('0000fff005000010', 'hex'));
    const step = decoder.next();
    assert.equal(
      step.kind === 'error' && step.error.reason,
      FrameErrorReason.SERIALIZE_TYPE_UNKNOWN,
    );
  });
});
