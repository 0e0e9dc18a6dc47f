import { randomUUID } from "node:crypto";
import type { PgInsertValue } from "drizzle-orm/pg-core";
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
  const rows = events.map(outboxRow);
  await insertRows(tx, rows);
  return rows.map((row) => row.id);
}

/**
 * The statement that writes outbox rows, not run yet: for a statement that writes an event together with the change
 * it reports, as a common table expression (see `createDraft`), its values placeholders of a prepared statement.
 */
export function insertRows(tx: Queryable, rows: PgInsertValue<typeof outboxEvents>[]) {
  return tx.insert(outboxEvents).values(rows);
}

/** The columns an event's outbox row sets; the others start at their defaults. */
export const OUTBOX_ROW_COLUMNS = ["id", "merchantId", "eventType", "payload", "createdAt", "nextAttemptAt"] as const;
type OutboxRow = Required<Pick<typeof outboxEvents.$inferInsert, (typeof OUTBOX_ROW_COLUMNS)[number]>>;

/** The outbox row of `event`, due at once. */
export function outboxRow(event: EventInput): OutboxRow {
  return {
    id: randomUUID(),
    merchantId: event.merchantId,
    eventType: event.eventType,
    payload: event.payload,
    createdAt: event.at,
    nextAttemptAt: event.at,
  };
}
