// Options shared by the producer, the consumers and the admin client, their defaults, and the
// checks that turn a bad option into a TypeError or RangeError naming it.
//
// RocketMQ: client/.../ClientConfig.java (namesrvAddr "host:port;host:port", clientIP,
// instanceName, pollNameServerInterval 30 s, heartbeatBrokerInterval 30 s,
// persistConsumerOffsetInterval 5 s, mqClientApiTimeout 3 s).

import { networkInterfaces } from 'node:os';
import { assert } from '../common/assert.js';
import { type Clock, systemClock } from '../common/clock.js';
import { createPrng, type Prng } from '../common/prng.js';
import type { AclCredentials } from '../protocol/acl-signature.js';
import { type Logger, noopLogger } from '../protocol/logger.js';
import { parseAddress } from '../protocol/remoting-client.js';
import type { TlsClientOptions } from '../protocol/tls-options.js';

export interface ClientOptions {
  /** NameServer addresses, "host:port;host:port". */
  namesrvAddr: string;
  /** Second part of the client id ("ip@instanceName"). Default: the pid (plus a counter). */
  instanceName?: string;
  /** First part of the client id. Default: the first non-internal IPv4 address. */
  clientIp?: string;
  /** Timeout of NameServer and broker requests other than sends and pulls. Default 3,000 ms. */
  requestTimeoutMs?: number;
  /** Default 3,000 ms. */
  connectTimeoutMs?: number;
  /** Route refresh period. Default 30,000 ms. */
  pollNameServerIntervalMs?: number;
  /** HEART_BEAT period. Default 30,000 ms. */
  heartbeatBrokerIntervalMs?: number;
  /** Requests awaiting a response per connection at most. Default 10,000. */
  maxPendingRequestsPerConnection?: number;
  logger?: Logger;
  /** Time source (born timestamps, intervals). Default: the system clock. */
  clock?: Clock;
  /** Randomness (queue selection start, instance hash). Default: seeded from the clock. */
  prng?: Prng;
  /** RocketMQ plain-ACL account: every request is signed (as ali-ons and AclClientRPCHook do). */
  accessKey?: string;
  secretKey?: string;
  /** Connect to NameServers and brokers with TLS: true for Node's default CAs, or options. */
  tls?: boolean | TlsClientOptions;
}

export interface ResolvedClientOptions {
  namesrvAddrs: readonly string[];
  instanceName: string;
  clientIp: string;
  clientId: string;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  pollNameServerIntervalMs: number;
  heartbeatBrokerIntervalMs: number;
  maxPendingRequestsPerConnection: number;
  logger: Logger;
  clock: Clock;
  prng: Prng;
  credentials: AclCredentials | undefined;
  tls: TlsClientOptions | undefined;
}

/** A positive (or non-negative) integer option, else RangeError naming it. */
export function intOption(
  value: number | undefined,
  name: string,
  fallback: number,
  range: { min: number; max?: number },
): number {
  const resolved = value ?? fallback;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(resolved) || resolved < range.min || resolved > max) {
    throw new RangeError(`Option ${name} must be an integer in ${range.min}..${max}, not ${value}`);
  }
  return resolved;
}

export function boolOption(value: boolean | undefined, name: string, fallback: boolean): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`Option ${name} must be a boolean, not ${String(value)}`);
  }
  return value ?? fallback;
}

export function oneOfOption<T extends string>(
  value: T | undefined,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value !== undefined && !allowed.includes(value)) {
    throw new RangeError(`Option ${name} must be one of ${allowed.join(', ')}, not "${value}"`);
  }
  return value ?? fallback;
}

/** Splits "host:port;host:port" and checks each address; RangeError when one is malformed. */
export function parseNamesrvAddr(text: string): string[] {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new TypeError('Option namesrvAddr is required ("host:port;host:port")');
  }
  const addresses = text
    .split(';')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  for (const address of addresses) parseAddress(address);
  assert(addresses.length > 0, 'at least one NameServer address');
  return [...new Set(addresses)];
}

/** The first non-internal IPv4 address of this host, or 127.0.0.1. */
export function defaultClientIp(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family === 'IPv4' && !info.internal) return info.address;
    }
  }
  return '127.0.0.1';
}

let instanceCount = 0;

function defaultInstanceName(): string {
  const index = instanceCount++;
  return index === 0 ? String(process.pid) : `${process.pid}#${index}`;
}

export function resolveClientOptions(options: ClientOptions): ResolvedClientOptions {
  const namesrvAddrs = parseNamesrvAddr(options.namesrvAddr);
  const instanceName = options.instanceName ?? defaultInstanceName();
  if (instanceName === '' || instanceName.includes('@')) {
    throw new RangeError(`Option instanceName "${instanceName}" is empty or contains "@"`);
  }
  const clientIp = options.clientIp ?? defaultClientIp();
  const clock = options.clock ?? systemClock;
  const requestTimeoutMs = intOption(options.requestTimeoutMs, 'requestTimeoutMs', 3000, {
    min: 1,
  });
  return {
    namesrvAddrs,
    instanceName,
    clientIp,
    clientId: `${clientIp}@${instanceName}`,
    requestTimeoutMs,
    connectTimeoutMs: intOption(options.connectTimeoutMs, 'connectTimeoutMs', 3000, { min: 1 }),
    pollNameServerIntervalMs: intOption(
      options.pollNameServerIntervalMs,
      'pollNameServerIntervalMs',
      30_000,
      { min: 10 },
    ),
    heartbeatBrokerIntervalMs: intOption(
      options.heartbeatBrokerIntervalMs,
      'heartbeatBrokerIntervalMs',
      30_000,
      { min: 10 },
    ),
    maxPendingRequestsPerConnection: intOption(
      options.maxPendingRequestsPerConnection,
      'maxPendingRequestsPerConnection',
      10_000,
      { min: 1 },
    ),
    logger: options.logger ?? noopLogger,
    clock,
    prng: options.prng ?? createPrng(Math.floor(clock.nowMs()) ^ process.pid),
    credentials: resolveCredentials(options),
    tls: options.tls === true ? {} : options.tls === false ? undefined : options.tls,
  };
}

function resolveCredentials(options: ClientOptions): AclCredentials | undefined {
  const { accessKey, secretKey } = options;
  if (accessKey === undefined && secretKey === undefined) return undefined;
  if (
    typeof accessKey !== 'string' ||
    typeof secretKey !== 'string' ||
    accessKey === '' ||
    secretKey === ''
  ) {
    throw new TypeError('Options accessKey and secretKey must both be non-empty strings');
  }
  return { accessKey, secretKey };
}
