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

/** A webhook event to write: for whom, what, and when it happened. */
export interface EventInput {
  merchantId: string;
  eventType: EventType;
  payload: Record<string, unknown>;
  at: Date;
}

/**
 * Writes a webhook event to the outbox, in the caller's transaction, so the event exists exactly when the change
 * it reports does. The delivered body is `{eventId, eventType, eventTs, ...payload}`. Returns its id.
 */
export async function recordEvent(tx: Queryable, event: EventInput): Promise<string> {
  const [id] = await recordEvents(tx, [event]);
  if (id === undefined) throw new Error("the event was not written");
  return id;
}

/** Writes several webhook events in one statement, as {@link recordEvent} writes one. Returns their ids, in order. */
export async function recordEvents(tx: Queryable, events: readonly EventInput[]): Promise<string[]> {
  if (events.length === 0) return [];
  const rows = events.map((event) => ({
    id: randomUUID(),
    merchantId: event.merchantId,
    eventType: event.eventType,
    payload: event.payload,
    createdAt: event.at,
    nextAttemptAt: event.at,
  }));
  await tx.insert(outboxEvents).values(rows);
  return rows.map((row) => row.id);
}
