// Goal: no byte sequence makes the frame decoder throw, loop or hold more than one frame.
// Method: fast-check (seeded; the seed is printed, SEED=<n> replays it) generates frames from
// three sources, weighted as the bad-input suite asks: structured frames with exactly one field
// mutated (70%), byte-level mutations of valid frames — bit flips, truncation, splicing (25%) —
// and random bytes (5%). Each input is fed to a FrameDecoder in random chunk sizes and drained
// with an iteration bound; then a hand-written list of prefix boundary cases runs the same way.
// The default run generates 10,000 inputs; PETREL_LONG=1 runs 100,000.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameDecoder } from '../../../protocol/frame-decoder.js';
import {
  createExtFields,
  decodeCommand,
  encodeCommand,
  type RemotingCommand,
} from '../../../protocol/remoting-command.js';
import { isLongRun, testSeeds } from '../../harness/seed.js';

const MAX_FRAME_BYTES = 64 * 1024;

const commandArb: fc.Arbitrary<RemotingCommand> = fc.record({
  code: fc.integer({ min: -32768, max: 32767 }),
  language: fc.constantFrom('JAVA', 'GO', 'CPP', 'OTHER'),
  version: fc.integer({ min: 0, max: 32767 }),
  opaque: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  flag: fc.integer({ min: 0, max: 3 }),
  remark: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  extFields: fc
    .dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 30 }), {
      maxKeys: 6,
    })
    .map((fields) => createExtFields(fields)),
  body: fc.option(
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    { nil: null },
  ),
  serializeTypeCurrentRPC: fc.constantFrom('JSON' as const, 'ROCKETMQ' as const),
});

function withPrefix(header: Buffer, type: number, body: Buffer | null): Buffer {
  const bodyBytes = body?.length ?? 0;
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(4 + header.length + bodyBytes, 0);
  prefix.writeUInt32BE(((type << 24) | header.length) >>> 0, 4);
  return Buffer.concat([prefix, header, body ?? Buffer.alloc(0)]);
}

/** A JSON header with one top-level property replaced by an arbitrary JSON value. */
const jsonFieldMutation = fc
  .tuple(
    commandArb,
    fc.constantFrom('code', 'opaque', 'flag', 'version', 'language', 'remark', 'extFields'),
    fc.jsonValue({ maxDepth: 4 }),
  )
  .map(([command, key, value]) => {
    const header: Record<string, unknown> = {
      code: command.code,
      extFields: { ...command.extFields },
      flag: command.flag,
      language: command.language,
      opaque: command.opaque,
      remark: command.remark,
    };
    header[key] = value;
    return withPrefix(Buffer.from(JSON.stringify(header)), 0, command.body);
  });

/** A valid frame with one prefix or ROCKETMQ length field overwritten. */
const prefixMutation = fc
  .tuple(
    commandArb,
    fc.constantFrom(0, 4, 4.5, 21, 25, 27),
    fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  )
  .map(([command, where, value]) => {
    const frame = Buffer.from(encodeCommand(command));
    if (where === 4.5) frame.writeUInt8(value & 0xff, 4);
    else if (where + 4 <= frame.length) frame.writeInt32BE(value, where);
    return frame;
  });

const structured = fc.oneof(jsonFieldMutation, prefixMutation);

const byteMutation = fc
  .tuple(
    commandArb,
    commandArb,
    fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    fc.constantFrom('flip', 'truncate', 'splice'),
    fc.nat(),
  )
  .map(([a, b, positions, kind, cut]) => {
    const frame = Buffer.from(encodeCommand(a));
    if (kind === 'flip') {
      for (const p of positions)
        frame[p % frame.length] = (frame[p % frame.length] ?? 0) ^ (1 << (p % 8));
      return frame;
    }
    if (kind === 'truncate') return frame.subarray(0, cut % frame.length);
    const other = encodeCommand(b);
    return Buffer.concat([
      frame.subarray(0, cut % frame.length),
      other.subarray(cut % other.length),
    ]);
  });

const randomBytes = fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes));

const inputArb = fc.tuple(
  fc.oneof(
    { weight: 70, arbitrary: structured },
    { weight: 25, arbitrary: byteMutation },
    { weight: 5, arbitrary: randomBytes },
  ),
  fc.integer({ min: 1, max: 64 }),
);

const outcomes = new Map<string, number>();

/** Feeds `input` in chunks, drains with a bound, checks the buffer bound; returns the outcome. */
function feed(input: Buffer, chunkBytes: number): string {
  const decoder = new FrameDecoder({ maxFrameSizeBytes: MAX_FRAME_BYTES });
  let outcome = 'need-more';
  let steps = 0;
  for (let offset = 0; offset < input.length; offset += chunkBytes) {
    decoder.push(input.subarray(offset, offset + chunkBytes));
    assert.ok(decoder.bufferedBytes <= MAX_FRAME_BYTES + chunkBytes, 'holds at most one frame');
    for (;;) {
      steps++;
      assert.ok(steps <= input.length + 2, 'each step consumes input');
      const step = decoder.next();
      if (step.kind === 'need-more') break;
      outcome = step.kind === 'error' ? step.error.reason : 'command';
      if (step.kind === 'error') return outcome;
    }
  }
  const direct = decodeCommand(input);
  return direct.ok
    ? outcome
    : outcome === 'command'
      ? outcome
      : `${outcome}|${direct.error.reason}`;
}

function count(outcome: string): void {
  const key = outcome.split('|')[0] ?? outcome;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}

function boundaryCases(): Buffer[] {
  const cases: Buffer[] = [];
  const lengths = [
    0,
    1,
    3,
    4,
    5,
    7,
    8,
    12,
    20,
    21,
    25,
    MAX_FRAME_BYTES - 5,
    MAX_FRAME_BYTES - 4,
    MAX_FRAME_BYTES - 3,
    0x7fffffff,
    0x80000000,
    0xffffffff,
  ];
  for (const length of lengths) {
    for (const type of [0, 1, 2, 255]) {
      for (const headerBytes of [0, 1, 4, 20, 21, 0xffffff]) {
        const frame = Buffer.alloc(8 + Math.min(64, Math.max(0, length - 4)));
        frame.writeUInt32BE(length >>> 0, 0);
        frame.writeUInt32BE(((type << 24) | headerBytes) >>> 0, 4);
        cases.push(frame);
      }
    }
  }
  return cases;
}

describe('frame decoder fuzzing', () => {
  it('never throws, never loops, never holds more than a frame', () => {
    const [seed = 0] = testSeeds(1, 20240611);
    const numRuns = isLongRun() ? 100_000 : 10_000;
    console.log(`frame fuzz: seed=${seed} runs=${numRuns} (replay with SEED=${seed})`);
    const heapBefore = process.memoryUsage().heapUsed;
    fc.assert(
      fc.property(inputArb, ([input, chunkBytes]) => {
        count(feed(input, chunkBytes));
      }),
      { seed, numRuns },
    );
    for (const input of boundaryCases()) count(feed(input, 7));
    const heapGrowthBytes = process.memoryUsage().heapUsed - heapBefore;
    console.log(`frame fuzz outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    assert.ok(heapGrowthBytes < 64 * 1024 * 1024, `heap grew by ${heapGrowthBytes} bytes`);
    assert.ok((outcomes.get('command') ?? 0) > 0, 'some inputs still decode');
    assert.ok((outcomes.get('HEADER_MALFORMED') ?? 0) > 0, 'some headers are malformed');
  });
});
