// Put statuses and results, named as RocketMQ's PutMessageStatus (store/.../PutMessageStatus.java).

export const PutStatus = {
  PUT_OK: 'PUT_OK',
  FLUSH_DISK_TIMEOUT: 'FLUSH_DISK_TIMEOUT',
  FLUSH_SLAVE_TIMEOUT: 'FLUSH_SLAVE_TIMEOUT',
  SLAVE_NOT_AVAILABLE: 'SLAVE_NOT_AVAILABLE',
  MESSAGE_ILLEGAL: 'MESSAGE_ILLEGAL',
  PROPERTIES_SIZE_EXCEEDED: 'PROPERTIES_SIZE_EXCEEDED',
  SERVICE_NOT_AVAILABLE: 'SERVICE_NOT_AVAILABLE',
  OS_PAGE_CACHE_BUSY: 'OS_PAGE_CACHE_BUSY',
  UNKNOWN_ERROR: 'UNKNOWN_ERROR',
  /**
   * The store stopped being master (or changed fence) before the put was accepted: nothing was
   * stored. Clients retry on another broker (it maps to SERVICE_NOT_AVAILABLE).
   */
  ROLE_CHANGED: 'ROLE_CHANGED',
} as const;
export type PutStatus = (typeof PutStatus)[keyof typeof PutStatus];

/** Statuses of a put whose message was written: it has offsets and ids. */
export type PutWrittenStatus =
  | typeof PutStatus.PUT_OK
  | typeof PutStatus.FLUSH_DISK_TIMEOUT
  | typeof PutStatus.FLUSH_SLAVE_TIMEOUT
  | typeof PutStatus.SLAVE_NOT_AVAILABLE;

/**
 * Statuses of a put that was refused or failed: the message was not (or not knowingly) stored.
 * FLUSH_SLAVE_TIMEOUT appears here too, for a put a role change overtook before it had offsets
 * (a role change drains the writer first, so in practice such puts have offsets and are answered
 * as PutWritten, as is a replicated put proposed but not known to be committed).
 */
export type PutFailedStatus =
  | Exclude<PutStatus, PutWrittenStatus>
  | typeof PutStatus.FLUSH_SLAVE_TIMEOUT;

/**
 * The message is stored. PUT_OK confirms it as asked (written, and fdatasync'ed under SYNC_FLUSH,
 * and on a slave under SYNC_MASTER); the other statuses mean it is stored but that confirmation
 * timed out or could not be waited for.
 */
export interface PutWritten {
  status: PutWrittenStatus;
  /** Broker message id (offsetMsgId): store host + commit log offset, 32 hex digits for IPv4. */
  msgId: string;
  /** Client message id (UNIQ_KEY property). */
  uniqKey: string;
  queueOffset: number;
  commitLogOffset: number;
  /** Length of the stored record, bytes. */
  wroteBytes: number;
  reason?: undefined;
}

/** The put was refused (nothing stored) or failed (UNKNOWN_ERROR: the store stopped under it). */
export interface PutFailed {
  status: PutFailedStatus;
  /** Why, in words (e.g. "the message body is empty", "the store is busy: ..."). */
  reason: string;
  msgId?: undefined;
  uniqKey?: undefined;
  queueOffset?: undefined;
  commitLogOffset?: undefined;
  wroteBytes?: undefined;
}

/** Narrow on `status`: after `status === 'PUT_OK'`, `queueOffset` is a number. */
export type PutResult = PutWritten | PutFailed;

/** True when the message was written (it has offsets), whatever the confirmation. */
export function isPutWritten(result: PutResult): result is PutWritten {
  return result.msgId !== undefined;
}

/** True for statuses where the message was written but its durability is not confirmed. */
export function isStoredNotConfirmed(status: PutStatus): boolean {
  return (
    status === PutStatus.FLUSH_DISK_TIMEOUT ||
    status === PutStatus.FLUSH_SLAVE_TIMEOUT ||
    status === PutStatus.SLAVE_NOT_AVAILABLE
  );
}
