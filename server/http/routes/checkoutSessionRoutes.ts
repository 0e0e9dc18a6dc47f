import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  activateSessionDraft,
  createCheckoutSession,
  createSessionDraft,
  describeCheckoutSession,
  getCheckoutSession,
} from "../../domain/checkoutSessions.js";
import { toCheckoutSessionResource, toSubscriptionResource } from "../../domain/resources.js";
import {
  checkoutSessionParams,
  checkoutSessionResource,
  createCheckoutSessionBody,
  createdCheckoutSession,
  publicCheckoutSession,
  sessionDraft,
  sessionDraftBody,
} from "../../schemas/checkoutSessions.js";
import { errorResponse, errorResponses, publicWriteErrorResponses } from "../../schemas/errors.js";
import { activateBody, subscriptionResource } from "../../schemas/subscriptions.js";
import { principalOf } from "../buildApp.js";
import { runWrite } from "../runWrite.js";
import {
  idempotencyHeaders,
  idempotencyScope,
  merchantSecurity,
  type RouteOptions,
  requireMerchant,
} from "./routeSupport.js";

/**
 * Checkout sessions: a merchant creates one and sends the payer to its hosted page, which reads it and subscribes
 * through it with the session id alone (an unguessable capability, valid until the session expires).
 */
export const checkoutSessionRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { services, authenticator }) => {
  app.post(
    "/integration/checkout-sessions",
    {
      preValidation: requireMerchant(authenticator),
      schema: {
        tags: ["Checkout sessions"],
        summary: "Create a hosted checkout for one customer and plan",
        security: merchantSecurity,
        headers: idempotencyHeaders,
        body: createCheckoutSessionBody,
        response: { 200: createdCheckoutSession, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      return runWrite(services, request, reply, idempotencyScope(principal), async (tx) => {
        const row = await createCheckoutSession(tx, services, principal.merchantId, request.body);
        const { id, url, expiresAt } = toCheckoutSessionResource(row, services.config.checkoutUrl);
        return { body: { id, url, expiresAt } };
      });
    },
  );

  app.get(
    "/integration/checkout-sessions/:id",
    {
      preValidation: requireMerchant(authenticator),
      schema: {
        tags: ["Checkout sessions"],
        summary: "A checkout session, for the merchant",
        security: merchantSecurity,
        params: checkoutSessionParams,
        response: { 200: checkoutSessionResource, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const row = await getCheckoutSession(services.db, services, request.params.id, principal.merchantId);
      return toCheckoutSessionResource(row, services.config.checkoutUrl);
    },
  );
};

/**
 * The public routes the hosted checkout page calls from the payer's browser, on another origin than the API's
 * (the API answers CORS requests from the configured checkout origins: see `buildApp`).
 */
export const hostedCheckoutRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { services }) => {
  const { chains } = services.config;

  app.get(
    "/:id",
    {
      schema: {
        tags: ["Hosted checkout"],
        summary: "What the hosted checkout page shows (public, by session id)",
        params: checkoutSessionParams,
        response: { 200: publicCheckoutSession, 404: errorResponse, 429: errorResponse },
      },
    },
    async (request) => describeCheckoutSession(services.db, services, request.params.id),
  );

  app.post(
    "/:id/subscription",
    {
      schema: {
        tags: ["Hosted checkout"],
        summary: "Create (or get back) the session's draft for the payer's wallet",
        headers: idempotencyHeaders,
        params: checkoutSessionParams,
        body: sessionDraftBody,
        response: { 200: sessionDraft, ...publicWriteErrorResponses },
      },
    },
    async (request, reply) =>
      runWrite(services, request, reply, `session:${request.params.id}`, async (tx) => {
        const { subscription, approval } = await createSessionDraft(
          tx,
          services,
          request.params.id,
          request.body.payer,
        );
        return { body: { ...toSubscriptionResource(subscription, chains), approval } };
      }),
  );

  app.post(
    "/:id/activate",
    {
      schema: {
        tags: ["Hosted checkout"],
        summary: "Ask for the activation of the session's draft",
        headers: idempotencyHeaders,
        params: checkoutSessionParams,
        body: activateBody,
        response: { 200: subscriptionResource, ...publicWriteErrorResponses },
      },
    },
    async (request, reply) =>
      runWrite(services, request, reply, `session:${request.params.id}`, async (tx) => {
        const row = await activateSessionDraft(tx, services, request.params.id, request.body?.permit);
        return { body: toSubscriptionResource(row, chains) };
      }),
  );
};
