import { isAddress, zeroAddress } from "viem";

/**
 * Why a typed address is refused: not 20 bytes of hex, mixed case that is not its EIP-55 checksum (a typo, most
 * likely: re-checksumming it would send money to an address nobody holds), or the zero address (nobody holds it).
 */
export type AddressProblem = "malformed" | "checksum" | "zero";

/**
 * What is wrong with `value` as an account address, or null when nothing is: the rule of every address this site
 * takes from a person (the web server's requests and configuration, the admin page's fields), with viem's strict
 * semantics. All-lowercase is valid (it carries no checksum to check); mixed case must be the EIP-55 checksum.
 */
export function addressProblem(value: string): AddressProblem | null {
  if (!isAddress(value, { strict: false })) return "malformed";
  if (!isAddress(value, { strict: true })) return "checksum";
  if (value.toLowerCase() === zeroAddress) return "zero";
  return null;
}
