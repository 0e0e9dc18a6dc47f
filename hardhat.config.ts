import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { defineConfig } from "hardhat/config";

/** solc comes from the npm `solc` package: compiler downloads are not available everywhere we build. */
const solcVersion = "0.8.34";
const solcPath = createRequire(import.meta.url).resolve("solc/soljson.js");

/**
 * CreateX salt for the factory's deterministic deployment. The first 21 bytes are zero (no deployer or chain
 * protection), so the same bytecode lands at the same address on every chain that has CreateX.
 */
const factorySalt = "0x0000000000000000000000000000000000000000007265637572207631000001";

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    profiles: {
      default: {
        version: solcVersion,
        path: solcPath,
        settings: {
          evmVersion: "cancun",
          viaIR: true,
          optimizer: { enabled: true, runs: 1_000_000 },
        },
      },
    },
  },
  paths: {
    tests: { solidity: "test/contracts", nodejs: "test" },
  },
  ignition: {
    strategyConfig: { create2: { salt: factorySalt } },
  },
  test: {
    solidity: {
      fuzz: { runs: 256, seed: "0x5265637572" },
      invariant: { runs: 64, depth: 32 },
    },
  },
});
