// The NameServer's KV config: namespace -> key -> value (for example ORDER_TOPIC_CONFIG, whose
// values give the queue layout of ordered topics), kept in kvConfigPath and rewritten atomically
// on every change.
//
// RocketMQ: namesrv/.../kvconfig/KVConfigManager.java, KVConfigSerializeWrapper.java.
// File: {"configTable":{"ORDER_TOPIC_CONFIG":{"TopicA":"broker-a:4"}}}

import { assert } from '../common/assert.js';
import type { FileIO } from '../engine/io/file-io.js';
import { parseFastjson } from '../protocol/index.js';
import { JsonStateFile } from '../server/config-file.js';

export const NAMESPACE_ORDER_TOPIC_CONFIG = 'ORDER_TOPIC_CONFIG';

/** Namespaces and keys at most, so a client cannot grow the file without bound. */
const MAX_ENTRIES = 100_000;

type Table = Map<string, Map<string, string>>;

function parseTable(text: string): Table {
  const root = parseFastjson(text) as { configTable?: Record<string, Record<string, unknown>> };
  const table: Table = new Map();
  for (const [namespace, entries] of Object.entries(root.configTable ?? {})) {
    const map = new Map<string, string>();
    for (const [key, value] of Object.entries(entries ?? {})) map.set(key, String(value));
    table.set(namespace, map);
  }
  return table;
}

function renderTable(table: Table): string {
  const configTable: Record<string, Record<string, string>> = {};
  for (const [namespace, entries] of table) configTable[namespace] = Object.fromEntries(entries);
  return `${JSON.stringify({ configTable }, null, 2)}\n`;
}

export class KvConfig {
  readonly #file: JsonStateFile<Table>;
  #table: Table = new Map();
  #entryCount = 0;

  constructor(io: FileIO, path: string) {
    this.#file = new JsonStateFile({ io, path, parse: parseTable, render: renderTable });
  }

  load(): void {
    this.#table = this.#file.load() ?? new Map();
    this.#entryCount = [...this.#table.values()].reduce((n, m) => n + m.size, 0);
  }

  /** Stores a value; false when the table is full. */
  put(namespace: string, key: string, value: string): boolean {
    let entries = this.#table.get(namespace);
    if (entries?.has(key) !== true && this.#entryCount >= MAX_ENTRIES) return false;
    if (entries === undefined) {
      entries = new Map();
      this.#table.set(namespace, entries);
    }
    if (!entries.has(key)) this.#entryCount++;
    entries.set(key, value);
    this.#file.save(this.#table);
    return true;
  }

  get(namespace: string, key: string): string | undefined {
    return this.#table.get(namespace)?.get(key);
  }

  delete(namespace: string, key: string): void {
    const entries = this.#table.get(namespace);
    if (entries?.delete(key) !== true) return;
    this.#entryCount--;
    if (entries.size === 0) this.#table.delete(namespace);
    assert(this.#entryCount >= 0, 'kv entry count never negative');
    this.#file.save(this.#table);
  }

  list(namespace: string): Record<string, string> | undefined {
    const entries = this.#table.get(namespace);
    return entries === undefined ? undefined : Object.fromEntries(entries);
  }
}
