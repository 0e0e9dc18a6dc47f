import { randomInt } from "node:crypto";
import { and, asc, desc, eq, inArray, type SQL } from "drizzle-orm";
import { type Address, getAddress } from "viem";
import { addressProblem } from "../chain/addressSchema.js";
import type { ChainConfig, TokenConfig } from "../chain/ChainRegistry.js";
import { predictSubscriptionAddress, type SubscriptionTerms } from "../chain/predictSubscriptionAddress.js";
import type { Queryable } from "../db/openDatabase.js";
import { merchantChains, type SubscriptionAction, type SubscriptionStatus, subscriptions } from "../db/schema.js";
import type { Approval, PermitSignature } from "../schemas/subscriptions.js";
import {
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  PlanNotActiveError,
  SubscriptionStatusError,
} from "./errors.js";
import { formatMoney } from "./money.js";
import { getPlan } from "./plans.js";
import type { Services } from "./Services.js";
import { decide } from "./subscriptionStatus.js";
import { suggestedAllowance } from "./suggestedAllowance.js";
import { termsStartAt } from "./termsStartAt.js";
import { recordStatusChanged, updateSubscription } from "./updateSubscription.js";

type SubscriptionRow = typeof subscriptions.$inferSelect;

/** Whose subscriptions a caller may see: a merchant's, or one customer's of that merchant. */
export interface SubscriptionScope {
  merchantId: string;
  customerId?: string | undefined;
}

export interface DraftInput {
  planId: string;
  customerId: string;
  payer: string;
  /**
   * The first charge: a later time is a free trial until then; none, a past time or one within a minute of now
   * charges the first period at activation (see {@link termsStartAt}).
   */
  startFrom?: Date | undefined;
  metadata?: string | undefined;
  maxPeriods?: number | undefined;
  checkoutSessionId?: string | undefined;
}

/** A draft's terms as the contract takes them (times in unix seconds). */
export function termsOf(row: SubscriptionRow): SubscriptionTerms {
  return {
    token: row.tokenAddress,
    payer: row.payer,
    payee: row.payee,
    operator: row.operator,
    amount: row.amount,
    period: row.periodSeconds,
    startAt: Math.floor(row.startAt.getTime() / 1000),
    maxPeriods: row.maxPeriods,
    activateBy: Math.floor(row.activateBy.getTime() / 1000),
    salt: row.salt,
  };
}

/** The approval a wallet should give for `row`. */
export function approvalFor(row: SubscriptionRow, chain: ChainConfig, token: TokenConfig): Approval {
  const terms = termsOf(row);
  const allowance = suggestedAllowance(row.amount, row.maxPeriods);
  return {
    chainId: chain.chainId,
    blockchain: chain.name,
    factory: chain.factory,
    token: token.address,
    tokenCode: token.code,
    decimals: token.decimals,
    spender: row.contractAddress,
    suggestedAllowance: allowance.toString(),
    suggestedAllowanceAmount: formatMoney(allowance, token),
    permit: token.permit,
    approveZeroFirst: token.approveZeroFirst,
    terms: Object.fromEntries(Object.entries(terms).map(([key, value]) => [key, String(value)])) as Approval["terms"],
  };
}

function chainAndToken(services: Services, code: string) {
  const found = services.config.chains.token(code);
  if (!found) throw new Error(`token ${code} is no longer in the chain registry`);
  return found;
}

/**
 * Creates a `Draft` subscription from an active plan: snapshots the plan's terms, picks a salt, and computes the
 * contract address the factory will deploy it to. Nothing touches the chain until the payer approves that address.
 */
