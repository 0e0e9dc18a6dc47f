/*
 * The merchant site's own routes (the web server under /api): configuration, Sign-In with Ethereum, plans, and the
 * signed-in payer's subscriptions. The web server signs the platform calls; nothing secret is in the browser.
 */
import type { Address } from "viem";
import { ApiError } from "./ApiError";
import { requestJson } from "./requestJson";
import type {
  Draft,
  PayerSubscription,
  PermitSignature,
  Plan,
  PlanWithPayee,
  SiteConfig,
  SiteSession,
  Subscription,
  SubscriptionWithCharges,
} from "./types";

export const getSiteConfig = () => requestJson<SiteConfig>("/api/config");

export const listPlans = () => requestJson<{ plans: Plan[] }>("/api/plans").then((body) => body.plans);

export const getPlan = (id: string) => requestJson<PlanWithPayee>(`/api/plans/${encodeURIComponent(id)}`);

export const getSignInNonce = () => requestJson<{ nonce: string }>("/api/auth/nonce").then((body) => body.nonce);

export const verifySignIn = (message: string, signature: string) =>
  requestJson<SiteSession>("/api/auth/verify", { method: "POST", body: { message, signature } });

/** The signed-in wallet, or null when nobody is signed in. */
export async function getSiteSession(): Promise<SiteSession | null> {
  try {
    return await requestJson<SiteSession>("/api/auth/session");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** A draft of the plan for `payer`, with no sign-in: it binds nothing until that wallet approves its address. */
export const createCheckoutDraft = (planId: string, payer: Address) =>
  requestJson<Draft>("/api/checkout/subscriptions", { method: "POST", body: { planId, payer } });

export const getCheckoutSubscription = (address: Address) =>
  requestJson<SubscriptionWithCharges>(`/api/checkout/subscriptions/${address}`);

export const activateCheckoutSubscription = (address: Address, permit?: PermitSignature) =>
  requestJson<Subscription>(`/api/checkout/subscriptions/${address}/activate`, {
    method: "POST",
    body: permit ? { permit } : {},
  });

/** The signed-in payer's subscriptions, optionally only those in the comma-separated `statusIn`. */
export const listMySubscriptions = (statusIn?: string) =>
  requestJson<{ subscriptions: PayerSubscription[] }>(
    `/api/me/subscriptions${statusIn ? `?statusIn=${encodeURIComponent(statusIn)}` : ""}`,
  ).then((body) => body.subscriptions);

/** One of the signed-in payer's subscriptions, with its charges. */
export const getMySubscription = (address: Address) =>
  requestJson<SubscriptionWithCharges>(`/api/me/subscriptions/${address}`);
