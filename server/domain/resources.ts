import { z } from "zod";
import type { ChainRegistry } from "../chain/ChainRegistry.js";
import {
  CHARGE_STATUSES,
  CHECKOUT_SESSION_STATUSES,
  type charges,
  type checkoutSessions,
  PLAN_STATUSES,
  type plans,
  SUBSCRIPTION_STATUSES,
  type subscriptions,
} from "../db/schema.js";
import { formatMoney } from "./money.js";

/*
 * The shapes the API returns and webhooks carry, SmartyPay-compatible: money is a decimal string with a token code
 * ("9.99 USDC"), times are ISO 8601 strings, addresses are checksummed.
 */

const money = z.string().describe('Decimal amount and token code, e.g. "9.99 USDC"');
const isoTime = z.string().describe("ISO 8601 date-time");
const address = z.string().describe("0x-prefixed, checksummed address");

export const planResource = z
  .object({
    id: z.string(),
    companyId: z.number().int().describe("The merchant's number (a number, as SmartyPay's clients expect)"),
    name: z.string(),
    description: z.string(),
    amount: money,
    asset: z.string().describe("Token code"),
    blockchain: z.string().describe("Chain name"),
    periodSeconds: z.number().int(),
    gracePeriodSeconds: z.number().int(),
    maxPeriods: z.number().int().describe("Charges a new subscription allows unless it asks for another number"),
    createdAt: isoTime,
    status: z.enum(PLAN_STATUSES),
    tags: z.array(z.string()),
  })
  .meta({ id: "Plan" });
export type PlanResource = z.infer<typeof planResource>;

export const subscriptionResource = z
  .object({
    contractAddress: address.describe("The subscription contract's address (known before it is deployed)"),
    planId: z.string(),
    amount: money,
    asset: z.string(),
    blockchain: z.string(),
    customerId: z.string(),
    payer: address,
    payee: address,
    periodSeconds: z.number().int(),
    maxPeriods: z.number().int(),
    periodsCharged: z.number().int(),
    startFrom: isoTime
      .nullable()
      .describe(
        "When the first period starts. Later than activation: a free trial until then. For a subscription that " +
          "starts at activation (its terms' startAt is 0): null until it is activated, then the activation's time",
      ),
    activateBy: isoTime.describe("After this the draft can no longer be activated"),
    nextChargeAt: isoTime.nullable(),
    createdAt: isoTime,
    metadata: z.string().nullable(),
    status: z.enum(SUBSCRIPTION_STATUSES),
    statusReason: z.string().nullable(),
    allowance: money.nullable().describe("The payer's allowance for the contract as last read from the chain"),
  })
  .meta({ id: "Subscription" });
export type SubscriptionResource = z.infer<typeof subscriptionResource>;

export const chargeResource = z
  .object({
    id: z.string(),
    contractAddress: address,
    periodIndex: z.number().int().describe("1 for the first charge"),
    amount: money,
    chargeDate: isoTime,
    status: z.enum(CHARGE_STATUSES),
    txHash: z.string().nullable(),
  })
  .meta({ id: "Charge" });
export type ChargeResource = z.infer<typeof chargeResource>;

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
    contractAddress: address.nullable(),
    createdAt: isoTime,
  })
  .meta({ id: "CheckoutSession" });
export type CheckoutSessionResource = z.infer<typeof checkoutSessionResource>;

function tokenOf(registry: ChainRegistry, code: string) {
  const found = registry.token(code);
  if (!found) throw new Error(`token ${code} is no longer in the chain registry`);
  return found;
}

/** A plan as the API shows it; `companyId` is its merchant's number (see {@link companyIdOf}). */
export function toPlanResource(
  row: typeof plans.$inferSelect,
  registry: ChainRegistry,
  companyId: number,
): PlanResource {
  const { token, chain } = tokenOf(registry, row.tokenCode);
  return {
    id: row.id,
    companyId,
    name: row.name,
    description: row.description,
    amount: formatMoney(row.amount, token),
    asset: token.code,
    blockchain: chain.name,
    periodSeconds: row.periodSeconds,
    gracePeriodSeconds: row.gracePeriodSeconds,
    maxPeriods: row.maxPeriods,
    createdAt: row.createdAt.toISOString(),
    status: row.status,
    tags: row.tags,
  };
}

export function toSubscriptionResource(
  row: typeof subscriptions.$inferSelect,
  registry: ChainRegistry,
): SubscriptionResource {
  const { token, chain } = tokenOf(registry, row.tokenCode);
  return {
    contractAddress: row.contractAddress,
    planId: row.planId,
    amount: formatMoney(row.amount, token),
    asset: token.code,
    blockchain: chain.name,
    customerId: row.customerId,
    payer: row.payer,
    payee: row.payee,
    periodSeconds: row.periodSeconds,
    maxPeriods: row.maxPeriods,
    periodsCharged: row.periodsCharged,
    startFrom: row.startAt.getTime() === 0 ? (row.startedAt?.toISOString() ?? null) : row.startAt.toISOString(),
    activateBy: row.activateBy.toISOString(),
    nextChargeAt: row.nextChargeAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    metadata: row.metadata,
    status: row.status,
    statusReason: row.statusReason,
    allowance: row.allowance === null ? null : formatMoney(row.allowance, token),
  };
}

export function toChargeResource(
  row: typeof charges.$inferSelect,
  tokenCode: string,
  registry: ChainRegistry,
): ChargeResource {
  return {
    id: row.id,
    contractAddress: row.contractAddress,
    periodIndex: row.periodIndex,
    amount: formatMoney(row.amount, tokenOf(registry, tokenCode).token),
    chargeDate: row.chargeDate.toISOString(),
    status: row.status,
    txHash: row.txHash,
  };
}

export function toCheckoutSessionResource(
  row: typeof checkoutSessions.$inferSelect,
  checkoutUrl: string,
): CheckoutSessionResource {
  return {
    id: row.id,
    url: new URL(row.id, checkoutUrl.endsWith("/") ? checkoutUrl : `${checkoutUrl}/`).toString(),
    planId: row.planId,
    customerId: row.customerId,
    successUrl: row.successUrl,
    cancelUrl: row.cancelUrl,
    lang: row.lang,
    expiresAt: row.expiresAt.toISOString(),
    status: row.status,
    contractAddress: row.contractAddress,
    createdAt: row.createdAt.toISOString(),
  };
}
