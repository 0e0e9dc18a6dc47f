import { and, eq } from "drizzle-orm";
import type { FastifyBaseLogger } from "fastify";
import { type Address, formatEther } from "viem";
import type { ChainAccess } from "../chain/ChainAccess.js";
import { gasWallets, merchantChains } from "../db/schema.js";
import { recordEvent } from "../domain/recordEvent.js";
import type { Services } from "../domain/Services.js";
import type { WorkerTask } from "./runLoop.js";

/**
 * Watches the native balance of every gas wallet on one chain. When one falls below `lowBalanceWei` it warns in the
 * log, shows it in the API (`GET /integration/gas-wallets`) and sends each merchant using it a `GasWalletLow` event,
 * once per fall.
 */
export class GasWalletMonitor implements WorkerTask {
  readonly name: string;

  constructor(
    readonly services: Services,
    readonly chain: ChainAccess,
    readonly wallets: readonly Address[],
    readonly lowBalanceWei: bigint,
    readonly log: FastifyBaseLogger,
  ) {
    this.name = `gas-wallets:${chain.config.name}`;
  }

  async step(): Promise<boolean> {
    const chainId = this.chain.config.chainId;
    for (const address of this.wallets) {
      const balance = await this.chain.client.getBalance({ address });
      const low = balance < this.lowBalanceWei;
      await this.services.db.transaction(async (tx) => {
        await tx.insert(gasWallets).values({ chainId, address }).onConflictDoNothing();
        const [previous] = await tx
          .select()
          .from(gasWallets)
          .where(and(eq(gasWallets.chainId, chainId), eq(gasWallets.address, address)))
          .for("update");
        await tx
          .update(gasWallets)
          .set({ balance, low, checkedAt: this.services.now() })
          .where(and(eq(gasWallets.chainId, chainId), eq(gasWallets.address, address)));
        if (!low || previous?.low) return;
        this.log.warn(
          { chain: this.chain.config.name, gasWallet: address, balance: formatEther(balance) },
          "gas wallet balance is low: fund it, or charges will stop",
        );
        const users = await tx
          .select()
          .from(merchantChains)
          .where(and(eq(merchantChains.chainId, chainId), eq(merchantChains.gasWalletAddress, address)));
        for (const user of users) {
          await recordEvent(tx, {
            merchantId: user.merchantId,
            eventType: "GasWalletLow",
            payload: {
              gasWallet: {
                blockchain: this.chain.config.name,
                address,
                balance: `${formatEther(balance)} ETH`,
                threshold: `${formatEther(this.lowBalanceWei)} ETH`,
              },
            },
            at: this.services.now(),
          });
        }
      });
    }
    return false;
  }
}
