import { type Address, getAddress, isAddress, zeroAddress } from "viem";
import { z } from "zod";

/** Whether the zero address is a valid value: never for an account that sends, receives or holds funds. */
export type ZeroAddress = "allow" | "refuse";

/** Why a value is not an acceptable address, and how to fix it. */
export interface AddressProblem {
  kind: "malformed" | "checksum" | "zero";
  message: string;
}

/**
 * What is wrong with `value` as an address, or undefined when it is valid. All-lowercase hex is valid; mixed case
 * must match its EIP-55 checksum, because a mismatch means a typo (re-checksumming it silently would send money to
 * an address nobody holds). The one rule for addresses on the server: the API's request schemas, the domain, the
 * chains file and the command line all apply it.
 */
export function addressProblem(value: string, options: { zero: ZeroAddress }): AddressProblem | undefined {
  if (!isAddress(value, { strict: false })) {
    return { kind: "malformed", message: "must be a 0x-prefixed 20-byte hex address" };
  }
  if (!isAddress(value, { strict: true })) {
    return {
      kind: "checksum",
      message:
        "does not match its EIP-55 checksum (the case of its letters): it is mistyped; copy it again from the wallet",
    };
  }
  if (options.zero === "refuse" && value.toLowerCase() === zeroAddress) {
    return { kind: "zero", message: "must not be the zero address: nobody holds its key" };
  }
  return undefined;
}

/**
 * A zod schema for an address under {@link addressProblem}'s rule, giving the checksummed address. `zero: "refuse"`
 * for payers, payees, gas wallets, tokens and factories.
 */
export function addressSchema(options: { zero: ZeroAddress }) {
  return z.string().transform((value, context): Address => {
    const problem = addressProblem(value, options);
    if (problem !== undefined) {
      context.addIssue({ code: "custom", message: problem.message });
      return z.NEVER;
    }
    return getAddress(value);
  });
}
