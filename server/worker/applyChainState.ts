import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { OnChainState } from "../chain/ChainAccess.js";
import type { Queryable } from "../db/openDatabase.js";
import {
  charges,
  checkoutSessions,
  outboxEvents,
  type SubscriptionAction,
  type SubscriptionStatus,
  subscriptionRequests,
  subscriptions,
} from "../db/schema.js";
import { newId } from "../domain/newId.js";
import { recordEvent } from "../domain/recordEvent.js";
import { toChargeResource, toCheckoutSessionResource, toSubscriptionResource } from "../domain/resources.js";
import type { Services } from "../domain/Services.js";

type SubscriptionRow = typeof subscriptions.$inferSelect;

/** A charge the chain reports made: a `SubscriptionCharged` event. */
export interface ObservedCharge {
  periodIndex: number;
  txHash: string;
  /** The block's time. */
  at: Date;
}

/** What the chain says about a subscription. */
export interface ChainObservation {
  /** Its `state()`, or undefined while nothing is deployed at its address. */
  state: OnChainState | undefined;
  charges?: ObservedCharge[];
}

/** Statuses the chain decides; `Draft`, `Pending`, `Suspended`, `Pending*` and `Error` are the platform's. */
const ACTIVE_LIKE: readonly SubscriptionStatus[] = ["Active", "Suspended", "PendingPause", "PendingUnPause"];

/**
 * The status a subscription shows, given what the chain says and what the platform still has to do: a requested
 * pause, unpause or cancel shows as `Pending*` until the chain reflects it; an active subscription whose charge
 * keeps failing shows as `Suspended`.
 */
export function resolveStatus(
  state: OnChainState | undefined,
  current: SubscriptionStatus,
  pending: ReadonlySet<SubscriptionAction>,
  failing: boolean,
): SubscriptionStatus {
  if (!state || state.status === "None") {
    // not (or no longer, after a reorganisation) on chain: an activation is due
    return ["Draft", "Pending", "Cancelled", "Error"].includes(current) ? current : "Pending";
  }
  if (state.status === "Cancelled" || state.status === "Finished") return state.status;
  if (pending.has("cancel")) return "PendingCancel";
  if (state.status === "Paused") return pending.has("unpause") ? "PendingUnPause" : "Paused";
  if (pending.has("pause")) return "PendingPause";
  return failing ? "Suspended" : "Active";
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

  // requests the chain has carried out are done
  const done: SubscriptionAction[] = [];
  if (state && state.status !== "None") done.push("activate");
  if (state?.status === "Paused") done.push("pause");
  if (state?.status === "Active") done.push("unpause");
  if (state?.status === "Cancelled" || state?.status === "Finished") done.push("pause", "unpause", "cancel");
  const finished = requests.filter((request) => done.includes(request.action));
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
  if (state?.status === "None" || !state) {
    // a subscription the chain lost (a reorganisation) is activated again
    if (ACTIVE_LIKE.includes(row.status) && !pending.has("activate")) {
      await tx.insert(subscriptionRequests).values({
        id: randomUUID(),
        contractAddress: row.contractAddress,
        action: "activate",
        createdAt: now,
        updatedAt: now,
      });
      pending.add("activate");
    }
  }

  const periodsCharged = state?.periodsCharged ?? 0;
  const chargedMore = periodsCharged > row.periodsCharged;
  const failing = row.dueSince !== null && !chargedMore;
  const status = resolveStatus(state, row.status, pending, failing);
  const nextChargeAt =
    state && state.status !== "None" && state.nextDueAt > 0 && (state.status === "Active" || state.status === "Paused")
      ? new Date(state.nextDueAt * 1000)
      : null;

  // a subscription that starts at activation started with its first charge, made in the activation's block
  const firstCharge = observation.charges?.find((charge) => charge.periodIndex === 1);
  const startedAt =
    row.startAt.getTime() !== 0 || !state || state.status === "None" ? null : (firstCharge?.at ?? row.startedAt);

  // charges the chain reports made
  for (const charge of observation.charges ?? []) {
    await recordSucceededCharge(tx, services, row, charge);
  }
  if (state?.status === "Cancelled" || state?.status === "Finished") {
    await tx
      .update(charges)
      .set({ status: "Cancelled", nextRetryAt: null, updatedAt: now })
      .where(and(eq(charges.contractAddress, row.contractAddress), inArray(charges.status, ["Pending", "Retrying"])));
  }

  const changed =
    status !== row.status ||
    periodsCharged !== row.periodsCharged ||
    nextChargeAt?.getTime() !== row.nextChargeAt?.getTime() ||
    startedAt?.getTime() !== row.startedAt?.getTime() ||
    (chargedMore && row.dueSince !== null);
  if (!changed) return row;
  const [updated] = await tx
    .update(subscriptions)
    .set({
      status,
      statusReason: status === row.status ? row.statusReason : null,
      periodsCharged,
      nextChargeAt,
      startedAt,
      ...(chargedMore ? { dueSince: null, chargeAttempts: 0, retryAt: null } : {}),
      updatedAt: now,
    })
    .where(eq(subscriptions.contractAddress, row.contractAddress))
    .returning();
  if (!updated) throw new Error(`subscription ${row.contractAddress} vanished`);
  if (status !== row.status) {
    await recordEvent(tx, {
      merchantId: row.merchantId,
      eventType: "SubscriptionStatusChanged",
      payload: { subscription: toSubscriptionResource(updated, services.config.chains) },
      at: now,
    });
    if (row.checkoutSessionId && (row.status === "Draft" || row.status === "Pending") && status !== "Pending") {
      await completeCheckoutSession(tx, services, row.checkoutSessionId, updated.contractAddress);
    }
  }
  return updated;
}

