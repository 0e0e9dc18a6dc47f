import { z } from "zod";
import { addressSchema } from "../chain/addressSchema.js";

// a token or factory at the zero address, or a mistyped one, is a configuration error worth stopping for
const address = addressSchema({ zero: "refuse" });

const token = z.object({
  code: z.string().regex(/^[A-Za-z0-9._-]{1,16}$/, { message: "token codes are 1-16 letters, digits, . _ or -" }),
  address,
  decimals: z.number().int().min(0).max(36),
  permit: z.boolean().default(false),
  approveZeroFirst: z.boolean().default(false),
  feeOnTransfer: z.boolean().default(false),
});

const chain = z
  .object({
    chainId: z.number().int().positive(),
    name: z.string().regex(/^[a-z0-9-]{1,32}$/, { message: "chain names are 1-32 lowercase letters, digits or -" }),
    rpcUrl: z.url({ message: "rpcUrl must be an http(s) or ws(s) URL" }).optional(),
    rpcUrlEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
    confirmations: z.number().int().min(0).max(1_000).default(2),
    factory: address,
    explorerUrl: z.url().optional(),
    maxFeePerGasGwei: z.number().positive().max(100_000).optional().describe("The worker waits while gas costs more"),
    pollingIntervalMs: z
      .number()
      .int()
      .min(10)
      .max(60_000)
      .optional()
      .describe("How often the worker asks the node for receipts and new blocks, milliseconds (default 2000)"),
    tokens: z.array(token).min(1, { message: "each chain needs at least one token" }),
  })
  .refine((c) => (c.rpcUrl === undefined) !== (c.rpcUrlEnv === undefined), {
    message:
      "give exactly one of rpcUrl or rpcUrlEnv (the name of a variable holding the URL, to keep keys out of files)",
  });

/**
 * The file named by `RECUR_CHAINS_FILE`: the real networks a deployment operates on, with their tokens.
 *
 * ```json
 * { "chains": [{ "chainId": 8453, "name": "base", "rpcUrlEnv": "BASE_RPC_URL", "confirmations": 5,
 *     "factory": "0x...", "explorerUrl": "https://basescan.org",
 *     "tokens": [{ "code": "USDC", "address": "0x8335...", "decimals": 6, "permit": true }] }] }
 * ```
 */
export const chainsFileSchema = z.object({ chains: z.array(chain) });
