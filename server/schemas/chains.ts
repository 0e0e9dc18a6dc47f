import { z } from "zod";
import { checksummedAddress } from "./common.js";

/** A chain this deployment bills on and its tokens: public facts, without the RPC URL (it often carries a key). */
export const publicChain = z
  .object({
    chainId: z.number().int(),
    name: z.string().describe("The `blockchain` code used in the API"),
    factory: checksummedAddress.describe("The SubscriptionFactory's address"),
    confirmations: z.number().int().describe("Blocks after which the platform treats a block as final"),
    explorerUrl: z.string().nullable(),
    tokens: z.array(
      z.object({
        code: z.string(),
        address: checksummedAddress,
        decimals: z.number().int(),
        permit: z.boolean().describe("Supports EIP-2612 permits"),
        approveZeroFirst: z.boolean().describe("Needs its allowance set to 0 before another non-zero value"),
      }),
    ),
  })
  .meta({ id: "Chain" });
export type PublicChain = z.infer<typeof publicChain>;

export const chainList = z.object({ chains: z.array(publicChain) });
