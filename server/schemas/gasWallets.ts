import { z } from "zod";
import { checksummedAddress } from "./common.js";

/** The merchant's gas wallet on one chain, with its last seen balance. */
export const gasWallet = z
  .object({
    blockchain: z.string(),
    chainId: z.number().int(),
    address: checksummedAddress,
    payoutAddress: checksummedAddress,
    balance: z.string().nullable().describe("Native coin, e.g. 0.42 ETH; null until first read"),
    low: z.boolean(),
    checkedAt: z.string().nullable(),
    keyConfigured: z.boolean().describe("Whether this deployment can send from it"),
  })
  .meta({ id: "GasWallet" });
export type GasWallet = z.infer<typeof gasWallet>;

export const gasWalletList = z.object({ gasWallets: z.array(gasWallet) });
