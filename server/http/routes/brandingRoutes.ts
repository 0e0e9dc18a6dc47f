import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { getBranding, setBranding } from "../../domain/branding.js";
import { brandingBody, brandingResource } from "../../schemas/branding.js";
import { noQuery } from "../../schemas/common.js";
import { errorResponses } from "../../schemas/errors.js";
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

/**
 * How the merchant's payer pages present it. Read by the merchant or one of its customers' tokens (an embedded
 * widget shows it too); changed by the merchant only.
 */
export const brandingRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { services, authenticator }) => {
  app.get(
    "/integration/merchant/branding",
    {
      preValidation: requireMerchantOrCustomer(authenticator),
      schema: {
        tags: ["Branding"],
        summary: "The merchant's display name, logo, accent colour and support link, as payer pages show them",
        security: merchantOrCustomerSecurity,
        querystring: noQuery,
        response: { 200: brandingResource, ...errorResponses },
      },
    },
    async (request) => getBranding(services.db, principalOf(request).merchantId),
  );

  app.put(
    "/integration/merchant/branding",
    {
      preValidation: requireMerchant(authenticator),
      schema: {
        tags: ["Branding"],
        summary:
          "Change the branding: the fields given are set, the others kept; null clears one (the display name " +
          "back to the merchant's name)",
        security: merchantSecurity,
        headers: idempotencyHeaders,
        body: brandingBody,
        response: { 200: brandingResource, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      return runWrite(
        services,
        request,
        reply,
        idempotencyScope(principal),
        async (tx) => ({ body: await setBranding(tx, principal.merchantId, request.body) }),
        { oneStatement: true },
      );
    },
  );
};
