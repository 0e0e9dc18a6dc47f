import { and, asc, desc, eq, isNull, type SQL } from "drizzle-orm";
import type { Queryable } from "../db/openDatabase.js";
import { merchants, outboxEvents, webhookDeliveries } from "../db/schema.js";
import { NotFoundError } from "./errors.js";
import { recordEvent } from "./recordEvent.js";
import type { Services } from "./Services.js";

/** A webhook event in the outbox, with its delivery state. */
export type EventRow = typeof outboxEvents.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/** A page of a list, newest first. */
interface Page {
  limit: number;
  offset: number;
}

/**
 * Sets the URL a merchant's webhook events are POSTed to, or none. The caller vets the URL first (a public
 * address), outside any transaction, since resolving a name may be slow.
 */
export async function setWebhookEndpoint(tx: Queryable, merchantId: string, url: string | null): Promise<void> {
  await tx.update(merchants).set({ webhookUrl: url }).where(eq(merchants.id, merchantId));
}

/** A merchant's webhook events, newest first (ties broken by id); only the undelivered ones when asked. */
export async function listWebhookEvents(
  tx: Queryable,
  merchantId: string,
  filter: Page & { undelivered?: boolean },
): Promise<EventRow[]> {
  const conditions: SQL[] = [eq(outboxEvents.merchantId, merchantId)];
  // filtered before paging, so a page is short only at the end
  if (filter.undelivered) conditions.push(isNull(outboxEvents.deliveredAt));
  return tx
    .select()
    .from(outboxEvents)
    .where(and(...conditions))
    .orderBy(desc(outboxEvents.createdAt), asc(outboxEvents.id))
    .limit(filter.limit)
    .offset(filter.offset);
}

/** Every delivery attempt of a merchant's webhook events (of one event with `eventId`), newest first. */
export async function listWebhookDeliveries(
  tx: Queryable,
  merchantId: string,
  filter: Page & { eventId?: string | undefined },
): Promise<DeliveryRow[]> {
  const conditions: SQL[] = [eq(webhookDeliveries.merchantId, merchantId)];
  if (filter.eventId) conditions.push(eq(webhookDeliveries.eventId, filter.eventId));
  return tx
    .select()
    .from(webhookDeliveries)
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.attemptedAt), desc(webhookDeliveries.attempt))
    .limit(filter.limit)
    .offset(filter.offset);
}

/** Queues a merchant's event for delivery again (delivered or not), as soon as possible. */
export async function redeliverWebhookEvent(
  tx: Queryable,
  services: Services,
  merchantId: string,
  eventId: string,
): Promise<EventRow> {
  const [row] = await tx
    .update(outboxEvents)
    .set({ deliveredAt: null, nextAttemptAt: services.now(), leaseUntil: null })
    .where(and(eq(outboxEvents.id, eventId), eq(outboxEvents.merchantId, merchantId)))
    .returning();
  if (!row) throw new NotFoundError("webhook event", eventId);
  return row;
}

/** Queues a `WebhookTest` event, delivered and signed like every other, to check an endpoint. */
export async function queueTestEvent(tx: Queryable, services: Services, merchantId: string): Promise<EventRow> {
  const eventId = await recordEvent(tx, {
    merchantId,
    eventType: "WebhookTest",
    payload: { message: "A test event: your endpoint received it and can check its x-sp-digest." },
    at: services.now(),
  });
  const [row] = await tx.select().from(outboxEvents).where(eq(outboxEvents.id, eventId));
  if (!row) throw new Error(`the test event ${eventId} was not written`);
  return row;
}
