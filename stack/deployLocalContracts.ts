import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import hre from "hardhat";
import RecurModule from "../ignition/modules/Recur.js";
import TestAccountsModule from "../ignition/modules/TestAccounts.js";
import TestTokensModule from "../ignition/modules/TestTokens.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Deploys the factory, the test tokens and the test smart-account factory to the local chain at `url` through the Ignition modules with the
 * `create2` strategy, so they land where the server's built-in local chain expects them. The chain is throwaway:
 * Ignition's journal for it is started afresh (its `--reset`), under a deployment id of its own.
 */
export async function deployLocalContracts(url: string) {
  const deploymentId = `local-${new URL(url).port}`;
  await rm(path.join(projectRoot, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  const connection = await hre.network.create({ network: "deployment", override: { url } });
  try {
    const options = { strategy: "create2" as const, deploymentId, displayUi: false };
    const { factory } = await connection.ignition.deploy(RecurModule, options);
    const tokens = await connection.ignition.deploy(TestTokensModule, options);
    const { smartAccountFactory } = await connection.ignition.deploy(TestAccountsModule, options);
    return {
      factory: factory.address,
      smartAccountFactory: smartAccountFactory.address,
      tokens: Object.fromEntries(Object.entries(tokens).map(([name, token]) => [name, token.address])),
    };
  } finally {
    await connection.close();
    await rm(path.join(projectRoot, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  }
}
