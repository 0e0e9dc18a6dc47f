import type { Hex } from "viem";

/** A transaction the chain mined but reverted, although its simulation a moment earlier passed. */
export class TransactionRevertedError extends Error {
  override name = "TransactionRevertedError";

  constructor(
    readonly functionName: string,
    readonly hash: Hex,
  ) {
    super(`${functionName} reverted in ${hash}`);
  }
}
