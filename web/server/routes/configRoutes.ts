import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { brandingResource } from "../../../server/schemas/branding.js";
import { publicChain } from "../../../server/schemas/chains.js";
import type { WebRouteOptions } from "./WebRouteOptions.js";

const siteConfig = z.object({
  chains: z.array(
    publicChain
      .pick({ chainId: true, name: true, explorerUrl: true, factory: true, smartAccountFactory: true, tokens: true })
      .extend({
        rpcUrl: z.string().describe("The RPC URL the browser's wallet library uses"),
      }),
  ),
  platformUrl: z.string().describe("Where the hosted checkout page reaches the platform's public routes"),
  walletConnectProjectId: z.string().nullable(),
  adminEnabled: z.boolean(),
  branding: brandingResource.nullable().describe("How the pages present the merchant; null while unavailable"),
});

/** What the browser app needs before it can do anything: health, and the chains, URLs and switches it runs with. */
export const configRoutes: FastifyPluginAsyncZod<WebRouteOptions> = async (app, { config, platform }) => {
  app.get("/health", { schema: { response: { 200: z.object({ ok: z.literal(true) }) } } }, async () => ({
    ok: true as const,
  }));

  app.get("/config", { schema: { response: { 200: siteConfig } } }, async (request) => {
    // the branding dresses the pages up: without it they still work, so its failure fails nothing
    const branding = platform.branding().catch((error: unknown) => {
      request.log.warn({ err: error }, "the merchant's branding could not be read");
      return null;
    });
    // the platform's chains that this site has an RPC URL for: a wallet can do nothing on the others
    const chains = (await platform.chains()).flatMap((chain) => {
      const rpcUrl = config.rpcUrls.get(chain.chainId);
      return rpcUrl ? [{ ...chain, rpcUrl }] : [];
    });
    return {
      chains,
      platformUrl: config.publicPlatformUrl,
      walletConnectProjectId: config.walletConnectProjectId,
      adminEnabled: config.adminAddresses.length > 0,
      branding: await branding,
    };
  });
};
