import type { ArtifactMap } from "hardhat/types/artifacts";
import type { Address, ContractFunctionArgs } from "viem";

/** Subscription terms as the contracts' `Terms` struct takes them. */
export type Terms = ContractFunctionArgs<ArtifactMap["SubscriptionFactory"]["abi"], "view", "predict">[0];

let nextSalt = 1;

/**
 * Terms for a monthly subscription of 10 tokens (6 decimals) that starts now and can be activated for a day, with a
 * fresh salt; `overrides` replaces any field.
 */
export function makeTerms(
  now: number,
  parties: { token: Address; payer: Address; payee: Address; operator: Address },
  overrides: Partial<Terms> = {},
): Terms {
  return {
    ...parties,
    amount: 10_000_000n,
    period: 30 * 24 * 3600,
    startAt: now,
    maxPeriods: 12,
    activateBy: now + 24 * 3600,
    salt: nextSalt++,
    ...overrides,
  };
}
