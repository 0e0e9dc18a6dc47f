import type { Config } from "wagmi";
import { estimateFeesPerGas } from "wagmi/actions";

/**
 * The gas an ERC-20 `approve` is given at most when working out what the wallet must hold: about 46,000 sets an
 * allowance from zero on a plain token, about 30,000 changes one; the rest is room for tokens that do more (a
 * proxy in front, an extra event).
 */
export const APPROVE_GAS_LIMIT = 80_000n;

/**
 * The most `approvals` approve transactions can cost on `chainId` at today's fees, in the chain's coin (wei): what
 * the payer's wallet must hold before it is asked for them. A permit needs none.
 */
export async function approvalFee(config: Config, chainId: number, approvals: number): Promise<bigint> {
  const fees = await estimateFeesPerGas(config, { chainId, type: "eip1559" }).catch(() =>
    estimateFeesPerGas(config, { chainId, type: "legacy" }),
  );
  const price = "maxFeePerGas" in fees && fees.maxFeePerGas !== undefined ? fees.maxFeePerGas : (fees.gasPrice ?? 0n);
  return APPROVE_GAS_LIMIT * BigInt(approvals) * price;
}
