// RegisterBrokerBody: the body of REGISTER_BROKER (103): the broker's topic configs with their
// data version, and its filter servers. Also DataVersion and TopicConfig, which other bodies
// (GET_ALL_TOPIC_CONFIG, QUERY_DATA_VERSION) reuse.
//
// RocketMQ: common/.../protocol/body/{RegisterBrokerBody,TopicConfigSerializeWrapper}.java,
// common/.../{TopicConfig,DataVersion}.java (tag rocketmq-all-4.9.7);
// common/.../UtilAll.crc32 (the header's bodyCrc32).
//
// Plain form (header compressed=false, the default), fastjson property order:
//   {"filterServerList":[],
//    "topicConfigSerializeWrapper":{"dataVersion":{"counter":1,"timestamp":1700000000000},
//      "topicConfigTable":{"TopicA":{"order":false,"perm":6,"readQueueNums":4,
//        "topicFilterType":"SINGLE_TAG","topicName":"TopicA","topicSysFlag":0,
//        "writeQueueNums":4}}}}
//
// Compressed form (compressed=true): a zlib stream (Java DeflaterOutputStream) of
//   int32 len | DataVersion JSON | int32 topicCount |
//   topicCount x (int32 len | "<topicName> <read> <write> <perm> <topicFilterType>") |
//   int32 len | filterServerList JSON
// which carries neither topicSysFlag nor order (they read back as 0 and false, as in Java).
// Inflating is bounded by maxInflatedBytes so a small hostile body cannot expand without limit.

import { deflateSync, inflateSync } from 'node:zlib';
import { crc32 } from '../../common/bytes.js';
import { ErrorCode, MqError } from '../../common/errors.js';
import { stringifyFastjson } from '../fastjson.js';
import {
  asObject,
  bodyError,
  decodeJsonBody,
  type JsonObject,
  readArray,
  readBoolean,
  readInteger,
  readRecord,
  readString,
  stringItem,
} from './json-body.js';

export interface DataVersion {
  timestamp: number;
  counter: number;
}

export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  /** "SINGLE_TAG" or "MULTI_TAG". */
  topicFilterType: string;
  topicSysFlag: number;
  order: boolean;
}

export interface RegisterBrokerBody {
  topicConfigSerializeWrapper: {
    topicConfigTable: Record<string, TopicConfig>;
    dataVersion: DataVersion;
  };
  filterServerList: string[];
}

export function decodeDataVersion(value: unknown, path: string): DataVersion {
  const o = asObject(value, path);
  return { timestamp: readInteger(o, 'timestamp', path), counter: readInteger(o, 'counter', path) };
}

/** Two tables with the same data version hold the same content (RocketMQ: DataVersion.equals). */
export function sameDataVersion(a: DataVersion, b: DataVersion): boolean {
  return a.timestamp === b.timestamp && a.counter === b.counter;
}

export function dataVersionToJson(version: DataVersion): JsonObject {
  return { counter: version.counter, timestamp: version.timestamp };
}

export function decodeTopicConfig(value: unknown, path: string): TopicConfig {
  const o = asObject(value, path);
  return {
    topicName: readString(o, 'topicName', path),
    readQueueNums: readInteger(o, 'readQueueNums', path),
    writeQueueNums: readInteger(o, 'writeQueueNums', path),
    perm: readInteger(o, 'perm', path),
    topicFilterType: typeof o['topicFilterType'] === 'string' ? o['topicFilterType'] : 'SINGLE_TAG',
    topicSysFlag: readInteger(o, 'topicSysFlag', path, 0),
    order: readBoolean(o, 'order', path, false),
  };
}

export function topicConfigToJson(config: TopicConfig): JsonObject {
  return {
    order: config.order,
    perm: config.perm,
    readQueueNums: config.readQueueNums,
    topicFilterType: config.topicFilterType,
    topicName: config.topicName,
    topicSysFlag: config.topicSysFlag,
    writeQueueNums: config.writeQueueNums,
  };
}

/** The header's bodyCrc32: CRC32 of the body bytes, masked to 31 bits (UtilAll.crc32). */
export function registerBrokerBodyCrc32(body: Uint8Array): number {
  return crc32(body) & 0x7fffffff;
}

export interface RegisterBrokerBodyOptions {
  /** The header's `compressed` flag. */
  compressed: boolean;
  /** Bound on the inflated size of a compressed body. Default 64 MiB. */
  maxInflatedBytes?: number;
}

/** Throws MqError E_BODY_MALFORMED when the body is not a RegisterBrokerBody. */
export function decodeRegisterBrokerBody(
  body: Uint8Array | null,
  options: RegisterBrokerBodyOptions,
): RegisterBrokerBody {
  if (options.compressed) return decodeCompressed(body, options.maxInflatedBytes ?? 64 << 20);
  const path = 'RegisterBrokerBody';
  const o = asObject(decodeJsonBody(body, path), path);
  const wrapperPath = `${path}.topicConfigSerializeWrapper`;
  const wrapper = asObject(o['topicConfigSerializeWrapper'] ?? {}, wrapperPath);
  return {
    topicConfigSerializeWrapper: {
      topicConfigTable: readRecord(wrapper, 'topicConfigTable', wrapperPath, decodeTopicConfig),
      dataVersion: decodeDataVersion(
        wrapper['dataVersion'] ?? { timestamp: 0, counter: 0 },
        `${wrapperPath}.dataVersion`,
      ),
    },
    filterServerList: readArray(o, 'filterServerList', path, stringItem),
  };
}

