import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { rotateApiKey } from "../../domain/merchants.js";
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

/** API key rotation: the merchant swaps the key it signs with for a new one. */
export const apiKeyRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { services, authenticator }) => {
  app.post(
    "/integration/api-keys/rotate",
    {
      preValidation: requireMerchant(authenticator),
      schema: {
        tags: ["API keys"],
        summary: "Issue a new signing key; the current one keeps working for an hour. The secret is shown only here",
        security: merchantSecurity,
        headers: idempotencyHeaders,
        response: { 200: z.object({ apiKey: z.string(), apiSecret: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.kind !== "merchant") throw new Error("rotate reached without a merchant");
      return runWrite(
        services,
        request,
        reply,
        idempotencyScope(principal),
        async (tx) => ({
          body: await rotateApiKey(tx, services.apiSecrets, principal.merchantId, principal.apiKey, services.now()),
        }),
        // the new secret is in the response: stored only encrypted, for an idempotent retry
        { sensitive: true },
      );
    },
  );
};
