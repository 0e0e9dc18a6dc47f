import { randomInt } from "node:crypto";
import { and, asc, desc, eq, getTableColumns, inArray, type Placeholder, type SQL, sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { type Address, getAddress } from "viem";
import { addressProblem } from "../chain/addressSchema.js";
import type { ChainConfig, TokenConfig } from "../chain/ChainRegistry.js";
import { predictSubscriptionAddress, type SubscriptionTerms } from "../chain/predictSubscriptionAddress.js";
import type { Queryable } from "../db/openDatabase.js";
import {
  merchantChains,
  plans,
  type SubscriptionAction,
  type SubscriptionStatus,
  subscriptions,
} from "../db/schema.js";
import type { Approval, PermitSignature } from "../schemas/subscriptions.js";
import {
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  PlanNotActiveError,
  SubscriptionStatusError,
} from "./errors.js";
import { formatMoney } from "./money.js";
import { insertRows, OUTBOX_ROW_COLUMNS, outboxRow } from "./recordEvent.js";
import type { Services } from "./Services.js";
import { decide } from "./subscriptionStatus.js";
import { suggestedAllowance } from "./suggestedAllowance.js";
import { termsStartAt } from "./termsStartAt.js";
import { statusChanged, updateSubscription } from "./updateSubscription.js";

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
    permitKind: token.permitKind,
    approveZeroFirst: token.approveZeroFirst,
    terms: Object.fromEntries(Object.entries(terms).map(([key, value]) => [key, String(value)])) as Approval["terms"],
  };
}

/**
 * Refuses a permit of a kind the token cannot take, before any gas is spent on it. A token that takes bytes
 * signatures (USDC) takes the split form too. The form without `kind` is left to the chain, as it always was: an
 * activation whose permit fails still goes ahead on an allowance given otherwise.
 */
function refuseForeignPermit(token: TokenConfig, permit: PermitSignature): void {
  if (permit.kind === undefined || permit.kind === token.permitKind) return;
  if (permit.kind === "eip2612" && token.permitKind === "eip2612-bytes") return;
  const takes = token.permitKind ? `takes ${token.permitKind} permits` : "takes no permits: approve it instead";
  const message = `A ${permit.kind} permit cannot activate a subscription in ${token.code}, which ${takes}`;
  throw new InvalidRequestError(message, [{ path: "body.permit.kind", message }]);
}

function chainAndToken(services: Services, code: string) {
  const found = services.config.chains.token(code);
  if (!found) throw new Error(`token ${code} is no longer in the chain registry`);
  return found;
}

/**
 * What a new draft holds in the columns its insert leaves out: their defaults. (A prepared statement's placeholder
 * cannot take a null for a column that converts its values, a time; these are the columns a draft leaves empty.)
 */
const UNSET_IN_A_DRAFT = {
  statusReason: null,
  periodsCharged: 0,
  startedAt: null,
  nextChargeAt: null,
  allowance: null,
  dueSince: null,
  chargeAttempts: 0,
  retryAt: null,
  remindedFor: null,
  leaseUntil: null,
  leaseOwner: null,
} as const satisfies Partial<SubscriptionRow>;

/** The columns a draft's insert writes. */
type DraftValues = Omit<SubscriptionRow, keyof typeof UNSET_IN_A_DRAFT>;
const DRAFT_COLUMNS = Object.keys(getTableColumns(subscriptions)).filter(
  (column) => !(column in UNSET_IN_A_DRAFT),
) as (keyof DraftValues)[];

/** The placeholders of the event's columns in the draft's insert carry this prefix (the row's carry none). */
const EVENT = "event_";

function placeholders<K extends string>(keys: readonly K[], prefix = ""): Record<K, Placeholder> {
  return Object.fromEntries(keys.map((key) => [key, sql.placeholder(`${prefix}${key}`)])) as Record<K, Placeholder>;
}

