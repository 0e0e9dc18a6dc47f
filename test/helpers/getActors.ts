import type { Connection } from "./deployRecur.js";

/**
 * The chain's funded accounts by role: who deploys, who runs the keeper, the merchant's payout and operator
 * (gas wallet) accounts, and two payers.
 */
export async function getActors(connection: Connection) {
  const [deployer, keeper, payee, operator, payer, otherPayer] = await connection.viem.getWalletClients();
  if (!deployer || !keeper || !payee || !operator || !payer || !otherPayer) {
    throw new Error("the chain must have at least 6 funded accounts");
  }
  return { deployer, keeper, payee, operator, payer, otherPayer };
}
