import { and, eq, inArray, sql } from "drizzle-orm";
import type { Address, Hex } from "viem";
import type { OnChainState } from "../chain/ChainAccess.js";
import type { Queryable } from "../db/openDatabase.js";
import { checkoutSessions, subscriptionRequests, subscriptions } from "../db/schema.js";
import { cancelOpenCharges, getCharge, upsertCharges } from "../domain/charges.js";
import { recordEvent, recordEvents } from "../domain/recordEvent.js";
import { toChargeResource, toCheckoutSessionResource } from "../domain/resources.js";
import type { Services } from "../domain/Services.js";
import { CARRIED_OUT, CHAIN_EVENTS } from "../domain/subscriptionStatus.js";
import { updateSubscription } from "../domain/updateSubscription.js";

type SubscriptionRow = typeof subscriptions.$inferSelect;

/** A charge the chain reports made: a `SubscriptionCharged` event. */
export interface ObservedCharge {
  periodIndex: number;
  txHash: Hex;
  /** The block's time. */
  at: Date;
}

/** What the chain says about a subscription. */
export interface ChainObservation {
  /** Its `state()`, or undefined while nothing is deployed at its address. */
  state: OnChainState | undefined;
  charges?: ObservedCharge[];
}

/**
 * Brings one subscription in line with the chain, the source of truth, in the caller's transaction: its status,
 * charge count and next charge time, its succeeded charges, the requests the chain has now carried out, and one
 * webhook event for each change (status, succeeded charge, completed checkout). Safe to repeat.
 */
export async function applyChainState(
  tx: Queryable,
  services: Services,
  row: SubscriptionRow,
  observation: ChainObservation,
): Promise<SubscriptionRow> {
  const now = services.now();
  const { state } = observation;
  const requests = await tx
    .select()
    .from(subscriptionRequests)
    .where(
      and(eq(subscriptionRequests.contractAddress, row.contractAddress), eq(subscriptionRequests.status, "Pending")),
    );
  const pending = new Set(requests.map((request) => request.action));
  const chainStatus = state?.status ?? "None";

  // requests the chain has carried out are done
  const finished = requests.filter((request) => CARRIED_OUT[chainStatus].includes(request.action));
  if (finished.length > 0) {
    await tx
      .update(subscriptionRequests)
      .set({ status: "Done", updatedAt: now, leaseUntil: null })
      .where(
        inArray(
          subscriptionRequests.id,
          finished.map((request) => request.id),
        ),
      );
    for (const request of finished) pending.delete(request.action);
  }

  const periodsCharged = state?.periodsCharged ?? 0;
  const chargedMore = periodsCharged > row.periodsCharged;
  const failing = row.dueSince !== null && !chargedMore;
  const nextChargeAt =
    state && state.nextDueAt > 0 && (state.status === "Active" || state.status === "Paused")
      ? new Date(state.nextDueAt * 1000)
      : null;

  // a subscription that starts at activation started with its first charge, made in the activation's block
  const firstCharge = observation.charges?.find((charge) => charge.periodIndex === 1);
  const startedAt = row.startAt.getTime() !== 0 || chainStatus === "None" ? null : (firstCharge?.at ?? row.startedAt);

  // charges the chain reports made
  for (const charge of observation.charges ?? []) {
    await recordSucceededCharge(tx, services, row, charge);
  }
  if (chainStatus === "Cancelled" || chainStatus === "Finished") await cancelOpenCharges(tx, row.contractAddress, now);

  // a subscription the chain lost (a reorganisation) may be activated again: the rules say, and ask for it
  const { row: updated } = await updateSubscription(tx, services, row, {
    event: CHAIN_EVENTS[chainStatus],
    context: { pending, failing },
    set: {
      periodsCharged,
      nextChargeAt,
      startedAt,
      ...(chargedMore ? { dueSince: null, chargeAttempts: 0, retryAt: null } : {}),
    },
  });
  if (
    updated.status !== row.status &&
    row.checkoutSessionId &&
    (row.status === "Draft" || row.status === "Pending") &&
    updated.status !== "Pending"
  ) {
    await completeCheckoutSession(tx, services, row.checkoutSessionId, updated.contractAddress);
  }
  return updated;
}

