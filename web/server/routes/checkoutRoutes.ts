import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Address } from "viem";
import { z } from "zod";
import { notFound } from "../../../server/http/ApiError.js";
import {
  activateBody,
  draftResource,
  type SubscriptionResource,
  subscriptionResource,
  subscriptionWithCharges,
} from "../../../server/schemas/subscriptions.js";
import { address, addressParams } from "./requestSchemas.js";
import type { WebRouteOptions } from "./WebRouteOptions.js";

/*
 * The site's checkout, with no sign-in: a draft binds nothing until its payer approves (or permits) its own contract
 * address, so creating one needs no proof of the address, and the payer's wallet asks for one thing only, the
 * approval. The platform's hosted checkout page works the same way. These routes reach only the subscriptions this
 * checkout makes: those whose customer id is their payer's address.
 */

/** A subscription this checkout made; anything else (another customer id: the merchant's own) is not found. */
const checkoutSubscription = (platform: WebRouteOptions["platform"], contractAddress: Address) =>
  platform.subscriptionIf(
    contractAddress,
    (subscription) => subscription.customerId === subscription.payer,
    notFound(`No checkout subscription ${contractAddress}: start again from the plan`),
  );

/** What a visitor may read of a checkout subscription: its terms and status, never the merchant's metadata. */
const publicView = <T extends SubscriptionResource>(subscription: T): T => ({ ...subscription, metadata: null });

/**
 * `POST /subscriptions`: a draft of an Active plan for the wallet named in the body, as that wallet's customer.
 * Registered where the rate limit is as strict as sign-in's: each draft is a row in the platform's database.
 */
export const checkoutDraftRoutes: FastifyPluginAsyncZod<WebRouteOptions> = async (app, { platform }) => {
  app.post(
    "/subscriptions",
    {
      schema: {
        body: z.strictObject(
          { planId: z.string().min(1).max(64), payer: address },
          {
            error: (issue) =>
              issue.code === "unrecognized_keys"
                ? `unknown field ${issue.keys.join(", ")}: send only planId and payer (the wallet that will approve)`
                : undefined,
          },
        ),
        response: { 200: draftResource },
      },
    },
    async (request) => {
      const { planId, payer } = request.body;
      const customer = await platform.asCustomer(payer);
      return customer.createSubscription({ planId, customerId: payer, payer });
    },
  );
};

/**
 * `GET /subscriptions/:address` (the checkout follows its draft to Active) and `POST /subscriptions/:address/activate`
 * (after the approval, or with the permit the payer signed). Activation moves only the payer's money the payer
 * approved to this very address, so the address is all a caller needs.
 */
export const checkoutRoutes: FastifyPluginAsyncZod<WebRouteOptions> = async (app, { platform }) => {
  app.get(
    "/subscriptions/:address",
    // with its charges: the success step's receipt (what the chain shows anyone of this address anyway)
    { schema: { params: addressParams, response: { 200: subscriptionWithCharges } } },
    async (request) => publicView(await checkoutSubscription(platform, request.params.address)),
  );

  app.post(
    "/subscriptions/:address/activate",
    { schema: { params: addressParams, body: activateBody, response: { 200: subscriptionResource } } },
    async (request) => {
      const subscription = await checkoutSubscription(platform, request.params.address);
      return publicView(
        await platform.merchant.activateSubscription(subscription.contractAddress, request.body?.permit),
      );
    },
  );
};
