import { and, asc, desc, eq, inArray, isNull, type SQL } from "drizzle-orm";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { formatEther, getAddress } from "viem";
import {
  charges,
  gasWallets,
  merchantChains,
  merchants,
  outboxEvents,
  subscriptions,
  webhookDeliveries,
} from "../../db/schema.js";
import { recordEvent } from "../../domain/recordEvent.js";
import { toChargeResource } from "../../domain/resources.js";
import { vetWebhookTarget, WebhookTargetError } from "../../domain/webhookTarget.js";
import { chargeList, listChargesQuery } from "../../schemas/charges.js";
import { errorResponses } from "../../schemas/errors.js";
import { gasWalletList } from "../../schemas/gasWallets.js";
import {
  listWebhookDeliveriesQuery,
  listWebhookEventsQuery,
  type WebhookEvent,
  webhookDeliveryList,
  webhookEndpoint,
  webhookEndpointBody,
  webhookEvent,
  webhookEventList,
  webhookEventParams,
} from "../../schemas/webhooks.js";
import { badRequest, notFound } from "../ApiError.js";
import { principalOf } from "../buildApp.js";
import { runWrite } from "../runWrite.js";
import {
  idempotencyHeaders,
  idempotencyScope,
  merchantSecurity,
  type RouteOptions,
  requireMerchant,
} from "./routeSupport.js";

function summary(row: typeof outboxEvents.$inferSelect): WebhookEvent {
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
        body: webhookEndpointBody,
        response: { 200: webhookEndpoint, ...errorResponses },
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
        await tx.update(merchants).set({ webhookUrl: request.body.url }).where(eq(merchants.id, principal.merchantId));
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
        querystring: listWebhookEventsQuery,
        response: { 200: webhookEventList, ...errorResponses },
      },
    },
    async (request) => {
      const { merchantId } = principalOf(request);
      const conditions: SQL[] = [eq(outboxEvents.merchantId, merchantId)];
      // filtered before paging, so a page is short only at the end
      if (request.query.undelivered === "true") conditions.push(isNull(outboxEvents.deliveredAt));
      const rows = await services.db
        .select()
        .from(outboxEvents)
        .where(and(...conditions))
        .orderBy(desc(outboxEvents.createdAt), asc(outboxEvents.id))
        .limit(request.query.limit)
        .offset(request.query.offset);
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
        querystring: listWebhookDeliveriesQuery,
        response: { 200: webhookDeliveryList, ...errorResponses },
      },
    },
    async (request) => {
      const { merchantId } = principalOf(request);
      const conditions: SQL[] = [eq(webhookDeliveries.merchantId, merchantId)];
      if (request.query.eventId) conditions.push(eq(webhookDeliveries.eventId, request.query.eventId));
      const rows = await services.db
        .select()
        .from(webhookDeliveries)
        .where(and(...conditions))
        .orderBy(desc(webhookDeliveries.attemptedAt), desc(webhookDeliveries.attempt))
        .limit(request.query.limit)
        .offset(request.query.offset);
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
        params: webhookEventParams,
        response: { 200: webhookEvent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      return runWrite(services, request, reply, idempotencyScope(principal), async (tx) => {
        const [row] = await tx
          .update(outboxEvents)
          .set({ deliveredAt: null, nextAttemptAt: services.now(), leaseUntil: null })
          .where(and(eq(outboxEvents.id, request.params.eventId), eq(outboxEvents.merchantId, principal.merchantId)))
          .returning();
        if (!row) throw notFound(`No webhook event ${request.params.eventId}`);
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
        response: { 200: webhookEvent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      return runWrite(services, request, reply, idempotencyScope(principal), async (tx) => {
        const eventId = await recordEvent(tx, {
          merchantId: principal.merchantId,
          eventType: "WebhookTest",
          payload: { message: "A test event: your endpoint received it and can check its x-sp-digest." },
          at: services.now(),
        });
        const [row] = await tx.select().from(outboxEvents).where(eq(outboxEvents.id, eventId));
        if (!row) throw new Error(`the test event ${eventId} was not written`);
        return { body: summary(row) };
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
        querystring: listChargesQuery,
        response: { 200: chargeList, ...errorResponses },
      },
    },
    async (request) => {
      const { merchantId } = principalOf(request);
      const conditions: SQL[] = [eq(charges.merchantId, merchantId)];
      if (request.query.contractAddress) {
        let address: string;
        try {
          address = getAddress(request.query.contractAddress);
        } catch {
          return { charges: [] };
        }
        conditions.push(eq(charges.contractAddress, address));
      }
      if (request.query.statusIn) conditions.push(inArray(charges.status, request.query.statusIn));
      const rows = await services.db
        .select({ charge: charges, tokenCode: subscriptions.tokenCode })
        .from(charges)
        .innerJoin(subscriptions, eq(subscriptions.contractAddress, charges.contractAddress))
        .where(and(...conditions))
        .orderBy(desc(charges.chargeDate), asc(charges.id))
        .limit(request.query.limit)
        .offset(request.query.offset);
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
        response: { 200: gasWalletList, ...errorResponses },
      },
    },
    async (request) => {
      const { merchantId } = principalOf(request);
      const rows = await services.db
        .select({ settings: merchantChains, wallet: gasWallets })
        .from(merchantChains)
        .leftJoin(
          gasWallets,
          and(eq(gasWallets.chainId, merchantChains.chainId), eq(gasWallets.address, merchantChains.gasWalletAddress)),
        )
        .where(eq(merchantChains.merchantId, merchantId));
      return {
        gasWallets: rows.map(({ settings, wallet }) => ({
          blockchain: services.config.chains.chainById(settings.chainId)?.name ?? String(settings.chainId),
          chainId: settings.chainId,
          address: settings.gasWalletAddress,
          payoutAddress: settings.payoutAddress,
          balance: wallet?.balance == null ? null : `${formatEther(wallet.balance)} ETH`,
          low: wallet?.low ?? false,
          checkedAt: wallet?.checkedAt?.toISOString() ?? null,
          keyConfigured: settings.gasWalletKey !== null,
        })),
      };
    },
  );
};