function prefixed<T extends object>(prefix: string, values: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}${key}`, value]));
}

function buildDraftStatements(q: Queryable) {
  const plan = q
    .select({ plan: plans, accounts: merchantChains })
    .from(plans)
    .leftJoin(
      merchantChains,
      and(eq(merchantChains.merchantId, plans.merchantId), eq(merchantChains.chainId, plans.chainId)),
    )
    .where(and(eq(plans.id, sql.placeholder("planId")), eq(plans.merchantId, sql.placeholder("merchantId"))))
    .prepare("draft_plan");
  const event = q.$with("event").as(insertRows(q, [placeholders(OUTBOX_ROW_COLUMNS, EVENT)]));
  const insert = q.with(event).insert(subscriptions).values(placeholders(DRAFT_COLUMNS)).prepare("draft_insert");
  return { plan, insert };
}

const preparedDrafts = new WeakMap<Queryable, ReturnType<typeof buildDraftStatements>>();

/**
 * {@link createDraft}'s statements, prepared: a draft is the API's busiest write, and each statement is a round trip
 * that costs the server (building the query) and the database (planning it) more than the work itself (see
 * `npm run bench:api`). On the database they are built once; in a caller's transaction (a checkout session's) they
 * are built for it, as a prepared statement belongs to the connection it was made on.
 */
function draftStatements(q: Queryable) {
  if (q instanceof PgTransaction) return buildDraftStatements(q);
  let statements = preparedDrafts.get(q);
  if (!statements) {
    statements = buildDraftStatements(q);
    preparedDrafts.set(q, statements);
  }
  return statements;
}

/**
 * Creates a `Draft` subscription from an active plan: snapshots the plan's terms, picks a salt, and computes the
 * contract address the factory will deploy it to. Nothing touches the chain until the payer approves that address.
 *
 * Two statements, however it is called: one read (the plan with the merchant's accounts on its chain) and one write
 * (the subscription with its `SubscriptionStatusChanged` event), so the draft and its event exist together even
 * outside a transaction (see {@link draftStatements}).
 */
export async function createDraft(tx: Queryable, services: Services, merchantId: string, input: DraftInput) {
  const statements = draftStatements(tx);
  const [found] = await statements.plan.execute({ planId: input.planId, merchantId });
  if (!found) throw new NotFoundError("plan", input.planId);
  const { plan, accounts } = found;
  if (plan.status !== "Active") throw new PlanNotActiveError(plan.id, plan.status);
  const { chain, token } = chainAndToken(services, plan.tokenCode);
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
  // the contract judges the activation deadline by the chain's clock
  const chainNow = services.chainClock(chain.chainId).nowSeconds();
  const terms: SubscriptionTerms = {
    token: token.address,
    payer,
    payee: accounts.payoutAddress,
    operator: accounts.gasWalletAddress,
    amount: plan.amount,
    period: plan.periodSeconds,
    // 0, "at activation", unless a trial was asked for: never an estimate of the chain's clock
    startAt: termsStartAt(input.startFrom, now),
    maxPeriods: input.maxPeriods ?? plan.maxPeriods,
    activateBy: chainNow + services.config.draftLifetimeSeconds,
    // another draft with identical terms and salt is astronomically unlikely; if it exists, the insert fails on the
    // address (the primary key) and writes nothing
    salt: randomInt(0, 2 ** 32 - 1),
  };
  const values: DraftValues = {
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
    activateBy: new Date(terms.activateBy * 1000),
    salt: terms.salt,
    status: "Draft",
    metadata: input.metadata ?? null,
    checkoutSessionId: input.checkoutSessionId ?? null,
    createdAt: now,
    updatedAt: now,
  };
  // the row as written, which the event and the answer describe
  const row: SubscriptionRow = { ...values, ...UNSET_IN_A_DRAFT };
  const event = outboxRow(statusChanged(services, row, now));
  await statements.insert.execute({ ...values, ...prefixed(EVENT, event) });
  return { subscription: row, approval: approvalFor(row, chain, token) };
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
  if (transition.request === "activate" && permit)
    refuseForeignPermit(chainAndToken(services, row.tokenCode).token, permit);
  return (await updateSubscription(tx, services, row, { event: action, params: permit })).row;
}
