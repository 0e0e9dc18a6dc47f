import { type Address, parseSignature } from "viem";
import type { Config } from "wagmi";
import { readContract, signTypedData } from "wagmi/actions";
import type { PermitSignature } from "../api/types";

/** What a permit signature needs from an EIP-2612 token: its EIP-712 domain (EIP-5267) and the owner's nonce. */
const permitTokenAbi = [
  {
    type: "function",
    name: "eip712Domain",
    stateMutability: "view",
    inputs: [],
    outputs: [
      { name: "fields", type: "bytes1" },
      { name: "name", type: "string" },
      { name: "version", type: "string" },
      { name: "chainId", type: "uint256" },
      { name: "verifyingContract", type: "address" },
      { name: "salt", type: "bytes32" },
      { name: "extensions", type: "uint256[]" },
    ],
  },
  {
    type: "function",
    name: "nonces",
    stateMutability: "view",
    inputs: [{ name: "owner", type: "address" }],
    outputs: [{ type: "uint256" }],
  },
] as const;

/** The EIP-2612 `Permit` struct, as the token hashes it. */
const permitTypes = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

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

/**
 * Has the wallet sign an EIP-2612 permit (one signature instead of an approve transaction) in the token's own
 * EIP-712 domain, with the owner's current nonce, and returns it as the platform's activation takes it.
 */
export async function signPermit(config: Config, request: PermitRequest): Promise<PermitSignature> {
  const { token, chainId, owner, spender, value, deadline } = request;
  const [, name, version] = await readContract(config, {
    address: token,
    abi: permitTokenAbi,
    functionName: "eip712Domain",
    chainId,
  });
  const nonce = await readContract(config, {
    address: token,
    abi: permitTokenAbi,
    functionName: "nonces",
    args: [owner],
    chainId,
  });
  const signature = await signTypedData(config, {
    account: owner,
    domain: { name, version, chainId, verifyingContract: token },
    types: permitTypes,
    primaryType: "Permit",
    message: { owner, spender, value, nonce, deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  return { value: value.toString(), deadline: deadline.toString(), v: Number(v ?? BigInt(yParity + 27)), r, s };
}
