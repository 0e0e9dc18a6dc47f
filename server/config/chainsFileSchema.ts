import { z } from "zod";
import { addressSchema } from "../chain/addressSchema.js";
import { PERMIT_KINDS } from "../chain/permitKinds.js";

// a token or factory at the zero address, or a mistyped one, is a configuration error worth stopping for
const address = addressSchema({ zero: "refuse" });

/**
 * A token. `permit: true` alone (the older form) means EIP-2612 permits; `permitKind` says which permit the token
 * takes, and sets `permit` when it is left out.
 */
const token = z
  .object({
    code: z.string().regex(/^[A-Za-z0-9._-]{1,16}$/, { message: "token codes are 1-16 letters, digits, . _ or -" }),
    address,
    decimals: z.number().int().min(0).max(36),
    permit: z.boolean().optional(),
    permitKind: z
      .enum(PERMIT_KINDS, { message: `permitKind must be one of ${PERMIT_KINDS.join(", ")}, or null for none` })
      .nullable()
      .optional(),
    approveZeroFirst: z.boolean().default(false),
    feeOnTransfer: z.boolean().default(false),
  })
  .superRefine(({ permit, permitKind }, context) => {
    if (permit === false && permitKind) {
      context.addIssue({
        code: "custom",
        path: ["permit"],
        message: `permit is false but permitKind is "${permitKind}": leave permit out, or set permitKind to null`,
      });
    }
    if (permit === true && permitKind === null) {
      context.addIssue({
        code: "custom",
        path: ["permitKind"],
        message: "permitKind is null but permit is true: name the kind of permit, or set permit to false",
      });
    }
  })
  .transform(({ permit, permitKind, ...rest }) => {
    const kind = permitKind !== undefined ? permitKind : permit ? "eip2612" : null;
    return { ...rest, permit: kind !== null, permitKind: kind };
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
 *     "tokens": [{ "code": "USDC", "address": "0x8335...", "decimals": 6, "permitKind": "eip2612-bytes" }] }] }
 * ```
 */
export const chainsFileSchema = z.object({ chains: z.array(chain) });