/** Marks the charge of `periodIndex` succeeded (creating it if the keeper did not), with one event. */
async function recordSucceededCharge(tx: Queryable, services: Services, row: SubscriptionRow, charge: ObservedCharge) {
  const existing = await getCharge(tx, row.contractAddress, charge.periodIndex);
  if (existing?.status === "Succeeded" && existing.txHash === charge.txHash) return;
  const now = services.now();
  const [saved] = await upsertCharges(tx, now, [
    {
      subscription: row,
      periodIndex: charge.periodIndex,
      values: succeeded(charge),
    },
  ]);
  if (!saved || existing?.status === "Succeeded") return;
  await recordEvent(tx, {
    merchantId: row.merchantId,
    eventType: "ChargeSucceeded",
    payload: { charge: toChargeResource(saved, row.tokenCode, services.config.chains) },
    at: now,
  });
}

/** What a charge the chain reports made is recorded as. */
function succeeded(charge: ObservedCharge) {
  return {
    status: "Succeeded" as const,
    txHash: charge.txHash,
    chargeDate: charge.at,
    failureReason: null,
    nextRetryAt: null,
  };
}

async function completeCheckoutSession(tx: Queryable, services: Services, sessionId: string, contractAddress: Address) {
  const [session] = await tx
    .update(checkoutSessions)
    .set({ status: "Completed", contractAddress })
    .where(and(eq(checkoutSessions.id, sessionId), eq(checkoutSessions.status, "Open")))
    .returning();
  if (!session) return;
  await recordEvent(tx, {
    merchantId: session.merchantId,
    eventType: "CheckoutSessionCompleted",
    payload: { checkoutSession: toCheckoutSessionResource(session, services.config.checkoutUrl) },
    at: services.now(),
  });
}

/** A subscription the keeper just charged, active before and after. */
export interface RoutineCharge {
  row: SubscriptionRow;
  charge: ObservedCharge;
  /** The next due time the charge event reported, unix seconds (non-zero: not the last period). */
  nextDueAt: number;
}

/**
 * The keeper's common case in bulk: active subscriptions each charged once and still active. Records the charges
 * (one `ChargeSucceeded` event for each newly succeeded one) and the new schedules in three statements, where
 * {@link applyChainState} would take several per subscription. Anything less routine goes through
 * {@link applyChainState}.
 */
export async function applyRoutineCharges(tx: Queryable, services: Services, batch: RoutineCharge[]): Promise<void> {
  if (batch.length === 0) return;
  const now = services.now();
  const byAddress = new Map(batch.map((item) => [item.row.contractAddress, item]));
  // a charge already recorded as succeeded (by the indexer) is left alone, and gets no second event
  const saved = await upsertCharges(
    tx,
    now,
    batch.map(({ row, charge }) => ({ subscription: row, periodIndex: charge.periodIndex, values: succeeded(charge) })),
    { keepSucceeded: true },
  );
  await recordEvents(
    tx,
    saved.map((charge) => ({
      merchantId: charge.merchantId,
      eventType: "ChargeSucceeded",
      payload: {
        charge: toChargeResource(
          charge,
          byAddress.get(charge.contractAddress)?.row.tokenCode ?? "",
          services.config.chains,
        ),
      },
      at: now,
    })),
  );
  const values = sql.join(
    batch.map(
      ({ row, charge, nextDueAt }) =>
        sql`(${row.contractAddress}, ${charge.periodIndex}::int, to_timestamp(${nextDueAt}::bigint))`,
    ),
    sql`, `,
  );
  await tx.execute(sql`
    update ${subscriptions} as s
    set periods_charged = greatest(s.periods_charged, v.periods), next_charge_at = v.next_charge_at,
        due_since = null, charge_attempts = 0, retry_at = null, updated_at = ${now}
    from (values ${values}) as v(address, periods, next_charge_at)
    where s.contract_address = v.address`);
}
