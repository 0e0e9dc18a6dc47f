import type { ChainRegistry } from "../chain/ChainRegistry.js";
import type { charges, checkoutSessions, plans, subscriptions } from "../db/schema.js";
import type { ChargeResource } from "../schemas/charges.js";
import type { CheckoutSessionResource } from "../schemas/checkoutSessions.js";
import type { PlanResource } from "../schemas/plans.js";
import type { SubscriptionResource } from "../schemas/subscriptions.js";
import { formatMoney } from "./money.js";

/*
 * Database rows as the API returns them and webhooks carry them (the shapes are in `server/schemas/`): money as a
 * decimal string with a token code ("9.99 USDC"), times as ISO 8601 strings, addresses checksummed.
 */

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
