import { defineConfig } from "@wagmi/cli";
import { hardhat } from "@wagmi/cli/plugins";

/**
 * Typed ABIs for the server, the web app and the scripts, generated from the Hardhat artifacts by `npm run build`
 * into `generated/` (not committed). Only the contracts the product talks to: the platform's own and the test
 * tokens and smart accounts it runs against on local chains.
 */
export default defineConfig({
  out: "generated/abis.ts",
  plugins: [
    hardhat({
      project: ".",
      commands: { build: false, rebuild: false },
      include: [
        "contracts/Subscription.sol/Subscription.json",
        "contracts/SubscriptionFactory.sol/SubscriptionFactory.json",
        ...[
          "StandardToken",
          "UsdtLikeToken",
          "PermitToken",
          "BlacklistPausableToken",
          "FeeOnTransferToken",
          "SignaturePermitToken",
          "DaiLikeToken",
        ].map((name) => `contracts/test-tokens/${name}.sol/${name}.json`),
        ...["SmartAccount", "SmartAccountFactory"].map((name) => `contracts/test-accounts/${name}.sol/${name}.json`),
      ],
    }),
  ],
});