/** Marks the charge of `periodIndex` succeeded (creating it if the keeper did not), with one event. */
async function recordSucceededCharge(tx: Queryable, services: Services, row: SubscriptionRow, charge: ObservedCharge) {
  const now = services.now();
  const [existing] = await tx
    .select()
    .from(charges)
    .where(and(eq(charges.contractAddress, row.contractAddress), eq(charges.periodIndex, charge.periodIndex)));
  if (existing?.status === "Succeeded" && existing.txHash === charge.txHash) return;
  const values = {
    status: "Succeeded" as const,
    txHash: charge.txHash,
    chargeDate: charge.at,
    failureReason: null,
    nextRetryAt: null,
    updatedAt: now,
  };
  const [saved] = existing
    ? await tx.update(charges).set(values).where(eq(charges.id, existing.id)).returning()
    : await tx
        .insert(charges)
        .values({
          id: newId("chg", 20),
          contractAddress: row.contractAddress,
          merchantId: row.merchantId,
          periodIndex: charge.periodIndex,
          amount: row.amount,
          createdAt: now,
          ...values,
        })
        .returning();
  if (!saved || existing?.status === "Succeeded") return;
  await recordEvent(tx, {
    merchantId: row.merchantId,
    eventType: "ChargeSucceeded",
    payload: { charge: toChargeResource(saved, row.tokenCode, services.config.chains) },
    at: now,
  });
}

async function completeCheckoutSession(tx: Queryable, services: Services, sessionId: string, contractAddress: string) {
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
  const saved = await tx
    .insert(charges)
    .values(
      batch.map(({ row, charge }) => ({
        id: newId("chg", 20),
        contractAddress: row.contractAddress,
        merchantId: row.merchantId,
        periodIndex: charge.periodIndex,
        amount: row.amount,
        status: "Succeeded" as const,
        txHash: charge.txHash,
        chargeDate: charge.at,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [charges.contractAddress, charges.periodIndex],
      set: {
        status: "Succeeded",
        txHash: sql`excluded.tx_hash`,
        chargeDate: sql`excluded.charge_date`,
        failureReason: null,
        nextRetryAt: null,
        updatedAt: now,
      },
      // a charge already recorded as succeeded (by the indexer) is left alone, and gets no second event
      setWhere: sql`${charges.status} <> 'Succeeded'`,
    })
    .returning();
  if (saved.length > 0) {
    await tx.insert(outboxEvents).values(
      saved.map((charge) => {
        const item = byAddress.get(charge.contractAddress);
        return {
          id: randomUUID(),
          merchantId: charge.merchantId,
          eventType: "ChargeSucceeded",
          payload: { charge: toChargeResource(charge, item?.row.tokenCode ?? "", services.config.chains) },
          createdAt: now,
          nextAttemptAt: now,
        };
      }),
    );
  }
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
