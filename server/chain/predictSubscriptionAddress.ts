import { LRUCache } from "lru-cache";
import {
  type Address,
  type ContractFunctionArgs,
  concat,
  encodePacked,
  getContractAddress,
  keccak256,
  numberToHex,
  size,
  zeroHash,
} from "viem";
import type { subscriptionFactoryAbi } from "../../generated/abis.js";

/** A subscription's terms, as the contracts' `Terms` struct takes them. */
export type SubscriptionTerms = ContractFunctionArgs<typeof subscriptionFactoryAbi, "view", "predict">[0];

/**
 * Implementations by factory, worked out once: a deployment has a factory per chain, and every draft needs its
 * chain's (two keccak hashes saved per draft, the API's busiest write).
 */
const implementations = new LRUCache<Address, Address>({
  max: 64,
  memoMethod: (factory) => getContractAddress({ opcode: "CREATE", from: factory, nonce: 1n }),
});

/** Where the factory keeps the implementation every subscription is a clone of: its first CREATE. */
export function implementationAddress(factory: Address): Address {
  return implementations.memo(factory);
}

/**
 * The address `factory.predict(terms)` returns: the CREATE2 address of the EIP-1167 clone of the factory's
 * implementation carrying the packed terms (the layout `TermsCodec` reads), deployed with salt zero.
 */
export function predictSubscriptionAddress(factory: Address, terms: SubscriptionTerms): Address {
  const args = encodePacked(
    ["address", "address", "address", "address", "uint128", "uint32", "uint40", "uint16", "uint40", "uint32"],
    [
      terms.token,
      terms.payer,
      terms.payee,
      terms.operator,
      terms.amount,
      terms.period,
      terms.startAt,
      terms.maxPeriods,
      terms.activateBy,
      terms.salt,
    ],
  );
  const initCode = concat([
    "0x61",
    numberToHex(size(args) + 0x2d, { size: 2 }),
    "0x3d81600a3d39f3363d3d373d3d3d363d73",
    implementationAddress(factory),
    "0x5af43d82803e903d91602b57fd5bf3",
    args,
  ]);
  return getContractAddress({ opcode: "CREATE2", from: factory, salt: zeroHash, bytecodeHash: keccak256(initCode) });
}
