import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../../../server/http/ApiError.js";
import { planList, planWithPayee } from "../../../server/schemas/plans.js";
import type { WebRouteOptions } from "./WebRouteOptions.js";

/** The merchant's Active plans: public, so a visitor sees the terms before connecting any wallet. */
export const planRoutes: FastifyPluginAsyncZod<WebRouteOptions> = async (app, { platform }) => {
  app.get("/plans", { schema: { response: { 200: planList } } }, async () => ({
    plans: await platform.activePlans(),
  }));

  app.get(
    "/plans/:id",
    {
      schema: {
        params: z.strictObject({ id: z.string().min(1).max(64) }),
        response: { 200: planWithPayee },
      },
    },
    async (request) => {
      // drafts and archived plans are the merchant's business: to a visitor they do not exist
      const plan = (await platform.activePlans()).find((candidate) => candidate.id === request.params.id);
      if (!plan) throw notFound(`No active plan ${request.params.id}`);
      return { ...plan, payee: await platform.payeeOn(plan.blockchain) };
    },
  );
};
