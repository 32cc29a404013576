/**
 * Polling for tests against the fake cluster: its kubelet and controllers act on timers, so tests
 * wait for an outcome rather than sleep a guessed amount.
 */
export interface WaitOptions {
  /** Give up after this long (default 15,000 ms: a loaded CI machine is slow, a passing wait is not). */
  timeoutMs?: number;
  /** Poll this often (default 10 ms). */
  intervalMs?: number;
  /** Shown in the error when waiting times out. */
  message?: string;
}

/** Resolves with the first truthy value `probe` returns; rejects after the timeout. */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting${options.message ? ` for ${options.message}` : ''}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 10));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
