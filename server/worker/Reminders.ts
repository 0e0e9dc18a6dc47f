import { and, eq, gt, isNull, lte, ne, or } from "drizzle-orm";
import type { ChainAccess } from "../chain/ChainAccess.js";
import { subscriptions } from "../db/schema.js";
import { formatMoney } from "../domain/money.js";
import { recordEvent } from "../domain/recordEvent.js";
import { toSubscriptionResource } from "../domain/resources.js";
import type { Services } from "../domain/Services.js";
import type { WorkerTask } from "./runLoop.js";

/**
 * Sends an `UpcomingCharge` event `leadSeconds` (chain time) before each charge of an active subscription, once
 * per charge, saying whether the payer's allowance and balance cover it, so the merchant can nudge the payer in time.
 */
export class Reminders implements WorkerTask {
  readonly name: string;

  constructor(
    readonly services: Services,
    readonly chain: ChainAccess,
    readonly leadSeconds: number,
  ) {
    this.name = `reminders:${chain.config.name}`;
  }

  async step(): Promise<boolean> {
    const chainNow = (await this.chain.now()) * 1000;
    const rows = await this.services.db
      .select()
      .from(subscriptions)
      .where(
        and(
          eq(subscriptions.chainId, this.chain.config.chainId),
          eq(subscriptions.status, "Active"),
          gt(subscriptions.nextChargeAt, new Date(chainNow)),
          lte(subscriptions.nextChargeAt, new Date(chainNow + this.leadSeconds * 1000)),
          or(isNull(subscriptions.remindedFor), ne(subscriptions.remindedFor, subscriptions.nextChargeAt)),
        ),
      )
      .limit(100);
    for (const row of rows) {
      const chargeAt = row.nextChargeAt;
      if (!chargeAt) continue;
      const { allowance, balance } = await this.chain.funds(row.tokenAddress, row.payer, row.contractAddress);
      const token = this.services.config.chains.token(row.tokenCode)?.token;
      if (!token) continue;
      await this.services.db.transaction(async (tx) => {
        // only one worker sends it: the first to mark the charge as reminded
        const [marked] = await tx
          .update(subscriptions)
          .set({ remindedFor: chargeAt, allowance })
          .where(
            and(
              eq(subscriptions.contractAddress, row.contractAddress),
              or(isNull(subscriptions.remindedFor), ne(subscriptions.remindedFor, chargeAt)),
            ),
          )
          .returning();
        if (!marked) return;
        await recordEvent(tx, {
          merchantId: row.merchantId,
          eventType: "UpcomingCharge",
          payload: {
            subscription: toSubscriptionResource(marked, this.services.config.chains),
            chargeAt: chargeAt.toISOString(),
            amount: formatMoney(row.amount, token),
            covered: allowance >= row.amount && balance >= row.amount,
            allowance: formatMoney(allowance, token),
            balance: formatMoney(balance, token),
          },
          at: this.services.now(),
        });
      });
    }
    return rows.length === 100;
  }
}
