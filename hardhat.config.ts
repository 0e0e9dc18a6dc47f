import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { defineConfig } from "hardhat/config";
import { DEPLOYMENT_SALT } from "./server/chain/deterministicDeployment.js";
import { HARDHAT_TEST_RESULTS_VARIABLE, recordHardhatTestResults } from "./test/runner/recordHardhatTestResults.js";

/** solc comes from the npm `solc` package: compiler downloads are not available everywhere we build. */
const solcVersion = "0.8.34";
const solcPath = createRequire(import.meta.url).resolve("solc/soljson.js");

export default defineConfig({
  plugins: [hardhatToolboxViem],
  // npm test reads the test counts from a file these write (when it names one), not from the output people read
  tasks: recordHardhatTestResults(process.env[HARDHAT_TEST_RESULTS_VARIABLE]),
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
  networks: {
    // the chain `recur deploy` and the local stack deploy to; its URL (and the deployer's key) is given when connecting
    deployment: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    // the chain the fork tests fork from (test/helpers/startUpstreamChain.ts); its URL is given when connecting
    upstream: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    // the fork those tests run on; its `forking` URL and block are given when connecting
    fork: { type: "edr-simulated", chainType: "l1" },
  },
  chainDescriptors: {
    // a fork of a local Hardhat node needs its hardfork history, which only known public chains have built in
    31337: { name: "Hardhat node", chainType: "l1", hardforkHistory: { osaka: { blockNumber: 0 } } },
  },
  paths: {
    tests: { solidity: "test/contracts", nodejs: "test/integration" },
  },
  ignition: {
    strategyConfig: { create2: { salt: DEPLOYMENT_SALT } },
  },
  test: {
    solidity: {
      isolate: true,
      fuzz: { runs: 256, seed: "0x5265637572" },
      invariant: { runs: 64, depth: 32 },
    },
  },
});
