import { type Address, encodeAbiParameters, getContractAddress, type Hex, keccak256 } from "viem";

/** CreateX, the deterministic deployer behind Ignition's `create2` strategy, at its address on every chain. */
export const CREATEX_ADDRESS: Address = "0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed";

/**
 * The salt Recur's contracts are deployed with. Its first 21 bytes are zero: no deployer and no chain protection,
 * so the same bytecode lands at the same address on every chain that has CreateX.
 */
export const DEPLOYMENT_SALT: Hex = "0x0000000000000000000000000000000000000000007265637572207631000001";

/**
 * The address CreateX's `deployCreate2(DEPLOYMENT_SALT, initCode)` deploys `initCode` to. For a salt without
 * sender or chain protection CreateX hashes it once (`keccak256(abi.encode(salt))`) before CREATE2.
 */
export function deterministicAddress(initCode: Hex): Address {
  const guardedSalt = keccak256(encodeAbiParameters([{ type: "bytes32" }], [DEPLOYMENT_SALT]));
  return getContractAddress({
    opcode: "CREATE2",
    from: CREATEX_ADDRESS,
    salt: guardedSalt,
    bytecodeHash: keccak256(initCode),
  });
}
