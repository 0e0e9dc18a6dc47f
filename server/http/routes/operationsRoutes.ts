import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { formatEther } from "viem";
import { z } from "zod";
import { CHARGE_STATUSES } from "../../db/schema.js";
import { listMerchantCharges } from "../../domain/charges.js";
import { listGasWallets } from "../../domain/gasWallets.js";
import { chargeResource, toChargeResource } from "../../domain/resources.js";
import {
  type EventRow,
  listWebhookDeliveries,
  listWebhookEvents,
  queueTestEvent,
  redeliverWebhookEvent,
  setWebhookEndpoint,
} from "../../domain/webhooks.js";
import { vetWebhookTarget, WebhookTargetError } from "../../domain/webhookTarget.js";
import { badRequest } from "../ApiError.js";
import { principalOf } from "../buildApp.js";
import { errorResponses } from "../requests.js";
import { runWrite } from "../runWrite.js";
import {
  idempotencyHeaders,
  idempotencyScope,
  merchantSecurity,
  type RouteOptions,
  requireMerchant,
} from "./routeSupport.js";

const page = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

export const eventSummary = z
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

export const delivery = z
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

export const gasWallet = z
  .object({
    blockchain: z.string(),
    chainId: z.number().int(),
    address: z.string(),
    payoutAddress: z.string(),
    balance: z.string().nullable().describe("Native coin, e.g. 0.42 ETH; null until first read"),
    low: z.boolean(),
    checkedAt: z.string().nullable(),
    keyConfigured: z.boolean().describe("Whether this deployment can send from it"),
  })
  .meta({ id: "GasWallet" });

export type WebhookEvent = z.infer<typeof eventSummary>;
export type WebhookDelivery = z.infer<typeof delivery>;
export type GasWallet = z.infer<typeof gasWallet>;

function summary(row: EventRow): z.infer<typeof eventSummary> {
  return {
    eventId: row.id,
    eventType: row.eventType,
    eventTs: row.createdAt.toISOString(),
    delivered: row.deliveredAt !== null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    lastError: row.lastError,
  };
}

