// Assertions for programmer errors. They stay on in production: a broken invariant in the store
// must stop the process rather than let it write or acknowledge wrong data.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message?: string): asserts condition {
  if (!condition) throw new AssertionError(message ?? 'assertion failed');
}

export function assertSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value))
    throw new AssertionError(`${what} is not a safe integer: ${value}`);
}

export function unreachable(value: never, what = 'value'): never {
  throw new AssertionError(`unreachable ${what}: ${String(value)}`);
}
