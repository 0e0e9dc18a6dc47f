import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorResponse } from "../requests.js";
import type { RouteOptions } from "./routeSupport.js";

export const publicChain = z
  .object({
    chainId: z.number().int(),
    name: z.string().describe("The `blockchain` code used in the API"),
    factory: z.string().describe("The SubscriptionFactory's address"),
    confirmations: z.number().int().describe("Blocks after which the platform treats a block as final"),
    explorerUrl: z.string().nullable(),
    tokens: z.array(
      z.object({
        code: z.string(),
        address: z.string(),
        decimals: z.number().int(),
        permit: z.boolean().describe("Supports EIP-2612 permits"),
        approveZeroFirst: z.boolean().describe("Needs its allowance set to 0 before another non-zero value"),
      }),
    ),
  })
  .meta({ id: "Chain" });
export type PublicChain = z.infer<typeof publicChain>;

/**
 * The chains and tokens this deployment bills on: public facts a wallet or a merchant's tools need. RPC URLs are
 * left out, since they often carry an API key.
 */
export const chainRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { services }) => {
  app.get(
    "/chains",
    {
      schema: {
        tags: ["Chains"],
        summary: "The chains and tokens this deployment bills on (public)",
        querystring: z.strictObject({}),
        response: { 200: z.object({ chains: z.array(publicChain) }), 400: errorResponse, 429: errorResponse },
      },
    },
    async () => ({
      chains: services.config.chains.chains.map((chain) => ({
        chainId: chain.chainId,
        name: chain.name,
        factory: chain.factory,
        confirmations: chain.confirmations,
        explorerUrl: chain.explorerUrl ?? null,
        tokens: chain.tokens
          .filter((token) => !token.feeOnTransfer)
          .map(({ code, address, decimals, permit, approveZeroFirst }) => ({
            code,
            address,
            decimals,
            permit,
            approveZeroFirst,
          })),
      })),
    }),
  );
};
