import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Address } from "viem";
import { z } from "zod";
import { notFound } from "../../../server/http/ApiError.js";
import {
  activateBody,
  draftResource,
  subscriptionResource,
  subscriptionWithCharges,
} from "../../../server/schemas/subscriptions.js";
import { addressParams, idempotencyHeaders, page, statusIn } from "./requestSchemas.js";
import { requireWallet, type WalletSession, walletSessionOf } from "./requireWallet.js";
import type { WebRouteOptions } from "./WebRouteOptions.js";

/** The payer's subscriptions, each with its plan's name: the portal titles each one by what was bought. */
export const payerSubscriptionList = z.object({
  subscriptions: z.array(
    subscriptionResource.extend({
      planName: z.string().nullable().describe("The plan's name; null when the merchant's platform no longer has it"),
    }),
  ),
});
/** One of the signed-in payer's subscriptions as the portal lists it. */
export type PayerSubscription = z.infer<typeof payerSubscriptionList>["subscriptions"][number];

/**
 * What a signed-in payer may do, and nothing else: list active plans (public, elsewhere), create a draft for their
 * own wallet, activate their own draft, list, read and cancel their own subscriptions. The customer id and the
 * payer are always the signed-in address, never taken from the request. A draft is created with that customer's
 * token, so the platform too refuses anything else; the rest is asked as the merchant, for the subscriptions whose
 * payer is the signed-in wallet, however they were made (here, through a hosted checkout session, or by the
 * merchant's own backend under its own customer id).
 */
export const payerRoutes: FastifyPluginAsyncZod<WebRouteOptions> = async (app, { sessions, platform, idempotency }) => {
  app.addHook("preHandler", requireWallet(sessions));

  /**
   * The subscription at `address` if the signed-in wallet pays it; anyone else's is answered exactly like one that
   * does not exist.
   */
  const own = (session: WalletSession, address: Address) =>
    platform.subscriptionIf(
      address,
      (subscription) => subscription.payer === session.wallet.address,
      notFound(`No subscription ${address} of yours`),
    );

  app.post(
    "/subscriptions",
    {
      schema: {
        headers: idempotencyHeaders,
        body: z.strictObject(
          {
            planId: z.string().min(1).max(64),
            startFrom: z.string().max(64).optional().describe("ISO 8601: a later first charge (a free trial)"),
            maxPeriods: z.number().int().optional(),
          },
          {
            error: (issue) =>
              issue.code === "unrecognized_keys"
                ? `unknown field ${issue.keys.join(", ")}: a subscription is always for the signed-in wallet, so send only planId, startFrom and maxPeriods`
                : undefined,
          },
        ),
        response: { 200: draftResource },
      },
    },
    async (request) => {
      const session = walletSessionOf(request);
      const { address } = session.wallet;
      const customer = await platform.asCustomer(address);
      return customer.createSubscription(
        { ...request.body, customerId: address, payer: address },
        idempotency.of(request, "payer"),
      );
    },
  );

  app.get(
    "/subscriptions",
    {
      schema: {
        querystring: z.strictObject({ statusIn, ...page }),
        response: { 200: payerSubscriptionList },
      },
    },
    async (request) => {
      const { address } = walletSessionOf(request).wallet;
      const { subscriptions } = await platform.merchant.listSubscriptions({ ...request.query, payer: address });
      const planIds = [...new Set(subscriptions.map((subscription) => subscription.planId))];
      const names = new Map(await Promise.all(planIds.map(async (id) => [id, await platform.planName(id)] as const)));
      return {
        subscriptions: subscriptions.map((subscription) => ({
          ...subscription,
          planName: names.get(subscription.planId) ?? null,
        })),
      };
    },
  );

  app.get(
    "/subscriptions/:address",
    {
      schema: {
        params: addressParams,
        response: { 200: subscriptionWithCharges },
      },
    },
    async (request) => own(walletSessionOf(request), request.params.address),
  );

  app.post(
    "/subscriptions/:address/activate",
    {
      schema: {
        headers: idempotencyHeaders,
        params: addressParams,
        body: activateBody,
        response: { 200: subscriptionResource },
      },
    },
    async (request) => {
      const subscription = await own(walletSessionOf(request), request.params.address);
      return platform.merchant.activateSubscription(
        subscription.contractAddress,
        request.body?.permit,
        idempotency.of(request, "payer"),
      );
    },
  );

  app.post(
    "/subscriptions/:address/cancel",
    { schema: { headers: idempotencyHeaders, params: addressParams, response: { 200: subscriptionResource } } },
    async (request) => {
      const subscription = await own(walletSessionOf(request), request.params.address);
      // the platform lets only the merchant ask for a cancel: this server asks for it once the payer is proven owner
      return platform.merchant.cancelSubscription(subscription.contractAddress, idempotency.of(request, "payer"));
    },
  );
};
