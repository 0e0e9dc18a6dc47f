import path from "node:path";
import hre from "hardhat";
import type { Hex } from "viem";
import RecurModule from "../ignition/modules/Recur.js";

/**
 * Deploys the factory with the Ignition module and the `create2` strategy, so it lands at the same address on every
 * chain. Ignition keeps the journal under `ignition/deployments/<deploymentId>` (default `recur-<chainId>`): a second
 * run finds the deployment done and returns the same address.
 */
export async function deployFactory(rpcUrl: string, options: { accounts?: Hex[]; deploymentId?: string } = {}) {
  const { accounts } = options;
  // what is deployed is what the sources say now, built if they changed
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  const connection = await hre.network.create({
    network: "deployment",
    override: accounts ? { url: rpcUrl, accounts } : { url: rpcUrl },
  });
  try {
    const chainId = await (await connection.viem.getPublicClient()).getChainId();
    const deploymentId = options.deploymentId ?? `recur-${chainId}`;
    const { factory } = await connection.ignition.deploy(RecurModule, {
      strategy: "create2",
      deploymentId,
      displayUi: false,
    });
    return {
      factory: factory.address,
      chainId,
      journal: path.join("ignition", "deployments", deploymentId),
    };
  } finally {
    await connection.close();
  }
}
