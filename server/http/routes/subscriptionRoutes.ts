import { and, eq } from "drizzle-orm";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { type Address, getAddress } from "viem";
import type { z } from "zod";
import type { Queryable } from "../../db/openDatabase.js";
import { chainHints, subscriptions } from "../../db/schema.js";
import { listCharges } from "../../domain/charges.js";
import { formatMoney } from "../../domain/money.js";
import { toChargeResource, toSubscriptionResource } from "../../domain/resources.js";
import { createDraft, getSubscription, listSubscriptions, requestAction } from "../../domain/subscriptions.js";
import { errorResponse, errorResponses } from "../../schemas/errors.js";
import {
  activateBody,
  contractAddressParams,
  createSubscriptionBody,
  customerToken,
  customerTokenBody,
  draftResource,
  hintBody,
  hintResponse,
  listSubscriptionsQuery,
  subscriptionList,
  subscriptionResource,
  subscriptionStatusResponse,
  subscriptionWithCharges,
} from "../../schemas/subscriptions.js";
import { badRequest, forbidden, notFound } from "../ApiError.js";
import { principalOf } from "../buildApp.js";
import { runWrite } from "../runWrite.js";
import {
  idempotencyHeaders,
  idempotencyScope,
  merchantOrCustomerSecurity,
  merchantSecurity,
  type RouteOptions,
  requireMerchant,
  requireMerchantOrCustomer,
} from "./routeSupport.js";

