import { z } from "zod";
import { page } from "./common.js";

/** A webhook event with its delivery state. */
export const webhookEvent = z
  .object({
    eventId: z.string(),
    eventType: z.string(),
    eventTs: z.string(),
    delivered: z.boolean(),
    deliveredAt: z.string().nullable(),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable().describe("Null once delivered, or after giving up"),
    lastError: z.string().nullable(),
  })
  .meta({ id: "WebhookEvent" });
export type WebhookEvent = z.infer<typeof webhookEvent>;

/** One attempt to deliver a webhook event. */
export const webhookDelivery = z
  .object({
    eventId: z.string(),
    attempt: z.number().int(),
    url: z.string(),
    responseStatus: z.number().int().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int(),
    attemptedAt: z.string(),
  })
  .meta({ id: "WebhookDelivery" });
export type WebhookDelivery = z.infer<typeof webhookDelivery>;

export const webhookEventList = z.object({ events: z.array(webhookEvent) });

export const webhookDeliveryList = z.object({ deliveries: z.array(webhookDelivery) });

export const webhookEndpointBody = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
    .max(2_048)
    .nullable(),
});

export const webhookEndpoint = z.object({ url: z.string().nullable() });

export const listWebhookEventsQuery = z.strictObject({ ...page, undelivered: z.enum(["true", "false"]).optional() });

export const listWebhookDeliveriesQuery = z.strictObject({ ...page, eventId: z.uuid().optional() });

export const webhookEventParams = z.strictObject({ eventId: z.uuid() });
