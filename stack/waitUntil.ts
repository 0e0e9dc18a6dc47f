import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `check` every `intervalMs` until it returns a value, and returns it; throws, naming `what`, once
 * `timeoutMs` has passed. The default deadline is generous: a loaded machine is slow, and a wait that ends early is
 * a flaky failure, while one that succeeds costs only the time the condition took.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 120_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}
