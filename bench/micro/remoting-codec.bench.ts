// Micro benchmark of the remoting codec: encode + decode of a SEND_MESSAGE_V2 request with a
// 1 KiB body (the request every ali-ons send makes), with a JSON header and with a ROCKETMQ
// binary header, plus the decode half alone through the streaming FrameDecoder.
//
// Run from dist/: node dist/bench/micro/remoting-codec.bench.js [--time=<ms per task>]

import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { FrameDecoder } from '../../protocol/frame-decoder.js';
import { SendMessageRequestHeaderV2 } from '../../protocol/headers/index.js';
import { encodeProperties } from '../../protocol/message-properties.js';
import {
  decodeCommand,
  encodeCommand,
  type RemotingCommand,
} from '../../protocol/remoting-command.js';

function sendRequest(serializeType: 'JSON' | 'ROCKETMQ'): RemotingCommand {
  const extFields = SendMessageRequestHeaderV2.encode({
    a: 'please_rename_unique_group_name',
    b: 'TopicTest',
    c: 'TBW102',
    d: 4,
    e: 3,
    f: 0,
    g: 1_700_000_000_123,
    h: 0,
    i: encodeProperties({
      TAGS: 'TagA',
      KEYS: 'order-42',
      WAIT: 'true',
      UNIQ_KEY: 'AC110001474C18B4AAC2700000000001',
    }),
    j: 0,
    k: false,
    m: false,
  });
  return {
    code: 310,
    language: 'JAVA',
    version: 407,
    opaque: 12345,
    flag: 0,
    remark: null,
    extFields,
    body: Buffer.alloc(1024, 0x61),
    serializeTypeCurrentRPC: serializeType,
  };
}

export function createRemotingCodecBench(timeMs = 1000): Bench {
  const bench = new Bench({ name: 'remoting codec', time: timeMs, warmupTime: 200 });
  for (const type of ['JSON', 'ROCKETMQ'] as const) {
    const request = sendRequest(type);
    const frame = encodeCommand(request);
    bench.add(`SEND_MESSAGE_V2 1 KiB ${type}: encode + decode`, () => {
      const result = decodeCommand(encodeCommand(request));
      if (!result.ok) throw new Error(result.error.message);
    });
    bench.add(`SEND_MESSAGE_V2 1 KiB ${type}: stream decode`, () => {
      const decoder = new FrameDecoder({ maxFrameSizeBytes: 16 << 20 });
      decoder.push(frame);
      if (decoder.next().kind !== 'command') throw new Error('frame did not decode');
    });
  }
  return bench;
}

async function main(): Promise<void> {
  const timeArg = argv.find((arg) => arg.startsWith('--time='));
  const bench = createRemotingCodecBench(timeArg === undefined ? 1000 : Number(timeArg.slice(7)));
  const sizes = (['JSON', 'ROCKETMQ'] as const).map(
    (t) => `${t} frame ${encodeCommand(sendRequest(t)).length} B`,
  );
  await bench.run();
  console.log(`node ${process.version}, ${sizes.join(', ')}`);
  console.table(bench.table());
}

if (import.meta.url === pathToFileURL(argv[1] ?? '').href) await main();
