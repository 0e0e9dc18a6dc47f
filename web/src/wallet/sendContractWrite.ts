import type { Abi, ContractFunctionArgs, ContractFunctionName, Hex, TransactionReceipt } from "viem";
import type { Config } from "wagmi";
import {
  type SimulateContractParameters,
  simulateContract,
  type WriteContractParameters,
  waitForTransactionReceipt,
  writeContract,
} from "wagmi/actions";
import { TransactionRevertedError } from "../errors/TransactionRevertedError";

/**
 * Sends one contract call from the wallet the way a payer should meet it: simulated first, so the wallet is only
 * asked to sign a call the chain accepts (a refusal arrives as the contract's custom error, before any gas is
 * spent), then written, then waited for. `onHash` hears the transaction's hash as soon as the wallet sent it, so
 * the page can link to it while it is mined. Every failure is thrown as it came (viem's errors, or a
 * {@link TransactionRevertedError}) for `describeError` to word for the payer; none is shown raw.
 */
export async function sendContractWrite<
  const abi extends Abi | readonly unknown[],
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
  args extends ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>,
>(
  config: Config,
  parameters: SimulateContractParameters<abi, functionName, args, Config, number> & { chainId: number },
  onHash?: (hash: Hex) => void,
): Promise<TransactionReceipt> {
  const { request } = await simulateContract<Config, abi, functionName, args, number>(config, parameters);
  // the request is the simulation's own answer; TypeScript cannot follow wagmi's types through these generics
  const hash = await writeContract(config, request as WriteContractParameters);
  onHash?.(hash);
  const receipt = await waitForTransactionReceipt(config, { hash, chainId: parameters.chainId });
  if (receipt.status !== "success") throw new TransactionRevertedError(String(parameters.functionName), hash);
  return receipt;
}
