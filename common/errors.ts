// Operational errors at API edges (config, wire, CLI, file formats at open). Codes are stable API:
// they are never renamed, and tests assert on them rather than on messages. Hot paths return status
// values instead (see engine/ put and get results).

export const ErrorCode = {
  // Store lifecycle and files.
  STORE_CLOSED: 'E_STORE_CLOSED',
  STORE_LOCKED: 'E_STORE_LOCKED',
  STORE_OPTIONS_INVALID: 'E_STORE_OPTIONS_INVALID',
  /** A call's argument is out of its range (e.g. getMessage with maxMsgNums 0). */
  INVALID_ARGUMENT: 'E_INVALID_ARGUMENT',
  SEGMENT_SIZE_MISMATCH: 'E_SEGMENT_SIZE_MISMATCH',
  SEGMENT_NAME_INVALID: 'E_SEGMENT_NAME_INVALID',
  SEGMENT_GAP: 'E_SEGMENT_GAP',
  CORRUPT_RECORD: 'E_CORRUPT_RECORD',
  CHECKSUM_MISMATCH: 'E_CHECKSUM_MISMATCH',
  IO_ERROR: 'E_IO_ERROR',
  DISK_FULL: 'E_DISK_FULL',
  /** The store's file system is read-only, or its directory is not writable by this process. */
  STORE_READ_ONLY: 'E_STORE_READ_ONLY',
  /** The store directory was removed (or became unreachable) under a running store. */
  STORE_MISSING: 'E_STORE_MISSING',
  WORKER_EXITED: 'E_WORKER_EXITED',
  WORKER_START_TIMEOUT: 'E_WORKER_START_TIMEOUT',
  // Config and CLI.
  CONFIG_INVALID: 'E_CONFIG_INVALID',
  CONFIG_UNKNOWN_KEY: 'E_CONFIG_UNKNOWN_KEY',
  /** A key that changes safety or meaning and that Petrel does not implement. */
  CONFIG_UNSUPPORTED: 'E_CONFIG_UNSUPPORTED',
  /** aclEnable=true and the plain ACL file is missing or does not parse. */
  ACL_CONFIG_INVALID: 'E_ACL_CONFIG_INVALID',
  /** A TLS certificate, key or trust file is missing or unreadable. */
  TLS_CONFIG_INVALID: 'E_TLS_CONFIG_INVALID',
  USAGE: 'E_USAGE',
  // Wire protocol.
  /** A frame longer than the receiver accepts (Raft transport). */
  FRAME_TOO_LARGE: 'E_FRAME_TOO_LARGE',
  FRAME_MALFORMED: 'E_FRAME_MALFORMED',
  REMOTE_ERROR: 'E_REMOTE_ERROR',
  REQUEST_TIMEOUT: 'E_REQUEST_TIMEOUT',
  CONNECTION_CLOSED: 'E_CONNECTION_CLOSED',
  /** The connection could not be opened: the request was never sent (a definite failure). */
  CONNECT_FAILED: 'E_CONNECT_FAILED',
  /** The bound on requests awaiting a response was reached: the request was not sent. */
  TOO_MANY_PENDING_REQUESTS: 'E_TOO_MANY_PENDING_REQUESTS',
  /** A JSON or binary body does not parse or lacks a required field. */
  BODY_MALFORMED: 'E_BODY_MALFORMED',
  /** A server could not listen on its address (in use, not local, no permission). */
  LISTEN_FAILED: 'E_LISTEN_FAILED',
  /** A producer or consumer group name breaks RocketMQ's rule (or makes an invalid retry topic). */
  GROUP_NAME_INVALID: 'E_GROUP_NAME_INVALID',
  // Cluster and HA.
  NO_ROUTE: 'E_NO_ROUTE',
  NO_MASTER: 'E_NO_MASTER',
  PEERS_INVALID: 'E_PEERS_INVALID',
  HA_PROTOCOL: 'E_HA_PROTOCOL',
  /** A store role change carried a fence (Raft term, controller epoch) older than the store's. */
  ROLE_FENCE_STALE: 'E_ROLE_FENCE_STALE',
  /** enableDLegerCommitLog=true on a store that holds Master/Slave messages and no Raft log. */
  DLEDGER_STORE_NOT_MIGRATED: 'E_DLEDGER_STORE_NOT_MIGRATED',
  // Client.
  /** A producer, consumer or admin client was used before start() or after shutdown(). */
  CLIENT_STATE: 'E_CLIENT_STATE',
  // Messaging features.
  /** An SQL92 subscription expression does not parse or fails RocketMQ's compile-time checks. */
  FILTER_EXPRESSION_INVALID: 'E_FILTER_EXPRESSION_INVALID',
  // Web console.
  /** A state-changing console request from another site, or without the console's own header. */
  CONSOLE_CROSS_SITE: 'E_CONSOLE_CROSS_SITE',
  /** A console action without the admin token (or with a wrong one), or on a read-only console. */
  CONSOLE_TOKEN: 'E_CONSOLE_TOKEN',
  /** A console request that is malformed: wrong method or content type, too large, bad JSON. */
  CONSOLE_REQUEST_INVALID: 'E_CONSOLE_REQUEST_INVALID',
  /** The console is serving as many requests as it may at once. */
  CONSOLE_BUSY: 'E_CONSOLE_BUSY',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class MqError extends Error {
  override name = 'MqError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** The plain shape an MqError takes across threads and processes (postMessage drops `code`). */
export interface WireError {
  name: string;
  code: string | undefined;
  message: string;
  details: Record<string, unknown>;
  stack: string | undefined;
}

export function errorToWire(error: unknown): WireError {
  if (error instanceof MqError) {
    return {
      name: error.name,
      code: error.code,
      message: error.message,
      details: { ...error.details },
      stack: error.stack,
    };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      code: typeof code === 'string' ? code : undefined,
      message: error.message,
      details: {},
      stack: error.stack,
    };
  }
  return { name: 'Error', code: undefined, message: String(error), details: {}, stack: undefined };
}

const knownCodes = new Set<string>(Object.values(ErrorCode));

export function errorFromWire(wire: WireError): Error {
  if (wire.code !== undefined && knownCodes.has(wire.code)) {
    const error = new MqError(wire.code as ErrorCode, wire.message, wire.details);
    if (wire.stack !== undefined) error.stack = wire.stack;
    return error;
  }
  const error = new Error(wire.message);
  error.name = wire.name;
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}
