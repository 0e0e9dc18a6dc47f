import type { Address, Hex } from "viem";
import type { Config } from "wagmi";
import { getCapabilities, getPublicClient } from "wagmi/actions";
import type { SiteToken } from "../api/types";

/** What the checkout learns of the payer's wallet before asking it for anything. */
export interface WalletAbilities {
  /** The payer's address is a contract (a smart account): it signs through ERC-1271, not with a key's ECDSA. */
  contractAccount: boolean;
  /** The wallet sends several calls as one atomic batch on this chain (EIP-5792 `atomic` capability). */
  atomic: boolean;
}

/**
 * How the payer authorises the subscription, each with exactly one prompt in the wallet:
 * - `permit`: an EIP-2612 signature (no transaction, no network fee), split into v, r, s for the token's classic
 *   `permit`: an EOA's only, since the token checks it with ecrecover;
 * - `permitBytes`: the same signature passed whole to the token's bytes `permit` (USDC's FiatTokenV2_2), which
 *   checks an EOA's and a smart account's alike (ERC-1271, or ERC-6492 before the account is deployed, which is why
 *   it is taken for every wallet: an account not deployed yet has no code to tell it from an EOA);
 * - `permitDai`: DAI's own permit (`allowed` rather than an amount: it grants an unlimited allowance);
 * - `batch`: the approval (through 0 first where the token needs it) as one atomic `wallet_sendCalls`;
 * - `approve`: an approve transaction (two for a USDT-like token that already has an allowance).
 */
export type ApprovalPath = "permit" | "permitBytes" | "permitDai" | "batch" | "approve";

/** EIP-7702's delegation designator: an EOA that delegates to code still signs with its own key. */
const DELEGATED_EOA_PREFIX = "0xef0100";

/** Whether `code`, found at an address, is a contract account rather than a (possibly EIP-7702-delegated) EOA. */
export const isContractCode = (code: Hex | undefined) =>
  code !== undefined && code !== "0x" && !code.toLowerCase().startsWith(DELEGATED_EOA_PREFIX);

/**
 * Asks the chain whether `payer` is a contract and the wallet (EIP-5792 `wallet_getCapabilities`) whether it batches
 * calls atomically on `chainId`. A wallet without EIP-5792 answers with an error: it does not batch.
 */
export async function walletAbilities(config: Config, payer: Address, chainId: number): Promise<WalletAbilities> {
  const client = getPublicClient(config, { chainId });
  const [code, capabilities] = await Promise.all([
    client?.getCode({ address: payer }),
    getCapabilities(config, { account: payer, chainId }).catch(() => undefined),
  ]);
  const atomic = (capabilities as { atomic?: { status?: string } } | undefined)?.atomic?.status;
  return { contractAccount: isContractCode(code), atomic: atomic === "supported" || atomic === "ready" };
}

/**
 * The one-prompt path for `token` and this wallet: a permit wherever the token can check the wallet's signature (an
 * EOA's by every permit token, a smart account's only by a bytes-signature permit), else one batch where the wallet
 * batches, else the approve transaction.
 */
export function approvalPath(token: Pick<SiteToken, "permitKind">, wallet: WalletAbilities): ApprovalPath {
  switch (token.permitKind) {
    case "eip2612-bytes":
      return "permitBytes";
    case "eip2612":
      if (!wallet.contractAccount) return "permit";
      break;
    case "dai":
      if (!wallet.contractAccount) return "permitDai";
      break;
  }
  return wallet.atomic ? "batch" : "approve";
}
