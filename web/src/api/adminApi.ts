/*
 * The merchant's admin routes of the web server (signed in with an admin wallet; the web server holds the API
 * secret and decides who is an admin).
 */
import type { Address } from "viem";
import type { BrandingChange } from "../../../server/schemas/branding.js";
import type { NewPlan as PlatformNewPlan } from "../../../server/schemas/plans.js";
import type { SiteApiKey } from "../../server/routes/adminApiKeyRoutes.js";
import { requestJson } from "./requestJson";
import type {
  Branding,
  Charge,
  GasWallet,
  Plan,
  Subscription,
  SubscriptionWithCharges,
  WebhookDelivery,
  WebhookEvent,
} from "./types";

export type { SiteApiKey };

/** A page of a list: how many to skip and to take. */
export interface Page {
  limit: number;
  offset: number;
}

/** Query string of the defined, non-empty values. */
function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** What the admin's plan form sends: the platform's plan fields, a period always as an interval and frequency. */
export type NewPlan = Pick<PlatformNewPlan, "description"> &
  Required<Pick<PlatformNewPlan, "name" | "amount" | "interval" | "frequency" | "maxPeriods" | "gracePeriodSeconds">>;

export const listAllPlans = () => requestJson<{ plans: Plan[] }>("/api/admin/plans").then((body) => body.plans);

export const createPlan = (plan: NewPlan) => requestJson<Plan>("/api/admin/plans", { method: "POST", body: plan });

export const activatePlan = (id: string) =>
  requestJson<Plan>(`/api/admin/plans/${encodeURIComponent(id)}/activate`, { method: "POST" });

export const archivePlan = (id: string) =>
  requestJson<Plan>(`/api/admin/plans/${encodeURIComponent(id)}/archive`, { method: "POST" });

export interface SubscriptionFilter extends Page {
  statusIn?: string;
  customerId?: string;
  payer?: string;
}

export const listSubscriptions = (filter: SubscriptionFilter) =>
  requestJson<{ subscriptions: Subscription[] }>(`/api/admin/subscriptions${query({ ...filter })}`).then(
    (body) => body.subscriptions,
  );

export const getSubscription = (address: Address) =>
  requestJson<SubscriptionWithCharges>(`/api/admin/subscriptions/${address}`);

export interface ChargeFilter extends Page {
  contractAddress?: string;
  statusIn?: string;
}

export const listCharges = (filter: ChargeFilter) =>
  requestJson<{ charges: Charge[] }>(`/api/admin/charges${query({ ...filter })}`).then((body) => body.charges);

export const listWebhookEvents = ({ undelivered, ...page }: Page & { undelivered: boolean }) =>
  requestJson<{ events: WebhookEvent[] }>(
    `/api/admin/webhooks/events${query({ ...page, undelivered: undelivered ? "true" : undefined })}`,
  ).then((body) => body.events);

export const listWebhookDeliveries = (eventId: string) =>
  requestJson<{ deliveries: WebhookDelivery[] }>(`/api/admin/webhooks/deliveries${query({ eventId, limit: 50 })}`).then(
    (body) => body.deliveries,
  );

export const redeliverWebhookEvent = (eventId: string) =>
  requestJson<WebhookEvent>(`/api/admin/webhooks/events/${encodeURIComponent(eventId)}/redeliver`, { method: "POST" });

export const listGasWallets = () =>
  requestJson<{ gasWallets: GasWallet[] }>("/api/admin/gas-wallets").then((body) => body.gasWallets);

/** The merchant's API keys, newest first; this site's own key comes without its id. */
export const listApiKeys = () =>
  requestJson<{ apiKeys: SiteApiKey[] }>("/api/admin/api-keys").then((body) => body.apiKeys);

export const revokeApiKey = (apiKey: string) =>
  requestJson<SiteApiKey>(`/api/admin/api-keys/${encodeURIComponent(apiKey)}/revoke`, { method: "POST" });

/** How the merchant's payer pages present it. */
export const getBranding = () => requestJson<Branding>("/api/admin/branding");

/** Sets the fields of `change` that are given (null clears one); the branding as it now stands. */
export const setBranding = (change: BrandingChange) =>
  requestJson<Branding>("/api/admin/branding", { method: "PUT", body: change });
