import { and, eq } from "drizzle-orm";
import { getAddress } from "viem";
import type { Queryable } from "../db/openDatabase.js";
import { checkoutSessions, merchantChains, merchants, subscriptions } from "../db/schema.js";
import type { PublicCheckoutSession } from "../schemas/checkoutSessions.js";
import type { PermitSignature } from "../schemas/subscriptions.js";
import { brandingOf } from "./branding.js";
import { ConflictError, NotFoundError, PlanNotActiveError } from "./errors.js";
import { newId } from "./newId.js";
import { getPlan } from "./plans.js";
import { toPlanResource, toSubscriptionResource } from "./resources.js";
import type { Services } from "./Services.js";
import { approvalFor, createDraft, requestAction } from "./subscriptions.js";
import { termsStartAt } from "./termsStartAt.js";

type SessionRow = typeof checkoutSessions.$inferSelect;

export interface CheckoutSessionInput {
  planId: string;
  customerId: string;
  successUrl: string;
  cancelUrl: string;
  lang: string;
  expiresInHours: number;
  metadata?: string | undefined;
  maxPeriods?: number | undefined;
  startFrom?: Date | undefined;
}

/** A hosted checkout for one customer and one active plan; its id is the capability to subscribe through it. */
export async function createCheckoutSession(
  tx: Queryable,
  services: Services,
  merchantId: string,
  input: CheckoutSessionInput,
): Promise<SessionRow> {
  const plan = await getPlan(tx, merchantId, input.planId);
  if (plan.status !== "Active") throw new PlanNotActiveError(plan.id, plan.status);
  const now = services.now();
  const [row] = await tx
    .insert(checkoutSessions)
    .values({
      id: newId("cs", 32),
      merchantId,
      planId: plan.id,
      customerId: input.customerId,
      successUrl: input.successUrl,
      cancelUrl: input.cancelUrl,
      lang: input.lang,
      metadata: input.metadata ?? null,
      maxPeriods: input.maxPeriods ?? null,
      startFrom: input.startFrom ?? null,
      expiresAt: new Date(now.getTime() + input.expiresInHours * 3_600_000),
      status: "Open",
      createdAt: now,
    })
    .returning();
  if (!row) throw new Error("checkout session insert returned nothing");
  return row;
}

/** A session as its status stands now: an open session past its expiry reads as `Expired`. */
function withCurrentStatus(row: SessionRow, now: Date): SessionRow {
  return row.status === "Open" && now > row.expiresAt ? { ...row, status: "Expired" } : row;
}

export async function getCheckoutSession(tx: Queryable, services: Services, id: string, merchantId?: string) {
  const [row] = await tx.select().from(checkoutSessions).where(eq(checkoutSessions.id, id));
  if (!row || (merchantId !== undefined && row.merchantId !== merchantId)) {
    throw new NotFoundError("checkout session", id);
  }
  return withCurrentStatus(row, services.now());
}

/**
 * What the hosted checkout page shows: the session, the plan's terms, who is paid, and the subscription created
 * through it so far (with what the wallet must approve). Nothing here is secret to whoever holds the session id.
 */
export async function describeCheckoutSession(
  tx: Queryable,
  services: Services,
  id: string,
): Promise<PublicCheckoutSession> {
  const session = await getCheckoutSession(tx, services, id);
  const plan = await getPlan(tx, session.merchantId, session.planId);
  const [merchant] = await tx.select().from(merchants).where(eq(merchants.id, session.merchantId));
  const found = services.config.chains.token(plan.tokenCode);
  if (!merchant || !found) throw new Error(`checkout session ${id} points at missing data`);
  const [settings] = await tx
    .select({ payoutAddress: merchantChains.payoutAddress })
    .from(merchantChains)
    .where(and(eq(merchantChains.merchantId, merchant.id), eq(merchantChains.chainId, found.chain.chainId)));
  let subscription = null;
  let approval = null;
  if (session.contractAddress) {
    const [row] = await tx
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.contractAddress, session.contractAddress));
    if (row) {
      subscription = toSubscriptionResource(row, services.config.chains);
      approval = approvalFor(row, found.chain, found.token);
    }
  }
  return {
    id: session.id,
    status: session.status,
    expiresAt: session.expiresAt.toISOString(),
    lang: session.lang,
    successUrl: session.successUrl,
    cancelUrl: session.cancelUrl,
    maxPeriods: session.maxPeriods ?? plan.maxPeriods,
    // what a draft made now would start with: a trial's end, or null for "at activation"
    startFrom:
      termsStartAt(session.startFrom, services.now()) === 0 ? null : (session.startFrom?.toISOString() ?? null),
    merchant: { name: merchant.name },
    branding: brandingOf(merchant),
    payee: settings?.payoutAddress ?? null,
    plan: toPlanResource(plan, services.config.chains, merchant.companyId),
    chain: { chainId: found.chain.chainId, name: found.chain.name, explorerUrl: found.chain.explorerUrl ?? null },
    token: {
      code: found.token.code,
      address: found.token.address,
      decimals: found.token.decimals,
      permit: found.token.permit,
      permitKind: found.token.permitKind,
      approveZeroFirst: found.token.approveZeroFirst,
    },
    subscription,
    approval,
  };
}

async function openSession(tx: Queryable, services: Services, id: string): Promise<SessionRow> {
  const [row] = await tx.select().from(checkoutSessions).where(eq(checkoutSessions.id, id)).for("update");
  if (!row) throw new NotFoundError("checkout session", id);
  const session = withCurrentStatus(row, services.now());
  if (session.status === "Expired") {
    throw new ConflictError(
      `Checkout session ${id} expired at ${session.expiresAt.toISOString()}: ask the merchant for a new one`,
    );
  }
  if (session.status === "Completed") throw new ConflictError(`Checkout session ${id} is already completed`);
  return session;
}

/**
 * Creates (or returns) the draft of a checkout session for the payer's wallet. The same payer gets the same
 * draft back; a different wallet gets a new draft, which the session then points at.
 */
export async function createSessionDraft(tx: Queryable, services: Services, id: string, payer: string) {
  const session = await openSession(tx, services, id);
  if (session.contractAddress) {
    const [existing] = await tx
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.contractAddress, session.contractAddress));
    if (
      existing &&
      existing.payer === getAddress(payer) &&
      existing.status === "Draft" &&
      existing.activateBy > services.chainClock(existing.chainId).now()
    ) {
      const found = services.config.chains.token(existing.tokenCode);
      if (!found) throw new Error(`token ${existing.tokenCode} is no longer in the chain registry`);
      return { subscription: existing, approval: approvalFor(existing, found.chain, found.token) };
    }
  }
  const draft = await createDraft(tx, services, session.merchantId, {
    planId: session.planId,
    customerId: session.customerId,
    payer,
    startFrom: session.startFrom ?? undefined,
    metadata: session.metadata ?? undefined,
    maxPeriods: session.maxPeriods ?? undefined,
    checkoutSessionId: session.id,
  });
  await tx
    .update(checkoutSessions)
    .set({ contractAddress: draft.subscription.contractAddress })
    .where(eq(checkoutSessions.id, id));
  return draft;
}

/** Asks for the activation of a checkout session's draft. */
export async function activateSessionDraft(tx: Queryable, services: Services, id: string, permit?: PermitSignature) {
  const session = await openSession(tx, services, id);
  if (!session.contractAddress) {
    throw new ConflictError(`Checkout session ${id} has no subscription yet: create it first`);
  }
  return requestAction(tx, services, { merchantId: session.merchantId }, session.contractAddress, "activate", permit);
}
