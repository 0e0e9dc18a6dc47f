import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Queryable } from "../db/openDatabase.js";
import { subscriptionRequests, subscriptions } from "../db/schema.js";
import { SubscriptionStatusError } from "./errors.js";
import { type EventInput, recordEvent } from "./recordEvent.js";
import { toSubscriptionResource } from "./resources.js";
import type { Services } from "./Services.js";
import {
  decide,
  isAction,
  NOTHING_PENDING,
  type StatusContext,
  type SubscriptionEvent,
  type Transition,
} from "./subscriptionStatus.js";

type SubscriptionRow = typeof subscriptions.$inferSelect;

/** The columns a change may write besides the status (which only an event moves). */
export type SubscriptionFields = Partial<
  Pick<
    SubscriptionRow,
    | "statusReason"
    | "periodsCharged"
    | "nextChargeAt"
    | "startedAt"
    | "allowance"
    | "dueSince"
    | "chargeAttempts"
    | "retryAt"
  >
>;

/** One change to one subscription. */
export interface SubscriptionChange {
  /** What happened, moving the status by the rules of `subscriptionStatus.ts`; none for a change of fields only. */
  event?: SubscriptionEvent;
  /** What the rules need besides the status: requests still pending, a charge failing. */
  context?: StatusContext;
  /** Why the status moved, kept in `statusReason`; a move without one clears it. Ignored when the status stays. */
  reason?: string;
  /** Parameters of the request the move asks for (an activation's permit). */
  params?: unknown;
  /** Other columns, written whether the status moves or not. */
  set?: SubscriptionFields;
}

/**
 * The one writer of a subscription's status: applies `change.event` to `row` by the subscription's rules, and
 * writes, in the caller's transaction (which holds the row's lock), the new status with the other fields, the
 * on-chain request the move asks for, and the `SubscriptionStatusChanged` webhook event, so the event exists exactly
 * when the change does. Writes nothing when nothing differs; throws {@link SubscriptionStatusError} when the rules
 * refuse an action asked for.
 */
export async function updateSubscription(
  tx: Queryable,
  services: Services,
  row: SubscriptionRow,
  change: SubscriptionChange,
): Promise<{ row: SubscriptionRow; transition: Transition }> {
  const transition: Transition =
    change.event === undefined ? { kind: "stay" } : decide(row.status, change.event, change.context ?? NOTHING_PENDING);
  if (transition.kind === "refuse") {
    const event = change.event;
    if (!isAction(event)) throw new Error(`the rules refuse ${event} for ${row.status}: only actions are refused`);
    throw new SubscriptionStatusError(row.contractAddress, row.status, row.statusReason, event);
  }
  const moved = transition.kind === "move";
  const set: SubscriptionFields & { status?: SubscriptionRow["status"] } = {
    ...(moved ? { status: transition.to, statusReason: change.reason ?? null } : {}),
    ...change.set,
  };
  const differs = Object.entries(set).some(([key, value]) => !same(row[key as keyof SubscriptionRow], value));
  if (!differs && !(moved && transition.request)) return { row, transition };

  const now = services.now();
  if (moved && transition.request) {
    await tx.insert(subscriptionRequests).values({
      id: randomUUID(),
      contractAddress: row.contractAddress,
      action: transition.request,
      params: change.params ?? null,
      createdAt: now,
      updatedAt: now,
    });
  }
  const [updated] = await tx
    .update(subscriptions)
    .set({ ...set, updatedAt: now })
    .where(eq(subscriptions.contractAddress, row.contractAddress))
    .returning();
  if (!updated) throw new Error(`subscription ${row.contractAddress} vanished`);
  if (updated.status !== row.status) await recordEvent(tx, statusChanged(services, updated, now));
  return { row: updated, transition };
}

/** The `SubscriptionStatusChanged` webhook event of `row` as it now stands. */
export function statusChanged(services: Services, row: SubscriptionRow, at: Date): EventInput {
  return {
    merchantId: row.merchantId,
    eventType: "SubscriptionStatusChanged",
    payload: { subscription: toSubscriptionResource(row, services.config.chains) },
    at,
  };
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}
