import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { companyIdOf } from "../../domain/merchants.js";
import { createPlan, getPlan, listPlans, setPlanStatus } from "../../domain/plans.js";
import { toPlanResource } from "../../domain/resources.js";
import { errorResponses } from "../../schemas/errors.js";
import { createPlanBody, listPlansQuery, planIdParams, planList, planResource } from "../../schemas/plans.js";
import { forbidden } from "../ApiError.js";
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

/** Subscription plans: what a merchant sells, at what price and how often. */
export const planRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { services, authenticator }) => {
  const { chains } = services.config;

  app.get(
    "/integration/subscription-plans",
    {
      preValidation: requireMerchantOrCustomer(authenticator),
      schema: {
        tags: ["Plans"],
        summary: "Plans, Active ones by default (customers only ever see Active ones)",
        security: merchantOrCustomerSecurity,
        querystring: listPlansQuery,
        response: { 200: planList, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { statusIn, limit, offset } = request.query;
      if (principal.kind === "customer" && statusIn && statusIn.some((status) => status !== "Active")) {
        throw forbidden("Customers can only list Active plans");
      }
      const rows = await listPlans(services.db, principal.merchantId, {
        statuses: statusIn ?? ["Active"],
        limit,
        offset,
      });
      const companyId = await companyIdOf(services, principal.merchantId);
      return { plans: rows.map((row) => toPlanResource(row, chains, companyId)) };
    },
  );

  app.post(
    "/integration/subscription-plans",
    {
      preValidation: requireMerchant(authenticator),
      schema: {
        tags: ["Plans"],
        summary: "Create a plan (in Draft; activate it to take subscriptions)",
        security: merchantSecurity,
        headers: idempotencyHeaders,
        body: createPlanBody,
        response: { 200: planResource, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      // read before the transaction: PGlite has one connection, which the transaction holds
      const companyId = await companyIdOf(services, principal.merchantId);
      return runWrite(services, request, reply, idempotencyScope(principal), async (tx) => ({
        body: toPlanResource(await createPlan(tx, services, principal.merchantId, request.body), chains, companyId),
      }));
    },
  );

  app.get(
    "/integration/subscription-plans/:id",
    {
      preValidation: requireMerchantOrCustomer(authenticator),
      schema: {
        tags: ["Plans"],
        summary: "One plan",
        security: merchantOrCustomerSecurity,
        params: planIdParams,
        response: { 200: planResource, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const plan = await getPlan(services.db, principal.merchantId, request.params.id);
      if (principal.kind === "customer" && plan.status !== "Active")
        throw forbidden("Customers can only see Active plans");
      return toPlanResource(plan, chains, await companyIdOf(services, principal.merchantId));
    },
  );

  for (const [action, status] of [
    ["activate", "Active"],
    ["archive", "Archived"],
  ] as const) {
    app.post(
      `/integration/subscription-plans/:id/${action}`,
      {
        preValidation: requireMerchant(authenticator),
        schema: {
          tags: ["Plans"],
          summary:
            action === "activate"
              ? "Activate a plan: it takes new subscriptions"
              : "Archive a plan: no new subscriptions, existing ones carry on",
          security: merchantSecurity,
          headers: idempotencyHeaders,
          params: planIdParams,
          response: { 200: planResource, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const companyId = await companyIdOf(services, principal.merchantId);
        return runWrite(services, request, reply, idempotencyScope(principal), async (tx) => ({
          body: toPlanResource(
            await setPlanStatus(tx, services, principal.merchantId, request.params.id, status),
            chains,
            companyId,
          ),
        }));
      },
    );
  }
};
