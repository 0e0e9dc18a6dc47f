import type { Address, Hex } from "viem";
import type { Config } from "wagmi";
import { sendCalls, waitForCallsStatus } from "wagmi/actions";
import { TransactionRevertedError } from "../errors/TransactionRevertedError";
import { approveAbi } from "./approveAbi";

/** How long a batch may take to be included once the wallet sent it. */
const BATCH_TIMEOUT_MS = 120_000;

/**
 * Approves `values` in turn (a USDT-like token's 0 first, then the allowance) to `spender` as one atomic batch: one
 * confirmation in the wallet (EIP-5792 `wallet_sendCalls` with `atomicRequired`), and either every call happens or
 * none. `onHash` hears the transaction that carried it; a batch that did not succeed throws a
 * {@link TransactionRevertedError}.
 */
export async function sendApprovalBatch(
  config: Config,
  request: { token: Address; spender: Address; values: bigint[]; account: Address; chainId: number },
  onHash?: (hash: Hex) => void,
): Promise<void> {
  const { token, spender, values, account, chainId } = request;
  const { id } = await sendCalls(config, {
    account,
    chainId,
    forceAtomic: true,
    calls: values.map((value) => ({
      to: token,
      abi: approveAbi,
      functionName: "approve",
      args: [spender, value],
    })),
  });
  const result = await waitForCallsStatus(config, { id, timeout: BATCH_TIMEOUT_MS });
  const hash = result.receipts?.at(-1)?.transactionHash;
  if (hash) onHash?.(hash);
  if (result.status !== "success") throw new TransactionRevertedError("approve", hash ?? "0x");
}
