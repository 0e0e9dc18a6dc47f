import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { chainList } from "../../schemas/chains.js";
import { noQuery } from "../../schemas/common.js";
import { errorResponse } from "../../schemas/errors.js";
import type { RouteOptions } from "./routeSupport.js";

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
        querystring: noQuery,
        response: { 200: chainList, 400: errorResponse, 429: errorResponse },
      },
    },
    async () => ({
      chains: services.config.chains.chains.map((chain) => ({
        chainId: chain.chainId,
        name: chain.name,
        factory: chain.factory,
        smartAccountFactory: chain.smartAccountFactory ?? null,
        confirmations: chain.confirmations,
        explorerUrl: chain.explorerUrl ?? null,
        tokens: chain.tokens
          .filter((token) => !token.feeOnTransfer)
          .map(({ code, address, decimals, permit, permitKind, approveZeroFirst }) => ({
            code,
            address,
            decimals,
            permit,
            permitKind,
            approveZeroFirst,
          })),
      })),
    }),
  );
};
