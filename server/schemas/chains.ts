import { z } from "zod";
import { PERMIT_KINDS } from "../chain/permitKinds.js";
import { checksummedAddress } from "./common.js";

/**
 * Which permit a token takes: `eip2612` (v, r, s), `eip2612-bytes` (USDC since v2.2: also a bytes signature, so
 * smart-contract accounts can sign, ERC-1271 and ERC-6492), `dai` (DAI's permit, unlimited by construction); null
 * when it takes none.
 */
export const permitKind = z
  .enum(PERMIT_KINDS)
  .nullable()
  .describe(
    "Which permit the token takes: eip2612 (v, r, s), eip2612-bytes (also a bytes signature, so smart accounts can " +
      "sign: ERC-1271, ERC-6492), dai (DAI's permit: an unlimited allowance); null: none",
  );

/** A chain this deployment bills on and its tokens: public facts, without the RPC URL (it often carries a key). */
export const publicChain = z
  .object({
    chainId: z.number().int(),
    name: z.string().describe("The `blockchain` code used in the API"),
    factory: checksummedAddress.describe("The SubscriptionFactory's address"),
    smartAccountFactory: checksummedAddress
      .nullable()
      .describe("A SmartAccountFactory of test smart-contract accounts: local development chains only, else null"),
    confirmations: z.number().int().describe("Blocks after which the platform treats a block as final"),
    explorerUrl: z.string().nullable(),
    tokens: z.array(
      z.object({
        code: z.string(),
        address: checksummedAddress,
        decimals: z.number().int(),
        permit: z.boolean().describe("Takes a permit (of the kind permitKind names): sign instead of approving"),
        permitKind,
        approveZeroFirst: z.boolean().describe("Needs its allowance set to 0 before another non-zero value"),
      }),
    ),
  })
  .meta({ id: "Chain" });
export type PublicChain = z.infer<typeof publicChain>;

export const chainList = z.object({ chains: z.array(publicChain) });
