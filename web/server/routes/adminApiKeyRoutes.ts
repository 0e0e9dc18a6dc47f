import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { type ApiKeyView, apiKeyParams, apiKeySummary } from "../../../server/schemas/apiKeys.js";
import { idempotencyHeaders } from "./requestSchemas.js";
import { requireAdmin } from "./requireWallet.js";
import type { WebRouteOptions } from "./WebRouteOptions.js";

/**
 * An API key as the admin page shows it. This site's own key (the one the platform says signed the request) is
 * named only by a shortened label and cannot be revoked from here: its id, like its secret, never reaches a browser.
 */
export const siteApiKey = apiKeySummary.omit({ apiKey: true, signsThisRequest: true }).extend({
  apiKey: z.string().nullable().describe("null for this site's own key"),
  label: z.string().describe("The key shortened, for people: rk_AbCd…"),
  thisSite: z.boolean().describe("The key this site signs with"),
});
export type SiteApiKey = z.infer<typeof siteApiKey>;

function forBrowser({ apiKey, signsThisRequest, ...rest }: ApiKeyView): SiteApiKey {
  return {
    ...rest,
    apiKey: signsThisRequest ? null : apiKey,
    label: `${apiKey.slice(0, 7)}…`,
    thisSite: signsThisRequest,
  };
}

/**
 * The merchant's API keys on the admin page, for the admin wallets only (under `/api/admin`, like the other admin
 * routes): listed, and revoked at once.
 */
export const adminApiKeyRoutes: FastifyPluginAsyncZod<WebRouteOptions> = async (
  app,
  { sessions, platform, idempotency },
) => {
  const merchant = platform.merchant;
  app.addHook("preHandler", requireAdmin(sessions));

  app.get("/api-keys", { schema: { response: { 200: z.object({ apiKeys: z.array(siteApiKey) }) } } }, async () => ({
    apiKeys: (await merchant.listApiKeys()).apiKeys.map(forBrowser),
  }));

  app.post(
    "/api-keys/:apiKey/revoke",
    {
      schema: {
        headers: idempotencyHeaders,
        params: apiKeyParams,
        response: { 200: siteApiKey },
      },
    },
    async (request) => forBrowser(await merchant.revokeApiKey(request.params.apiKey, idempotency.of(request, "admin"))),
  );
};
