// Micro benchmark of the broker's full registration body with 10,000 topics (what every broker
// start waits for): the plain RegisterBrokerBody written field by field (encodeRegisterBrokerBody)
// beside the generic fastjson writer it replaced, which writes the same bytes, and the NameServer's
// decode of it.
//
// Run from dist/: node dist/bench/micro/register-body.bench.js [--time=<ms per task>] [--topics=N]

import { argv } from 'node:process';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import {
  dataVersionToJson,
  decodeRegisterBrokerBody,
  encodeRegisterBrokerBody,
  mapRecord,
  type RegisterBrokerBody,
  topicConfigToJson,
} from '../../protocol/bodies/index.js';
import { stringifyFastjson } from '../../protocol/fastjson.js';

function bodyWith(topics: number): RegisterBrokerBody {
  const topicConfigTable: RegisterBrokerBody['topicConfigSerializeWrapper']['topicConfigTable'] =
    {};
  for (let i = 0; i < topics; i++) {
    topicConfigTable[`Scale${i}`] = {
      topicName: `Scale${i}`,
      readQueueNums: 4,
      writeQueueNums: 4,
      perm: 6,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: false,
    };
  }
  return {
    topicConfigSerializeWrapper: {
      topicConfigTable,
      dataVersion: { timestamp: 1_700_000_000_000, counter: 10_000 },
    },
    filterServerList: [],
  };
}

/** The generic writer, as encodeRegisterBrokerBody wrote the plain body before. */
function genericEncode(body: RegisterBrokerBody): Buffer {
  const wrapper = body.topicConfigSerializeWrapper;
  return Buffer.from(
    stringifyFastjson({
      filterServerList: body.filterServerList,
      topicConfigSerializeWrapper: {
        dataVersion: dataVersionToJson(wrapper.dataVersion),
        topicConfigTable: mapRecord(wrapper.topicConfigTable, topicConfigToJson),
      },
    }),
    'utf8',
  );
}

export function createRegisterBodyBench(timeMs = 1000, topics = 10_000): Bench {
  const bench = new Bench({ name: 'register body', time: timeMs, warmupTime: 200 });
  const body = bodyWith(topics);
  const encoded = encodeRegisterBrokerBody(body, { compressed: false });
  if (!encoded.equals(genericEncode(body))) throw new Error('the two writers disagree');
  bench.add(`${topics} topics: encode, field by field`, () => {
    encodeRegisterBrokerBody(body, { compressed: false });
  });
  bench.add(`${topics} topics: encode, generic fastjson writer`, () => {
    genericEncode(body);
  });
  bench.add(`${topics} topics: decode (NameServer)`, () => {
    decodeRegisterBrokerBody(encoded, { compressed: false });
  });
  return bench;
}

async function main(): Promise<void> {
  const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const topics = Number(option('topics') ?? 10_000);
  const bench = createRegisterBodyBench(Number(option('time') ?? 1000), topics);
  await bench.run();
  const bytes = encodeRegisterBrokerBody(bodyWith(topics), { compressed: false }).length;
  console.log(`node ${process.version}, body ${bytes} B`);
  console.table(bench.table());
}

if (import.meta.url === pathToFileURL(argv[1] ?? '').href) await main();
