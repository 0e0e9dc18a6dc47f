import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Tokens for local and test chains that reproduce the behaviour of real tokens we integrate with: a plain ERC-20,
 * a Tether-like token, a USDC-like permit token, a pausable/blacklisting token, a fee-on-transfer token, a token
 * shaped like USDC since FiatTokenV2_2 (permits signed as bytes, so smart-contract accounts can permit through
 * ERC-1271) and a DAI-like token (DAI's own permit).
 * Deployed with the `create2` strategy, they land at fixed addresses the server knows without configuration.
 */
export default buildModule("TestTokens", (m) => {
  const standard = m.contract("StandardToken");
  const usdtLike = m.contract("UsdtLikeToken");
  const permit = m.contract("PermitToken");
  // the issuer, who may pause and blacklist, is the deploying account (on local chains, Hardhat's account #0)
  const blacklistPausable = m.contract("BlacklistPausableToken", [m.getAccount(0)]);
  const feeOnTransfer = m.contract("FeeOnTransferToken");
  const signaturePermit = m.contract("SignaturePermitToken");
  const daiLike = m.contract("DaiLikeToken");
  return { standard, usdtLike, permit, blacklistPausable, feeOnTransfer, signaturePermit, daiLike };
});
