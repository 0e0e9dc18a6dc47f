import { type Address, encodeAbiParameters, type Hex, keccak256, parseSignature, toHex, type WalletClient } from "viem";
import { permitTypes } from "../../server/chain/permitTypes.js";

/** An EIP-2612 token as viem sees it: enough to read the permit domain and nonce. */
interface PermitToken {
  address: Address;
  read: {
    name: () => Promise<string>;
    nonces: (args: readonly [Address]) => Promise<bigint>;
    DOMAIN_SEPARATOR: () => Promise<Hex>;
  };
}

/** Domain versions seen on permit tokens: OpenZeppelin's default and Circle's USDC. */
const DOMAIN_VERSIONS = ["1", "2"];

const EIP712_DOMAIN_TYPEHASH = keccak256(
  toHex("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
);

function domainSeparator(name: string, version: string, chainId: number, verifyingContract: Address): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "uint256" }, { type: "address" }],
      [EIP712_DOMAIN_TYPEHASH, keccak256(toHex(name)), keccak256(toHex(version)), BigInt(chainId), verifyingContract],
    ),
  );
}

/**
 * Has `owner` sign an EIP-2612 permit of `value` for `spender` on `token`, and returns the signature split as
 * `permit`/`activateWithPermit` take it.
 */
export async function signPermit(
  owner: WalletClient,
  token: PermitToken,
  spender: Address,
  value: bigint,
  deadline: bigint,
): Promise<{ v: number; r: Hex; s: Hex }> {
  if (!owner.account) throw new Error("the wallet client has no account to sign with");
  const chainId = await owner.getChainId();
  const name = await token.read.name();
  const separator = await token.read.DOMAIN_SEPARATOR();
  // the token's own separator tells which version its domain uses
  const version = DOMAIN_VERSIONS.find(
    (candidate) => domainSeparator(name, candidate, chainId, token.address) === separator,
  );
  if (version === undefined) throw new Error(`cannot work out the permit domain of ${name} at ${token.address}`);
  const signature = await owner.signTypedData({
    account: owner.account,
    domain: { name, version, chainId, verifyingContract: token.address },
    types: permitTypes,
    primaryType: "Permit",
    message: {
      owner: owner.account.address,
      spender,
      value,
      nonce: await token.read.nonces([owner.account.address]),
      deadline,
    },
  });
  const { v, r, s } = parseSignature(signature);
  if (v === undefined) throw new Error("permit signature without a recovery byte");
  return { v: Number(v), r, s };
}