/** Subscriptions: drafts, their activation, and the merchant's control of them. */
export const subscriptionRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { services, authenticator }) => {
  const { chains } = services.config;

  app.post(
    "/integration/subscriptions",
    {
      preValidation: requireMerchantOrCustomer(authenticator),
      schema: {
        tags: ["Subscriptions"],
        summary: "Create a Draft subscription and get its future contract address to approve",
        security: merchantOrCustomerSecurity,
        headers: idempotencyHeaders,
        body: createSubscriptionBody,
        response: { 200: draftResource, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.kind === "customer" && request.body.customerId !== principal.customerId) {
        throw forbidden("A customer token can only create subscriptions for its own customer");
      }
      const scope = idempotencyScope(principal);
      const draft = async (tx: Queryable) => {
        const { subscription, approval } = await createDraft(tx, services, principal.merchantId, request.body);
        return { body: { ...toSubscriptionResource(subscription, chains), approval } };
      };
      // a draft is written in one statement (see createDraft)
      return runWrite(services, request, reply, scope, draft, { oneStatement: true });
    },
  );

  app.get(
    "/integration/subscriptions",
    {
      preValidation: requireMerchantOrCustomer(authenticator),
      schema: {
        tags: ["Subscriptions"],
        summary: "Subscriptions by filter, newest first (a customer sees only their own)",
        security: merchantOrCustomerSecurity,
        querystring: listSubscriptionsQuery,
        response: { 200: subscriptionList, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { customerId, payer, statusIn, limit, offset } = request.query;
      if (principal.kind === "customer" && customerId !== undefined && customerId !== principal.customerId) {
        throw forbidden("A customer token can only list its own customer's subscriptions");
      }
      const rows = await listSubscriptions(services.db, scopeOf(principal), {
        customerId,
        payer,
        statuses: statusIn,
        limit,
        offset,
      });
      return { subscriptions: rows.map((row) => toSubscriptionResource(row, chains)) };
    },
  );

  app.post(
    "/integration/subscriptions/create-customer-token",
    {
      preValidation: requireMerchant(authenticator),
      schema: {
        tags: ["Subscriptions"],
        summary: "A short-lived token letting a browser act for one customer",
        security: merchantSecurity,
        headers: idempotencyHeaders,
        body: customerTokenBody,
        response: { 200: customerToken, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      // nothing is written, but a retried request with the same key must get the same token
      return runWrite(
        services,
        request,
        reply,
        idempotencyScope(principal),
        async () => {
          const expiresAt = Math.floor(services.now().getTime() / 1000) + services.config.customerTokenTtlSeconds;
          const token = services.customerTokens.issue({
            merchantId: principal.merchantId,
            customerId: request.body.customerId,
            expiresAt,
          });
          return { body: { token, expiresAt: new Date(expiresAt * 1000).toISOString() } };
        },
        { sensitive: true },
      );
    },
  );

  app.post(
    "/integration/subscriptions/hint-update-state",
    {
      // unauthenticated: anyone may send it, so each client address gets few (RECUR_HINT_RATE_LIMIT a minute)
      onRequest: app.rateLimit({ max: services.config.hintRateLimitPerMinute, timeWindow: "1 minute" }),
      schema: {
        tags: ["Subscriptions"],
        summary:
          "Tell the platform a transaction changed a subscription, so the worker looks at it now (public, rate-limited)",
        body: hintBody,
        response: {
          200: hintResponse,
          400: errorResponse,
          413: errorResponse,
          429: errorResponse,
        },
      },
    },
    async (request) => {
      const chain = chains.chainByName(request.body.blockchain);
      if (!chain) {
        throw badRequest(
          `Unknown blockchain "${request.body.blockchain}": use one of ${chains.chains.map((c) => c.name).join(", ")}`,
          [{ path: "body.blockchain", message: "unknown" }],
        );
      }
      // a hash is kept once, until the worker has looked at it and it has been pruned
      const now = services.now();
      await services.db
        .insert(chainHints)
        .values({
          chainId: chain.chainId,
          // the schema checked 0x and 64 hex digits; lowercase, so one transaction is one hint
          txHash: `0x${request.body.hash.slice(2).toLowerCase()}`,
          receivedAt: now,
          nextAttemptAt: now,
        })
        .onConflictDoNothing();
      return { isAccepted: true };
    },
  );

  app.get(
    "/integration/subscriptions/:contractAddress",
    {
      preValidation: requireMerchantOrCustomer(authenticator),
      schema: {
        tags: ["Subscriptions"],
        summary: "One subscription with its charges",
        security: merchantOrCustomerSecurity,
        params: contractAddressParams,
        response: { 200: subscriptionWithCharges, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const row = await getSubscription(services.db, scopeOf(principal), request.params.contractAddress);
      const rows = await listCharges(services.db, row.contractAddress);
      return {
        ...toSubscriptionResource(row, chains),
        charges: rows.map((charge) => toChargeResource(charge, row.tokenCode, chains)),
      };
    },
  );

  app.get(
    "/integration/subscriptions/:contractAddress/status",
    {
      schema: {
        tags: ["Subscriptions"],
        summary: "A subscription's status and allowance (public)",
        params: contractAddressParams,
        response: {
          200: subscriptionStatusResponse,
          404: errorResponse,
          429: errorResponse,
        },
      },
    },
    async (request) => {
      let address: Address;
      try {
        address = getAddress(request.params.contractAddress);
      } catch {
        throw notFound(`No subscription ${request.params.contractAddress}`);
      }
      const [row] = await services.db
        .select({
          status: subscriptions.status,
          allowance: subscriptions.allowance,
          tokenCode: subscriptions.tokenCode,
        })
        .from(subscriptions)
        .where(and(eq(subscriptions.contractAddress, address)));
      if (!row) throw notFound(`No subscription ${request.params.contractAddress}`);
      const token = chains.token(row.tokenCode)?.token;
      return {
        status: row.status,
        allowance: row.allowance === null || !token ? null : formatMoney(row.allowance, token),
      };
    },
  );

  const actions = [
    ["activate", "Ask for activation: the platform deploys and starts it once allowance (or permit) is in place"],
    ["pause", "Ask to pause, executed on chain by the merchant's gas wallet"],
    ["unpause", "Ask to unpause, executed on chain by the merchant's gas wallet"],
    ["cancel", "Ask to cancel (a draft is cancelled at once)"],
  ] as const;
  for (const [action, summary] of actions) {
    // customers may activate their own drafts; only merchants pause, unpause and cancel through the API
    const customersAllowed = action === "activate";
    app.post(
      `/integration/subscriptions/:contractAddress/${action}`,
      {
        preValidation: customersAllowed ? requireMerchantOrCustomer(authenticator) : requireMerchant(authenticator),
        schema: {
          tags: ["Subscriptions"],
          summary,
          security: customersAllowed ? merchantOrCustomerSecurity : merchantSecurity,
          headers: idempotencyHeaders,
          params: contractAddressParams,
          ...(action === "activate" ? { body: activateBody } : {}),
          response: { 200: subscriptionResource, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const permit = action === "activate" ? (request.body as z.infer<typeof activateBody>)?.permit : undefined;
        return runWrite(services, request, reply, idempotencyScope(principal), async (tx) => {
          const row = await requestAction(
            tx,
            services,
            scopeOf(principal),
            request.params.contractAddress,
            action,
            permit,
          );
          return { body: toSubscriptionResource(row, chains) };
        });
      },
    );
  }
};

function scopeOf(principal: ReturnType<typeof principalOf>) {
  return principal.kind === "customer"
    ? { merchantId: principal.merchantId, customerId: principal.customerId }
    : { merchantId: principal.merchantId };
}
