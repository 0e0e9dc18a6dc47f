import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Tokens for local and test chains that reproduce the behaviour of real tokens we integrate with: a plain ERC-20,
 * a Tether-like token, a USDC-like permit token, a pausable/blacklisting token and a fee-on-transfer token.
 */
export default buildModule("TestTokens", (m) => {
  const standard = m.contract("StandardToken");
  const usdtLike = m.contract("UsdtLikeToken");
  const permit = m.contract("PermitToken");
  const blacklistPausable = m.contract("BlacklistPausableToken");
  const feeOnTransfer = m.contract("FeeOnTransferToken");
  return { standard, usdtLike, permit, blacklistPausable, feeOnTransfer };
});
