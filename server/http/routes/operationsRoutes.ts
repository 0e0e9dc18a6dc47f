import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { formatEther } from "viem";
import { listMerchantCharges } from "../../domain/charges.js";
import { listGasWallets } from "../../domain/gasWallets.js";
import { toChargeResource } from "../../domain/resources.js";
import {
  type EventRow,
  listWebhookDeliveries,
  listWebhookEvents,
  queueTestEvent,
  redeliverWebhookEvent,
  setWebhookEndpoint,
} from "../../domain/webhooks.js";
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
import { badRequest } from "../ApiError.js";
import { principalOf } from "../buildApp.js";
import { runWrite } from "../runWrite.js";
import {
  idempotencyHeaders,
  idempotencyScope,
  merchantSecurity,
  type RouteOptions,
  requireMerchant,
} from "./routeSupport.js";

function summary(row: EventRow): WebhookEvent {
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
        querystring: listWebhookEventsQuery,
        response: { 200: webhookEventList, ...errorResponses },
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
        querystring: listWebhookDeliveriesQuery,
        response: { 200: webhookDeliveryList, ...errorResponses },
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
        params: webhookEventParams,
        response: { 200: webhookEvent, ...errorResponses },
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
        response: { 200: webhookEvent, ...errorResponses },
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
        querystring: listChargesQuery,
        response: { 200: chargeList, ...errorResponses },
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
        response: { 200: gasWalletList, ...errorResponses },
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
