import { type Address, parseSignature } from "viem";
import { getEip712Domain } from "viem/actions";
import type { Config } from "wagmi";
import { getPublicClient, readContract, signTypedData } from "wagmi/actions";
import { permitTypes } from "../../../server/chain/permitTypes.js";
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

/**
 * Has the wallet sign an EIP-2612 permit (one signature instead of an approve transaction) in the token's own
 * EIP-712 domain, with the owner's current nonce, and returns it as the platform's activation takes it. The token's
 * name and version come from its ERC-5267 `eip712Domain()`; a token without one fails here (viem's
 * `Eip712DomainNotFoundError`, or the call's revert), before the wallet is asked for anything.
 */
export async function signPermit(config: Config, request: PermitRequest): Promise<PermitSignature> {
  const { token, chainId, owner, spender, value, deadline } = request;
  const client = getPublicClient(config, { chainId });
  if (!client) throw new Error(`This site has no RPC for chain ${chainId}`);
  // the token's name and version from its EIP-5267 domain; the chain and the contract are the site's own
  const { name, version } = (await getEip712Domain(client, { address: token })).domain;
  const nonce = await readContract(config, {
    address: token,
    abi: noncesAbi,
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
