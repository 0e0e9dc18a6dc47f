import { randomUUID } from "node:crypto";
import type { Queryable } from "../db/openDatabase.js";
import { outboxEvents } from "../db/schema.js";

/** Webhook event types. */
export type EventType =
  | "SubscriptionStatusChanged"
  | "ChargeSucceeded"
  | "ChargeRetrying"
  | "ChargeFailed"
  | "CheckoutSessionCompleted"
  | "CheckoutSessionExpired"
  | "UpcomingCharge"
  | "GasWalletLow"
  /** Sent on request (`POST /integration/webhooks/test`), to check an endpoint and its signature check. */
  | "WebhookTest";

/**
 * Writes a webhook event to the outbox, in the caller's transaction, so the event exists exactly when the change
 * it reports does. The delivered body is `{eventId, eventType, eventTs, ...payload}`.
 */
export async function recordEvent(
  tx: Queryable,
  event: { merchantId: string; eventType: EventType; payload: Record<string, unknown>; at: Date },
): Promise<string> {
  const id = randomUUID();
  await tx.insert(outboxEvents).values({
    id,
    merchantId: event.merchantId,
    eventType: event.eventType,
    payload: event.payload,
    createdAt: event.at,
    nextAttemptAt: event.at,
  });
  return id;
}
