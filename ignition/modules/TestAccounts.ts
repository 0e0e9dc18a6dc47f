import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * A factory of test smart-contract accounts (ERC-1271, ERC-6492-ready) for local and test chains: the browser's
 * test wallet and the tests pay as smart accounts through it. Deployed with the `create2` strategy, it lands at a
 * fixed address the server's local chain names without configuration.
 */
export default buildModule("TestAccounts", (m) => {
  const smartAccountFactory = m.contract("SmartAccountFactory");
  return { smartAccountFactory };
});
