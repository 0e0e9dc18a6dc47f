import { type Address, type Hex, type LocalAccount, type PublicClient, parseAbi, parseSignature } from "viem";
import { getEip712Domain } from "viem/actions";
import { daiPermitTypes, permitTypes } from "../../server/chain/permitTypes.js";

const noncesAbi = parseAbi(["function nonces(address owner) view returns (uint256)"]);

/**
 * The EIP-712 domain `token` signs under (name and version from its ERC-5267 `eip712Domain()`, whose unused salt
 * must stay out of the domain, as the dApp does it) and `holder`'s next nonce.
 */
async function domainAndNonce(client: PublicClient, token: Address, holder: Address) {
  const { name, version, chainId } = (await getEip712Domain(client, { address: token })).domain;
  const nonce = await client.readContract({ address: token, abi: noncesAbi, functionName: "nonces", args: [holder] });
  return { domain: { name, version, chainId: Number(chainId), verifyingContract: token }, nonce };
}

/**
 * `signer`'s signature (65 bytes, as one hex string) over the EIP-2612 permit of `value` from `holder` to `spender`
 * on `token`: a bytes permit (`permitKind` "eip2612-bytes"). `holder` is the signer's own address for an EOA, or
 * the smart account whose owner `signer` is (its ERC-1271 check takes the owner's signature over the same hash).
 */
export async function signPermitBytes(
  client: PublicClient,
  signer: LocalAccount,
  permit: { token: Address; holder: Address; spender: Address; value: bigint; deadline: bigint },
): Promise<Hex> {
  const { domain, nonce } = await domainAndNonce(client, permit.token, permit.holder);
  return signer.signTypedData({
    domain,
    types: permitTypes,
    primaryType: "Permit",
    message: { owner: permit.holder, spender: permit.spender, value: permit.value, nonce, deadline: permit.deadline },
  });
}

/** `signer`'s DAI permit (`allowed`: an unlimited allowance) for `spender` on `token`, with its nonce and split. */
export async function signDaiPermit(
  client: PublicClient,
  signer: LocalAccount,
  permit: { token: Address; spender: Address; expiry: bigint },
): Promise<{ nonce: bigint; v: number; r: Hex; s: Hex }> {
  const { domain, nonce } = await domainAndNonce(client, permit.token, signer.address);
  const signature = await signer.signTypedData({
    domain,
    types: daiPermitTypes,
    primaryType: "Permit",
    message: { holder: signer.address, spender: permit.spender, nonce, expiry: permit.expiry, allowed: true },
  });
  const { v, r, s } = parseSignature(signature);
  if (v === undefined) throw new Error("DAI permit signature without a recovery byte");
  return { nonce, v: Number(v), r, s };
}
