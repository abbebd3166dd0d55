// Errors crossing a thread boundary. postMessage of an Error keeps message, stack and cause but
// drops `code`, custom fields and the subclass name (checked on Node 20.20.2), so a worker sends
// the plain WireError shape of common/errors.ts and the host rebuilds an MqError from it.

import { errorFromWire, errorToWire, type WireError } from '../../common/errors.js';

export { errorFromWire, errorToWire, type WireError };

/** True when value has the WireError shape (checked on receipt: it came from another thread). */
export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const wire = value as Record<string, unknown>;
  return (
    typeof wire['name'] === 'string' &&
    typeof wire['message'] === 'string' &&
    (wire['code'] === undefined || typeof wire['code'] === 'string') &&
    (wire['stack'] === undefined || typeof wire['stack'] === 'string') &&
    typeof wire['details'] === 'object' &&
    wire['details'] !== null
  );
}