export function encodeRegisterBrokerBody(
  body: RegisterBrokerBody,
  options: RegisterBrokerBodyOptions,
): Buffer {
  if (options.compressed) return encodeCompressed(body);
  const wrapper = body.topicConfigSerializeWrapper;
  // Written by hand, field by field, in the order and form stringifyFastjson gives
  // topicConfigToJson's objects (the unit test compares the two): a broker with 10,000 topics
  // sends about 1.5 MB at every start and full registration, and this is several times faster.
  const topics: string[] = [];
  for (const [key, c] of Object.entries(wrapper.topicConfigTable)) {
    topics.push(
      `${JSON.stringify(key)}:{"order":${c.order},"perm":${c.perm},"readQueueNums":${c.readQueueNums},"topicFilterType":${JSON.stringify(c.topicFilterType)},"topicName":${JSON.stringify(c.topicName)},"topicSysFlag":${c.topicSysFlag},"writeQueueNums":${c.writeQueueNums}}`,
    );
  }
  const version = stringifyFastjson(dataVersionToJson(wrapper.dataVersion));
  const filters = stringifyFastjson(body.filterServerList);
  return Buffer.from(
    `{"filterServerList":${filters},"topicConfigSerializeWrapper":{"dataVersion":${version},"topicConfigTable":{${topics.join(',')}}}}`,
    'utf8',
  );
}

function lengthPrefixed(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(4 + bytes.length);
  out.writeInt32BE(bytes.length, 0);
  bytes.copy(out, 4);
  return out;
}

function encodeCompressed(body: RegisterBrokerBody): Buffer {
  const wrapper = body.topicConfigSerializeWrapper;
  const configs = Object.values(wrapper.topicConfigTable);
  const count = Buffer.allocUnsafe(4);
  count.writeInt32BE(configs.length, 0);
  const parts = [
    lengthPrefixed(JSON.stringify(dataVersionToJson(wrapper.dataVersion))),
    count,
    ...configs.map((c) =>
      lengthPrefixed(
        `${c.topicName} ${c.readQueueNums} ${c.writeQueueNums} ${c.perm} ${c.topicFilterType}`,
      ),
    ),
    lengthPrefixed(JSON.stringify(body.filterServerList)),
  ];
  return deflateSync(Buffer.concat(parts), { level: 9 });
}

function inflateBounded(body: Uint8Array | null, maxBytes: number): Buffer {
  if (body === null || body.length === 0) throw bodyError('RegisterBrokerBody', 'body is missing');
  try {
    return inflateSync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    const message = `RegisterBrokerBody does not inflate: ${(error as Error).message}`;
    throw new MqError(ErrorCode.BODY_MALFORMED, message, {}, { cause: error });
  }
}

function decodeCompressed(body: Uint8Array | null, maxBytes: number): RegisterBrokerBody {
  const data = inflateBounded(body, maxBytes);
  let pos = 0;
  const readChunk = (what: string): string => {
    if (pos + 4 > data.length) throw bodyError('RegisterBrokerBody', `ends before ${what}`);
    const length = data.readInt32BE(pos);
    if (length < 0 || pos + 4 + length > data.length)
      throw bodyError('RegisterBrokerBody', `${what} length ${length} is out of range`);
    pos += 4 + length;
    return data.toString('utf8', pos - length, pos);
  };
  const dataVersion = decodeDataVersion(
    decodeJsonBody(Buffer.from(readChunk('dataVersion')), 'DataVersion'),
    'DataVersion',
  );
  if (pos + 4 > data.length) throw bodyError('RegisterBrokerBody', 'ends before the topic count');
  const topicCount = data.readInt32BE(pos);
  pos += 4;
  const topicConfigTable: Record<string, TopicConfig> = {};
  for (let i = 0; i < topicCount; i++) {
    const config = decodeTopicConfigLine(readChunk(`topic config ${i}`), i);
    Object.defineProperty(topicConfigTable, config.topicName, {
      value: config,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const filters = decodeJsonBody(Buffer.from(readChunk('filterServerList')), 'filterServerList');
  return {
    topicConfigSerializeWrapper: { topicConfigTable, dataVersion },
    filterServerList: readArray(
      { filterServerList: filters },
      'filterServerList',
      'RegisterBrokerBody',
      stringItem,
    ),
  };
}

/** TopicConfig.decode: "<topicName> <read> <write> <perm> <topicFilterType>". */
function decodeTopicConfigLine(line: string, index: number): TopicConfig {
  const parts = line.split(' ');
  const numberTexts = parts.slice(1, 4);
  const numbers = numberTexts.map(Number);
  const isWellFormed = numberTexts.every((text) => /^-?\d{1,9}$/.test(text));
  if (parts.length !== 5 || !isWellFormed || parts[0] === '') {
    throw bodyError(
      `RegisterBrokerBody topic config ${index}`,
      `"${line.slice(0, 64)}" is malformed`,
    );
  }
  return {
    topicName: parts[0] ?? '',
    readQueueNums: numbers[0] ?? 0,
    writeQueueNums: numbers[1] ?? 0,
    perm: numbers[2] ?? 0,
    topicFilterType: parts[4] ?? 'SINGLE_TAG',
    topicSysFlag: 0,
    order: false,
  };
}
