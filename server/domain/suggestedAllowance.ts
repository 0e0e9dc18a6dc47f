/*
 * Pure on purpose (no server-only import): the dApp imports it too, so the platform's draft, the checkout's reused
 * draft and the portal's top-up ask a wallet for the same allowance.
 */

/** At most how many periods a wallet is asked to approve at once: a payer rarely tops up, and it is never unlimited. */
export const APPROVAL_PERIODS = 12;

/**
 * The allowance to ask a payer for: `amount` (token base units per period) for `periods` periods, at most
 * {@link APPROVAL_PERIODS} of them. Exact for any amount (bigint throughout).
 */
export function suggestedAllowance(amount: bigint, periods: number): bigint {
  return amount * BigInt(Math.min(periods, APPROVAL_PERIODS));
}
