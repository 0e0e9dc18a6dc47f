/**
 * A failure that trying again unchanged would repeat: a transaction the node says would revert, a gas wallet key
 * that cannot be loaded. {@link isRetryable} says no to it, whatever it wraps.
 */
export class NonRetryableError extends Error {
  override name = "NonRetryableError";
}
