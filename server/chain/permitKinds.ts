/**
 * The permits a token can take, so a payer signs once instead of sending an approval:
 *
 * - `eip2612`: EIP-2612's `permit(owner, spender, value, deadline, v, r, s)`, signed by an EOA.
 * - `eip2612-bytes`: EIP-2612 with the signature as bytes as well, as USDC has it since `FiatTokenV2_2`: the token
 *   checks it by ERC-1271 for a smart-contract account (and by ECDSA for an EOA), so smart wallets can permit, even
 *   before they are deployed (ERC-6492). It takes the `(v, r, s)` form too.
 * - `dai`: DAI's `permit(holder, spender, nonce, expiry, allowed, v, r, s)`, which can only grant an unlimited
 *   allowance (the subscription still takes only what its terms allow).
 *
 * Pure (no server-only import): the dApp reads it too.
 */
export const PERMIT_KINDS = ["eip2612", "eip2612-bytes", "dai"] as const;

/** One of {@link PERMIT_KINDS}. */
export type PermitKind = (typeof PERMIT_KINDS)[number];
