/**
 * Polls a condition with a deadline (the HA suites wait on real processes and
 * a real etcd); the error says what was awaited (`what` may be a function,
 * to describe the state at the moment of the timeout).
 */
export async function waitUntil<T>(
  condition: () => T | Promise<T>,
  what: string | (() => string),
  timeoutMs: number,
  pollMs = 20,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
