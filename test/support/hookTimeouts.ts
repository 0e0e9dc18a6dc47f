/**
 * Timeouts for node:test's `before` and `after` hooks. A hook inherits no timeout from its suite (a `before` that
 * hangs would hang its file), so every hook names one of these; a suite's own timeout bounds each of its tests.
 */
export const hookTimeouts = {
  /** Starting what a suite needs (a chain, the platform, a browser): slow on a loaded machine, never endless. */
  starting: { timeout: 600_000 },
  /** Stopping it all again. */
  stopping: { timeout: 180_000 },
} as const;