export async function createDraft(tx: Queryable, services: Services, merchantId: string, input: DraftInput) {
  const plan = await getPlan(tx, merchantId, input.planId);
  if (plan.status !== "Active") throw new PlanNotActiveError(plan.id, plan.status);
  const { chain, token } = chainAndToken(services, plan.tokenCode);
  const [accounts] = await tx
    .select()
    .from(merchantChains)
    .where(and(eq(merchantChains.merchantId, merchantId), eq(merchantChains.chainId, chain.chainId)));
  if (!accounts) {
    throw new ConflictError(
      `No payout address and gas wallet are configured for ${chain.name}: configure them for this merchant first`,
    );
  }
  // the API's schema checks this too; every other caller (checkout sessions, scripts) meets the same rule here
  const problem = addressProblem(input.payer, { zero: "refuse" });
  if (problem !== undefined) {
    throw new InvalidRequestError(`Invalid body: body.payer: ${problem.message}`, [
      { path: "body.payer", message: problem.message },
    ]);
  }
  const payer = getAddress(input.payer);
  if (payer === accounts.payoutAddress) {
    throw new InvalidRequestError("The payer cannot be the merchant's own payout address", [
      { path: "body.payer", message: "equals the payee" },
    ]);
  }
  const now = services.now();
  // 0, "at activation", unless a trial was asked for: never an estimate of the chain's clock
  const startAt = termsStartAt(input.startFrom, now);
  // the contract judges the activation deadline by the chain's clock
  const chainNow = services.chainClock(chain.chainId).nowSeconds();
  const activateBy = new Date((chainNow + services.config.draftLifetimeSeconds) * 1000);

  // a salt collision with another draft's identical terms is astronomically unlikely; pick again if it happens
  for (let attempt = 0; attempt < 3; attempt++) {
    const salt = randomInt(0, 2 ** 32 - 1);
    const terms: SubscriptionTerms = {
      token: token.address,
      payer,
      payee: accounts.payoutAddress,
      operator: accounts.gasWalletAddress,
      amount: plan.amount,
      period: plan.periodSeconds,
      startAt,
      maxPeriods: input.maxPeriods ?? plan.maxPeriods,
      activateBy: Math.floor(activateBy.getTime() / 1000),
      salt,
    };
    const [row] = await tx
      .insert(subscriptions)
      .values({
        contractAddress: predictSubscriptionAddress(chain.factory, terms),
        merchantId,
        planId: plan.id,
        customerId: input.customerId,
        chainId: chain.chainId,
        tokenCode: token.code,
        tokenAddress: token.address,
        payer,
        payee: terms.payee,
        operator: terms.operator,
        amount: plan.amount,
        periodSeconds: plan.periodSeconds,
        gracePeriodSeconds: plan.gracePeriodSeconds,
        startAt: new Date(terms.startAt * 1000),
        maxPeriods: terms.maxPeriods,
        activateBy,
        salt,
        status: "Draft",
        metadata: input.metadata ?? null,
        checkoutSessionId: input.checkoutSessionId ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) continue;
    await recordStatusChanged(tx, services, row, now);
    return { subscription: row, approval: approvalFor(row, chain, token) };
  }
  throw new Error("could not find a free subscription address in 3 attempts");
}

/** The subscription at `contractAddress` within `scope`, locked for update when asked. */
export async function getSubscription(
  tx: Queryable,
  scope: SubscriptionScope,
  contractAddress: string,
  options: { forUpdate?: boolean } = {},
): Promise<SubscriptionRow> {
  let address: Address;
  try {
    address = getAddress(contractAddress);
  } catch {
    throw new NotFoundError("subscription", contractAddress);
  }
  const conditions: SQL[] = [
    eq(subscriptions.contractAddress, address),
    eq(subscriptions.merchantId, scope.merchantId),
  ];
  if (scope.customerId !== undefined) conditions.push(eq(subscriptions.customerId, scope.customerId));
  const query = tx
    .select()
    .from(subscriptions)
    .where(and(...conditions));
  const [row] = options.forUpdate ? await query.for("update") : await query;
  if (!row) throw new NotFoundError("subscription", contractAddress);
  return row;
}

/** Subscriptions matching the filter, newest first (ties broken by address, so pages are stable). */
export async function listSubscriptions(
  tx: Queryable,
  scope: SubscriptionScope,
  filter: {
    customerId?: string | undefined;
    payer?: string | undefined;
    statuses?: readonly SubscriptionStatus[] | undefined;
    limit: number;
    offset: number;
  },
) {
  const conditions: SQL[] = [eq(subscriptions.merchantId, scope.merchantId)];
  // a customer only ever sees their own, whatever filter they send
  const customerId = scope.customerId ?? filter.customerId;
  if (customerId !== undefined) conditions.push(eq(subscriptions.customerId, customerId));
  if (filter.payer !== undefined) conditions.push(eq(subscriptions.payer, getAddress(filter.payer)));
  if (filter.statuses !== undefined) conditions.push(inArray(subscriptions.status, [...filter.statuses]));
  return tx
    .select()
    .from(subscriptions)
    .where(and(...conditions))
    .orderBy(desc(subscriptions.createdAt), asc(subscriptions.contractAddress))
    .limit(filter.limit)
    .offset(filter.offset);
}

/**
 * Asks for on-chain work on a subscription: moves it to the matching `Pending*` status and records the request
 * for the worker. Asking again for what is already under way or done changes nothing. A draft cancels at once
 * (it is not on chain).
 */
export async function requestAction(
  tx: Queryable,
  services: Services,
  scope: SubscriptionScope,
  contractAddress: string,
  action: SubscriptionAction,
  permit?: PermitSignature,
): Promise<SubscriptionRow> {
  const row = await getSubscription(tx, scope, contractAddress, { forUpdate: true });
  const transition = decide(row.status, action);
  if (transition.kind === "stay") return row;
  if (transition.kind === "refuse") {
    throw new SubscriptionStatusError(row.contractAddress, row.status, row.statusReason, action);
  }
  if (transition.request === "activate" && services.chainClock(row.chainId).now() > row.activateBy) {
    throw new ConflictError(
      `Draft ${row.contractAddress} expired at ${row.activateBy.toISOString()}: create a new draft and approve it`,
    );
  }
  return (await updateSubscription(tx, services, row, { event: action, params: permit })).row;
}
