import { type Address, type Hex, parseSignature } from "viem";
import { getEip712Domain } from "viem/actions";
import type { Config } from "wagmi";
import { getPublicClient, readContract, signTypedData } from "wagmi/actions";
import { daiPermitTypes, permitTypes } from "../../../server/chain/permitTypes.js";
import type { PermitSignature } from "../api/types";

/** EIP-2612's `nonces`: the owner's next permit nonce (viem ships no EIP-2612 ABI). */
const noncesAbi = [
  {
    type: "function",
    name: "nonces",
    stateMutability: "view",
    inputs: [{ name: "owner", type: "address" }],
    outputs: [{ type: "uint256" }],
  },
] as const;

/** A permit to ask the wallet for: `owner` lets `spender` take up to `value` of `token` until `deadline`. */
export interface PermitRequest {
  token: Address;
  chainId: number;
  owner: Address;
  spender: Address;
  /** Token base units. */
  value: bigint;
  /** Unix seconds after which the token refuses the permit. */
  deadline: bigint;
}

/** A 65-byte ECDSA signature as the permits' `v`, `r` and `s` (`v` 27 or 28, as the tokens' ecrecover takes it). */
function splitSignature(signature: Hex) {
  const { r, s, v, yParity } = parseSignature(signature);
  return { v: Number(v ?? BigInt(yParity + 27)), r, s };
}

/** The token's EIP-712 name and version, from its ERC-5267 `eip712Domain()`. */
async function tokenDomain(config: Config, token: Address, chainId: number) {
  const client = getPublicClient(config, { chainId });
  if (!client) throw new Error(`This site has no RPC for chain ${chainId}`);
  return (await getEip712Domain(client, { address: token })).domain;
}

const nextNonce = (config: Config, token: Address, owner: Address, chainId: number) =>
  readContract(config, { address: token, abi: noncesAbi, functionName: "nonces", args: [owner], chainId });

/**
 * Has the wallet sign an EIP-2612 permit (one signature instead of an approve transaction) in the token's own
 * EIP-712 domain, with the owner's current nonce, and returns it as the platform's activation takes it: split into
 * v, r and s (`vrs`, what every EIP-2612 token checks with ecrecover) or whole (`bytes`, for a token with USDC's bytes
 * `permit`, which checks a smart account's signature through ERC-1271, or ERC-6492 before the account exists). The
 * token's name and version come from its ERC-5267 `eip712Domain()`; a token without one fails here (viem's
 * `Eip712DomainNotFoundError`, or the call's revert), before the wallet is asked for anything.
 */
export async function signPermit(
  config: Config,
  request: PermitRequest,
  form: "vrs" | "bytes" = "vrs",
): Promise<PermitSignature> {
  const { token, chainId, owner, spender, value, deadline } = request;
  const [{ name, version }, nonce] = await Promise.all([
    tokenDomain(config, token, chainId),
    nextNonce(config, token, owner, chainId),
  ]);
  const signature = await signTypedData(config, {
    account: owner,
    domain: { name, version, chainId, verifyingContract: token },
    types: permitTypes,
    primaryType: "Permit",
    message: { owner, spender, value, nonce, deadline },
  });
  if (form === "bytes") {
    return { kind: "eip2612-bytes", value: value.toString(), deadline: deadline.toString(), signature };
  }
  return { value: value.toString(), deadline: deadline.toString(), ...splitSignature(signature) };
}

/**
 * Has the wallet sign DAI's permit: `allowed`, with no amount, so the allowance it grants is unlimited (the
 * subscription contract still takes only what its terms allow). Valid until `request.deadline`.
 */
export async function signDaiPermit(config: Config, request: Omit<PermitRequest, "value">): Promise<PermitSignature> {
  const { token, chainId, owner, spender, deadline } = request;
  const [{ name, version }, nonce] = await Promise.all([
    tokenDomain(config, token, chainId),
    nextNonce(config, token, owner, chainId),
  ]);
  const signature = await signTypedData(config, {
    account: owner,
    domain: { name, version, chainId, verifyingContract: token },
    types: daiPermitTypes,
    primaryType: "Permit",
    message: { holder: owner, spender, nonce, expiry: deadline, allowed: true },
  });
  return { kind: "dai", nonce: nonce.toString(), expiry: deadline.toString(), ...splitSignature(signature) };
}
