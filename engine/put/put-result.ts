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

export interface PutResult {
  status: PutStatus;
  /** Broker message id (offsetMsgId): store host + commit log offset, 32 hex digits for IPv4. */
  msgId?: string;
  /** Client message id (UNIQ_KEY property). */
  uniqKey?: string;
  queueOffset?: number;
  commitLogOffset?: number;
  wroteBytes?: number;
  /** Why the put was refused (MESSAGE_ILLEGAL, PROPERTIES_SIZE_EXCEEDED, SERVICE_NOT_AVAILABLE, ...). */
  reason?: string;
}

/** True for statuses where the message was written but its durability is not confirmed. */
export function isStoredNotConfirmed(status: PutStatus): boolean {
  return (
    status === PutStatus.FLUSH_DISK_TIMEOUT ||
    status === PutStatus.FLUSH_SLAVE_TIMEOUT ||
    status === PutStatus.SLAVE_NOT_AVAILABLE
  );
}
