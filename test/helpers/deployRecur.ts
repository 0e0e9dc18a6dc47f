import type { network } from "hardhat";
import RecurModule from "../../ignition/modules/Recur.js";
import TestAccountsModule from "../../ignition/modules/TestAccounts.js";
import TestTokensModule from "../../ignition/modules/TestTokens.js";

/** A connection made by `network.create()`, with the toolbox's viem, Ignition and network helpers. */
export type Connection = Awaited<ReturnType<typeof network.create>>;

/** What {@link deployRecur} deployed. */
export type Recur = Awaited<ReturnType<typeof deployRecur>>;

/**
 * Deploys the platform exactly as production does (the Ignition module with the `create2` strategy) and the test
 * tokens and smart-account factory, on the chain behind `connection`. Once per chain: the factory's address is fixed.
 */
export async function deployRecur(connection: Connection) {
  const { factory } = await connection.ignition.deploy(RecurModule, { strategy: "create2" });
  const tokens = await connection.ignition.deploy(TestTokensModule, { strategy: "create2" });
  const { smartAccountFactory } = await connection.ignition.deploy(TestAccountsModule, { strategy: "create2" });
  const implementation = await connection.viem.getContractAt("Subscription", await factory.read.IMPLEMENTATION());
  return { factory, implementation, tokens, smartAccountFactory };
}
