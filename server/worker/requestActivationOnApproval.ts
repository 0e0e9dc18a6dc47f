import { getAddress } from "viem";
import type { Queryable } from "../db/openDatabase.js";
import type { subscriptions } from "../db/schema.js";
import type { Services } from "../domain/Services.js";
import { requestAction } from "../domain/subscriptions.js";
import { updateSubscription } from "../domain/updateSubscription.js";

type SubscriptionRow = typeof subscriptions.$inferSelect;

/**
 * What an approval of a draft's address means, wherever the worker learnt of it (the indexer's `Approval` logs, a
 * hinted transaction): the allowance is recorded, and an approval by the payer for at least one period, before the
 * draft's deadline, asks for its activation. The request executor then simulates before it spends any gas. In the
 * caller's transaction.
 */
export async function requestActivationOnApproval(
  tx: Queryable,
  services: Services,
  draft: SubscriptionRow,
  approval: { owner: string; allowance: bigint },
): Promise<void> {
  await updateSubscription(tx, services, draft, { set: { allowance: approval.allowance } });
  const covers = approval.allowance >= draft.amount && getAddress(approval.owner) === draft.payer;
  if (draft.status === "Draft" && covers && services.chainClock(draft.chainId).now() <= draft.activateBy) {
    await requestAction(tx, services, { merchantId: draft.merchantId }, draft.contractAddress, "activate");
  }
}