/** What a merchant needs to run its integration: webhooks and their deliveries, charges, gas wallets. */
export const operationsRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { services, authenticator }) => {
  const merchantOnly = { preValidation: requireMerchant(authenticator) };

  app.post(
    "/integration/webhooks/endpoint",
    {
      ...merchantOnly,
      schema: {
        tags: ["Webhooks"],
        summary: "Set (or clear, with null) the URL webhook events are POSTed to (public addresses only)",
        security: merchantSecurity,
        headers: idempotencyHeaders,
        body: z.strictObject({
          url: z
            .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
            .max(2_048)
            .nullable(),
        }),
        response: { 200: z.object({ url: z.string().nullable() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      // resolved before the write begins: a slow resolver must not hold a database transaction open
      if (request.body.url !== null) {
        try {
          await vetWebhookTarget(request.body.url, {
            allowPrivate: services.config.allowPrivateWebhooks,
            resolve: services.resolveHost,
          });
        } catch (error) {
          if (!(error instanceof WebhookTargetError)) throw error;
          throw badRequest(`Invalid body: body.url: ${error.message}`, [{ path: "body.url", message: error.message }]);
        }
      }
      return runWrite(services, request, reply, idempotencyScope(principal), async (tx) => {
        await setWebhookEndpoint(tx, principal.merchantId, request.body.url);
        return { body: { url: request.body.url } };
      });
    },
  );

  app.get(
    "/integration/webhooks/events",
    {
      ...merchantOnly,
      schema: {
        tags: ["Webhooks"],
        summary: "Webhook events, newest first, with their delivery state",
        security: merchantSecurity,
        querystring: z.strictObject({ ...page, undelivered: z.enum(["true", "false"]).optional() }),
        response: { 200: z.object({ events: z.array(eventSummary) }), ...errorResponses },
      },
    },
    async (request) => {
      const { merchantId } = principalOf(request);
      const { limit, offset, undelivered } = request.query;
      const rows = await listWebhookEvents(services.db, merchantId, {
        limit,
        offset,
        undelivered: undelivered === "true",
      });
      return { events: rows.map(summary) };
    },
  );

  app.get(
    "/integration/webhooks/deliveries",
    {
      ...merchantOnly,
      schema: {
        tags: ["Webhooks"],
        summary: "Every delivery attempt, newest first (of one event with eventId)",
        security: merchantSecurity,
        querystring: z.strictObject({ ...page, eventId: z.uuid().optional() }),
        response: { 200: z.object({ deliveries: z.array(delivery) }), ...errorResponses },
      },
    },
    async (request) => {
      const { merchantId } = principalOf(request);
      const rows = await listWebhookDeliveries(services.db, merchantId, request.query);
      return {
        deliveries: rows.map((row) => ({
          eventId: row.eventId,
          attempt: row.attempt,
          url: row.url,
          responseStatus: row.responseStatus,
          error: row.error,
          durationMs: row.durationMs,
          attemptedAt: row.attemptedAt.toISOString(),
        })),
      };
    },
  );

  app.post(
    "/integration/webhooks/events/:eventId/redeliver",
    {
      ...merchantOnly,
      schema: {
        tags: ["Webhooks"],
        summary: "Deliver an event again (delivered or not), as soon as possible",
        security: merchantSecurity,
        headers: idempotencyHeaders,
        params: z.strictObject({ eventId: z.uuid() }),
        response: { 200: eventSummary, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      return runWrite(services, request, reply, idempotencyScope(principal), async (tx) => {
        const row = await redeliverWebhookEvent(tx, services, principal.merchantId, request.params.eventId);
        return { body: summary(row) };
      });
    },
  );

  app.post(
    "/integration/webhooks/test",
    {
      ...merchantOnly,
      schema: {
        tags: ["Webhooks"],
        summary: "Queue a WebhookTest event, delivered and signed like every other",
        security: merchantSecurity,
        headers: idempotencyHeaders,
        response: { 200: eventSummary, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      return runWrite(services, request, reply, idempotencyScope(principal), async (tx) => {
        return { body: summary(await queueTestEvent(tx, services, principal.merchantId)) };
      });
    },
  );

  app.get(
    "/integration/charges",
    {
      ...merchantOnly,
      schema: {
        tags: ["Charges"],
        summary: "Charges, newest first, by subscription and status",
        security: merchantSecurity,
        querystring: z.strictObject({
          ...page,
          contractAddress: z.string().max(64).optional(),
          statusIn: z
            .string()
            .max(64)
            .optional()
            .transform((value, ctx) => {
              if (value === undefined) return undefined;
              const statuses = value.split(",").map((status) => status.trim());
              const unknown = statuses.find((status) => !(CHARGE_STATUSES as readonly string[]).includes(status));
              if (unknown !== undefined) {
                ctx.addIssue({
                  code: "custom",
                  message: `unknown charge status "${unknown}": use ${CHARGE_STATUSES.join(", ")}`,
                });
                return z.NEVER;
              }
              return statuses as (typeof CHARGE_STATUSES)[number][];
            }),
        }),
        response: { 200: z.object({ charges: z.array(chargeResource) }), ...errorResponses },
      },
    },
    async (request) => {
      const { merchantId } = principalOf(request);
      const { contractAddress, statusIn, limit, offset } = request.query;
      const rows = await listMerchantCharges(services.db, merchantId, {
        contractAddress,
        statuses: statusIn,
        limit,
        offset,
      });
      return { charges: rows.map((row) => toChargeResource(row.charge, row.tokenCode, services.config.chains)) };
    },
  );

  app.get(
    "/integration/gas-wallets",
    {
      ...merchantOnly,
      schema: {
        tags: ["Gas wallets"],
        summary: "The merchant's gas wallet on each chain, with its last seen balance and whether it is low",
        security: merchantSecurity,
        response: {
          200: z.object({ gasWallets: z.array(gasWallet) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { merchantId } = principalOf(request);
      const wallets = await listGasWallets(services.db, services, merchantId);
      return {
        gasWallets: wallets.map((wallet) => ({
          blockchain: wallet.blockchain,
          chainId: wallet.chainId,
          address: wallet.address,
          payoutAddress: wallet.payoutAddress,
          balance: wallet.balance === null ? null : `${formatEther(wallet.balance)} ETH`,
          low: wallet.low,
          checkedAt: wallet.checkedAt?.toISOString() ?? null,
          keyConfigured: wallet.keyConfigured,
        })),
      };
    },
  );
};
