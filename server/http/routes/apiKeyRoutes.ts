import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { type ApiKeySummary, listApiKeys, revokeApiKey, rotateApiKey } from "../../domain/merchants.js";
import { type ApiKeyView, apiKeyList, apiKeyParams, apiKeySummary, issuedApiKey } from "../../schemas/apiKeys.js";
import { noQuery } from "../../schemas/common.js";
import { errorResponses } from "../../schemas/errors.js";
import { principalOf } from "../buildApp.js";
import { runWrite } from "../runWrite.js";
import {
  idempotencyHeaders,
  idempotencyScope,
  merchantSecurity,
  type RouteOptions,
  requireMerchant,
} from "./routeSupport.js";

function view(key: ApiKeySummary, signingKey: string): ApiKeyView {
  return {
    apiKey: key.apiKey,
    status: key.status,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    signsThisRequest: key.apiKey === signingKey,
  };
}

/**
 * A merchant's API keys: listed, rotated (the new secret is shown once) and revoked. A rotation or revocation
 * applies at once on the API process that made it, and within `KEY_CACHE_MS` on the others.
 */
export const apiKeyRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { services, authenticator }) => {
  const merchantOf = (principal: ReturnType<typeof principalOf>) => {
    if (principal.kind !== "merchant") throw new Error("an API key route reached without a merchant");
    return principal;
  };

  app.get(
    "/integration/api-keys",
    {
      preValidation: requireMerchant(authenticator),
      schema: {
        tags: ["API keys"],
        summary: "The merchant's API keys, newest first, with when each expires or was revoked (never a secret)",
        security: merchantSecurity,
        querystring: noQuery,
        response: { 200: apiKeyList, ...errorResponses },
      },
    },
    async (request) => {
      const principal = merchantOf(principalOf(request));
      const keys = await listApiKeys(services.db, principal.merchantId, services.now());
      return { apiKeys: keys.map((key) => view(key, principal.apiKey)) };
    },
  );

  app.post(
    "/integration/api-keys/rotate",
    {
      preValidation: requireMerchant(authenticator),
      schema: {
        tags: ["API keys"],
        summary:
          "Issue a new signing key; every other key keeps working for an hour, then only the new one works. " +
          "Sign it with the current key. The secret is shown only here",
        security: merchantSecurity,
        headers: idempotencyHeaders,
        response: { 200: issuedApiKey, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = merchantOf(principalOf(request));
      const issued = await runWrite(
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
      authenticator.forgetMerchant(principal.merchantId);
      return issued;
    },
  );

  app.post(
    "/integration/api-keys/:apiKey/revoke",
    {
      preValidation: requireMerchant(authenticator),
      schema: {
        tags: ["API keys"],
        summary:
          "Stop a key at once. Sign with another key: a key cannot revoke itself, and the last current key " +
          "cannot be revoked (rotate first)",
        security: merchantSecurity,
        headers: idempotencyHeaders,
        params: apiKeyParams,
        response: { 200: apiKeySummary, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = merchantOf(principalOf(request));
      const revoked = await runWrite(services, request, reply, idempotencyScope(principal), async (tx) => ({
        body: view(
          await revokeApiKey(tx, principal.merchantId, request.params.apiKey, principal.apiKey, services.now()),
          principal.apiKey,
        ),
      }));
      // after the commit: a request racing the revocation cannot cache the key as still live
      authenticator.forgetMerchant(principal.merchantId);
      return revoked;
    },
  );
};
