import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { PLAN_STATUSES } from "../../../server/db/schema.js";
import { brandingBody, brandingResource } from "../../../server/schemas/branding.js";
import { chargeList } from "../../../server/schemas/charges.js";
import { gasWalletList } from "../../../server/schemas/gasWallets.js";
import { createPlanBody, planList, planResource } from "../../../server/schemas/plans.js";
import {
  subscriptionList,
  subscriptionResource,
  subscriptionWithCharges,
} from "../../../server/schemas/subscriptions.js";
import { webhookDeliveryList, webhookEvent, webhookEventList } from "../../../server/schemas/webhooks.js";
import { address, addressParams, idempotencyHeaders, page, statusIn } from "./requestSchemas.js";
import { requireAdmin } from "./requireWallet.js";
import type { WebRouteOptions } from "./WebRouteOptions.js";

const planParams = z.strictObject({ id: z.string().min(1).max(64) });

/**
 * The merchant's admin pages, for wallets listed in WEB_ADMIN_ADDRESSES: plans, subscriptions, charges, webhook
 * deliveries, gas wallets and the branding payer pages show, done with the merchant's API key (which stays here: the admin proves who they are by
 * signing in with their wallet).
 */
export const adminRoutes: FastifyPluginAsyncZod<WebRouteOptions> = async (app, { sessions, platform, idempotency }) => {
  const merchant = platform.merchant;
  app.addHook("preHandler", requireAdmin(sessions));

  app.get(
    "/plans",
    {
      schema: {
        querystring: z.strictObject({ statusIn, ...page }),
        response: { 200: planList },
      },
    },
    // every plan unless asked otherwise: the admin manages drafts and archived plans too
    async (request) =>
      merchant.listPlans({ ...request.query, statusIn: request.query.statusIn ?? PLAN_STATUSES.join(",") }),
  );

  app.post(
    "/plans",
    { schema: { headers: idempotencyHeaders, body: createPlanBody, response: { 200: planResource } } },
    async (request) => merchant.createPlan(request.body, idempotency.of(request, "admin")),
  );

  for (const action of ["activate", "archive"] as const) {
    app.post(
      `/plans/:id/${action}`,
      { schema: { headers: idempotencyHeaders, params: planParams, response: { 200: planResource } } },
      async (request) => {
        const plan =
          action === "activate"
            ? await merchant.activatePlan(request.params.id, idempotency.of(request, "admin"))
            : await merchant.archivePlan(request.params.id, idempotency.of(request, "admin"));
        // visitors see the change at once, not when the cached list runs out
        platform.forgetPlans();
        return plan;
      },
    );
  }

  app.get(
    "/subscriptions",
    {
      schema: {
        querystring: z.strictObject({
          statusIn,
          customerId: z.string().max(255).optional(),
          payer: address.optional(),
          ...page,
        }),
        response: { 200: subscriptionList },
      },
    },
    async (request) => merchant.listSubscriptions(request.query),
  );

  app.get(
    "/subscriptions/:address",
    {
      schema: {
        params: addressParams,
        response: { 200: subscriptionWithCharges },
      },
    },
    async (request) => merchant.getSubscription(request.params.address),
  );

  for (const action of ["pause", "unpause", "cancel"] as const) {
    app.post(
      `/subscriptions/:address/${action}`,
      { schema: { headers: idempotencyHeaders, params: addressParams, response: { 200: subscriptionResource } } },
      async (request) => {
        const { address } = request.params;
        const options = idempotency.of(request, "admin");
        if (action === "pause") return merchant.pauseSubscription(address, options);
        if (action === "unpause") return merchant.unpauseSubscription(address, options);
        return merchant.cancelSubscription(address, options);
      },
    );
  }

  app.get(
    "/charges",
    {
      schema: {
        querystring: z.strictObject({ contractAddress: address.optional(), statusIn, ...page }),
        response: { 200: chargeList },
      },
    },
    async (request) => merchant.listCharges(request.query),
  );

  app.get(
    "/webhooks/events",
    {
      schema: {
        querystring: z.strictObject({ undelivered: z.enum(["true", "false"]).optional(), ...page }),
        response: { 200: webhookEventList },
      },
    },
    async (request) => {
      const { undelivered, ...rest } = request.query;
      return merchant.listWebhookEvents({ ...rest, ...(undelivered ? { undelivered: undelivered === "true" } : {}) });
    },
  );

  app.get(
    "/webhooks/deliveries",
    {
      schema: {
        querystring: z.strictObject({ eventId: z.string().max(64).optional(), ...page }),
        response: { 200: webhookDeliveryList },
      },
    },
    async (request) => merchant.listWebhookDeliveries(request.query),
  );

  app.post(
    "/webhooks/events/:eventId/redeliver",
    {
      schema: {
        headers: idempotencyHeaders,
        params: z.strictObject({ eventId: z.string().min(1).max(64) }),
        response: { 200: webhookEvent },
      },
    },
    async (request) => merchant.redeliverWebhookEvent(request.params.eventId, idempotency.of(request, "admin")),
  );

  app.get("/branding", { schema: { response: { 200: brandingResource } } }, async () => merchant.getBranding());

  app.put(
    "/branding",
    { schema: { headers: idempotencyHeaders, body: brandingBody, response: { 200: brandingResource } } },
    async (request) => {
      const branding = await merchant.setBranding(request.body, idempotency.of(request, "admin"));
      // the pages show the change at the next load, not when the cached branding runs out
      platform.forgetBranding();
      return branding;
    },
  );

  app.get("/gas-wallets", { schema: { response: { 200: gasWalletList } } }, async () => merchant.listGasWallets());
};
