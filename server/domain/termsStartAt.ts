/**
 * How far ahead of the server's clock a requested start may lie and still mean "now": a caller's clock may run a
 * little ahead of ours (SmartyPay's SDK sends `startFrom: new Date()` from the merchant's machine), and a trial of
 * a few seconds is never what anyone asked for.
 */
export const START_NOW_TOLERANCE_SECONDS = 60;

/**
 * The `startAt` term for a subscription asked to start at `startFrom` (unix seconds): 0 when it starts at once,
 * which the contract reads as "charge the first period at activation", in the activation's own block. So starting
 * at once never depends on two clocks agreeing (the server's estimate of the chain's time and the timestamp of the
 * block that activates it): no `startFrom`, one in the past, or one within {@link START_NOW_TOLERANCE_SECONDS} of
 * `now` starts at once; a later one is a free trial until then.
 */
export function termsStartAt(startFrom: Date | null | undefined, now: Date): number {
  if (!startFrom) return 0;
  const seconds = Math.floor(startFrom.getTime() / 1000);
  return seconds <= Math.floor(now.getTime() / 1000) + START_NOW_TOLERANCE_SECONDS ? 0 : seconds;
}
