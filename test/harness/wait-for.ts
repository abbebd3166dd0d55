/**
 * Polls a predicate until it returns a truthy value, which it resolves with, or the deadline
 * passes (integration and fault tests only). Any falsy value means "not yet", 0 and '' included:
 * a predicate that looks for an index must return something truthy (e.g. `i >= 0 ? { i } : null`).
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: { timeoutMs: number; intervalMs?: number; what?: string },
): Promise<NonNullable<T>> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 20;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const suffix = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${options.what ?? 'condition'}${suffix}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
