import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { storefrontOf } from "../../domain/storefront.js";
import { noQuery } from "../../schemas/common.js";
import { errorResponses } from "../../schemas/errors.js";
import { storefrontResource } from "../../schemas/storefront.js";
import { principalOf } from "../buildApp.js";
import { merchantOrCustomerSecurity, type RouteOptions, requireMerchantOrCustomer } from "./routeSupport.js";

/** What a payer is offered, in one answer: read with a customer token by the embedded widget. */
export const storefrontRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { services, authenticator }) => {
  app.get(
    "/integration/storefront",
    {
      preValidation: requireMerchantOrCustomer(authenticator),
      schema: {
        tags: ["Plans"],
        summary: "The merchant's branding and Active plans, each with its payee: what the embedded widget shows",
        security: merchantOrCustomerSecurity,
        querystring: noQuery,
        response: { 200: storefrontResource, ...errorResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const customerId = principal.kind === "customer" ? principal.customerId : null;
      return storefrontOf(services.db, services, principal.merchantId, customerId);
    },
  );
};
