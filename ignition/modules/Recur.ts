import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The platform's on-chain part: one `SubscriptionFactory` per chain (which deploys its own `Subscription`
 * implementation). Deployed with the `create2` strategy, the factory lands at the same address on every chain.
 */
export default buildModule("Recur", (m) => {
  const factory = m.contract("SubscriptionFactory");
  return { factory };
});
