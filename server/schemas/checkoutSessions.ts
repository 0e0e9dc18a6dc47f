import { z } from "zod";
import { CHECKOUT_SESSION_STATUSES } from "../db/schema.js";
import { brandingResource } from "./branding.js";
import { permitKind } from "./chains.js";
import {
  accountAddress,
  checksummedAddress,
  customerId,
  freeText,
  httpUrl,
  isoDateTime,
  isoTime,
  text,
} from "./common.js";
import { planResource } from "./plans.js";
import { approvalSchema, subscriptionResource } from "./subscriptions.js";

/** A checkout session as its merchant sees it. */
export const checkoutSessionResource = z
  .object({
    id: z.string(),
    url: z.string().describe("The hosted checkout page for this session"),
    planId: z.string(),
    customerId: z.string(),
    successUrl: z.string(),
    cancelUrl: z.string(),
    lang: z.string(),
    expiresAt: isoTime,
    status: z.enum(CHECKOUT_SESSION_STATUSES),
    contractAddress: checksummedAddress.nullable(),
    createdAt: isoTime,
  })
  .meta({ id: "CheckoutSession" });
export type CheckoutSessionResource = z.infer<typeof checkoutSessionResource>;

/** What creating a session answers: where to send the payer. */
export const createdCheckoutSession = z.object({ id: z.string(), url: z.string(), expiresAt: z.string() });

export const checkoutSessionParams = z.strictObject({ id: text(64) });

export const createCheckoutSessionBody = z.strictObject({
  planId: text(64),
  customerId,
  successUrl: httpUrl.describe("Where the payer returns after subscribing (with sessionId, contractAddress, status)"),
  cancelUrl: httpUrl.describe("Where the payer returns if they give up"),
  lang: z.enum(["en", "es", "ru"]).default("en"),
  expiresInHours: z.number().int().min(1).max(720).default(24),
  metadata: freeText(4_096).optional(),
  maxPeriods: z.number().int().min(1).max(65_535).optional(),
  startFrom: isoDateTime.optional().describe("As for a subscription: a later first charge is a free trial"),
});
/** A new checkout session as a client sends it. */
export type NewCheckoutSession = z.input<typeof createCheckoutSessionBody>;

/** What the hosted checkout page shows, to whoever holds the session id. */
export const publicCheckoutSession = z
  .object({
    id: z.string(),
    status: checkoutSessionResource.shape.status,
    expiresAt: z.string(),
    lang: z.string(),
    successUrl: z.string(),
    cancelUrl: z.string(),
    maxPeriods: z.number().int(),
    startFrom: z
      .string()
      .nullable()
      .describe("When a subscription made now would be first charged, if later (a free trial); null: at activation"),
    merchant: z.object({ name: z.string() }),
    branding: brandingResource.describe("How the page presents the merchant"),
    payee: checksummedAddress.nullable().describe("Where the payments go; null until the merchant sets up this chain"),
    plan: planResource,
    chain: z.object({ chainId: z.number().int(), name: z.string(), explorerUrl: z.string().nullable() }),
    token: z.object({
      code: z.string(),
      address: checksummedAddress,
      decimals: z.number().int(),
      permit: z.boolean(),
      permitKind,
      approveZeroFirst: z.boolean(),
    }),
    subscription: subscriptionResource.nullable(),
    approval: approvalSchema.nullable(),
  })
  .meta({ id: "PublicCheckoutSession" });
export type PublicCheckoutSession = z.infer<typeof publicCheckoutSession>;

export const sessionDraftBody = z.strictObject({ payer: accountAddress });

/**
 * The session's draft with what the wallet must approve: a {@link draftResource}, described in the document in
 * place rather than by name.
 */
export const sessionDraft = subscriptionResource.extend({ approval: approvalSchema });
