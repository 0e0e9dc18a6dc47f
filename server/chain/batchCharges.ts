import { type Address, getAddress } from "viem";

/** One charge of a `chargeMany` batch, as the factory's `SubscriptionsCharged` event reports it. */
export interface BatchCharge {
  subscription: Address;
  /** Number of this charge, 1 for the first. */
  periodIndex: number;
  /** Earliest time of the next charge, unix seconds; 0 when this was the last charge (the subscription finished). */
  nextDueAt: number;
}

const MASK_160 = (1n << 160n) - 1n;
const MASK_16 = (1n << 16n) - 1n;
const MASK_40 = (1n << 40n) - 1n;

/**
 * Unpacks the words of `SubscriptionsCharged(uint256[] charges)`: the subscription's address in bits 0-159,
 * `periodIndex` in bits 160-175 and `nextDueAt` in bits 176-215 (see contracts/SubscriptionFactory.sol).
 */
export function unpackBatchCharges(words: readonly bigint[]): BatchCharge[] {
  return words.map((word) => ({
    subscription: getAddress(`0x${(word & MASK_160).toString(16).padStart(40, "0")}`),
    periodIndex: Number((word >> 160n) & MASK_16),
    nextDueAt: Number((word >> 176n) & MASK_40),
  }));
}
