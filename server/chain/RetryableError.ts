/**
 * A failure that may pass if the same work is tried again later: a node or database briefly unavailable, a gas price
 * above the cap, a transaction not mined yet. {@link isRetryable} says yes to it (and to anything it wraps), and the
 * worker's loops back off and try again.
 */
export class RetryableError extends Error {
  override name = "RetryableError";
}
