import { setTimeout as sleep } from "node:timers/promises";
import { signRequest } from "../auth/signRequest.js";
import { ApiError } from "../http/ApiError.js";
import type { ApiKeyView } from "../schemas/apiKeys.js";
import type { Branding, BrandingChange } from "../schemas/branding.js";
import type { PublicChain } from "../schemas/chains.js";
import type { ChargeResource } from "../schemas/charges.js";
import type { CheckoutSessionResource, NewCheckoutSession } from "../schemas/checkoutSessions.js";
import type { ErrorBody } from "../schemas/errors.js";
import type { GasWallet } from "../schemas/gasWallets.js";
import type { NewPlan, PlanResource } from "../schemas/plans.js";
import type { Storefront } from "../schemas/storefront.js";
import type {
  Draft,
  NewSubscription,
  PermitSignature,
  SubscriptionResource,
  SubscriptionWithCharges,
} from "../schemas/subscriptions.js";
import type { WebhookDelivery, WebhookEvent } from "../schemas/webhooks.js";

/** An error answer from the API, `{status, code, message, details?}`, as the client received it. */
export class RecurApiError extends ApiError {
  override name = "RecurApiError";
}

/** How the client authenticates: a merchant's API key and secret, or a customer token. */
export type RecurCredentials = { apiKey: string; apiSecret: string } | { customerToken: string } | undefined;

/** Options of one request. */
export interface RequestOptions {
  idempotencyKey?: string;
}

/**
 * A typed client of the Recur merchant API, signing each request exactly as SmartyPay documents it. Used by the
 * command line, the merchant's signing proxy and the tests.
 */
export class RecurClient {
  /** The second each write was last signed in: the same write is never signed twice in one second. */
  readonly #lastSigned = new Map<string, number>();

  constructor(
    readonly baseUrl: string,
    readonly credentials: RecurCredentials = undefined,
    readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Sends one request and returns its JSON answer, or throws a {@link RecurApiError}. */
  async request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    const text = body === undefined ? "" : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (text) headers["content-type"] = "application/json";
    if (options.idempotencyKey) headers["x-idempotency-key"] = options.idempotencyKey;
    if (this.credentials && "apiKey" in this.credentials) {
      const ts = String(await this.#signingSecond(method, `${method} ${path}\n${text}`));
      headers["x-api-key"] = this.credentials.apiKey;
      headers["x-api-ts"] = ts;
      headers["x-api-sig"] = signRequest({ secret: this.credentials.apiSecret, ts, method, path, body: text });
    } else if (this.credentials) {
      headers.authorization = `Bearer ${this.credentials.customerToken}`;
    }
    const response = await this.fetchImpl(new URL(path, this.baseUrl), {
      method,
      headers,
      ...(text ? { body: text } : {}),
    });
    const answer = (await response.json().catch(() => undefined)) as Partial<ErrorBody> | undefined;
    if (!response.ok) {
      throw new RecurApiError(
        response.status,
        answer?.code ?? "HttpError",
        answer?.message ?? `HTTP ${response.status} from ${method} ${path}`,
        answer?.details,
      );
    }
    return answer as T;
  }

  /**
   * The unix second to sign `request` with. Signatures cover the second, not the instant, and the server accepts a
   * state-changing request's signature once: an identical one sent again within the same second waits for the
   * next. Reads (GET, HEAD) may repeat a signature, so they never wait.
   */
  async #signingSecond(method: string, request: string): Promise<number> {
    let now = Date.now();
    if (method === "GET" || method === "HEAD") return Math.floor(now / 1000);
    if (this.#lastSigned.get(request) === Math.floor(now / 1000)) {
      await sleep(1000 - (now % 1000) + 5);
      now = Date.now();
    }
    const second = Math.floor(now / 1000);
    this.#lastSigned.set(request, second);
    if (this.#lastSigned.size > 1000) {
      for (const [key, at] of this.#lastSigned) if (at < second) this.#lastSigned.delete(key);
    }
    return second;
  }

  listPlans(query: { statusIn?: string; limit?: number; offset?: number } = {}) {
    return this.request<{ plans: PlanResource[] }>("GET", withQuery("/integration/subscription-plans", query));
  }

  createPlan(plan: NewPlan, options?: RequestOptions) {
    return this.request<PlanResource>("POST", "/integration/subscription-plans", plan, options);
  }

  getPlan(id: string) {
    return this.request<PlanResource>("GET", `/integration/subscription-plans/${encodeURIComponent(id)}`);
  }

  activatePlan(id: string, options?: RequestOptions) {
    return this.request<PlanResource>(
      "POST",
      `/integration/subscription-plans/${encodeURIComponent(id)}/activate`,
      undefined,
      options,
    );
  }

  archivePlan(id: string, options?: RequestOptions) {
    return this.request<PlanResource>(
      "POST",
      `/integration/subscription-plans/${encodeURIComponent(id)}/archive`,
      undefined,
      options,
    );
  }

  /** Creates a draft; its `approval` says what the payer's wallet must approve. */
  createSubscription(draft: NewSubscription, options?: RequestOptions) {
    return this.request<Draft>("POST", "/integration/subscriptions", draft, options);
  }

  listSubscriptions(
    query: { customerId?: string; payer?: string; statusIn?: string; limit?: number; offset?: number } = {},
  ) {
    return this.request<{ subscriptions: SubscriptionResource[] }>(
      "GET",
      withQuery("/integration/subscriptions", query),
    );
  }

  getSubscription(contractAddress: string) {
    return this.request<SubscriptionWithCharges>("GET", `/integration/subscriptions/${contractAddress}`);
  }

  subscriptionStatus(contractAddress: string) {
    return this.request<{ status: SubscriptionResource["status"]; allowance: string | null }>(
      "GET",
      `/integration/subscriptions/${contractAddress}/status`,
    );
  }

  activateSubscription(contractAddress: string, permit?: PermitSignature, options?: RequestOptions) {
    return this.request<SubscriptionResource>(
      "POST",
      `/integration/subscriptions/${contractAddress}/activate`,
      permit ? { permit } : undefined,
      options,
    );
  }

  pauseSubscription(contractAddress: string, options?: RequestOptions) {
    return this.request<SubscriptionResource>(
      "POST",
      `/integration/subscriptions/${contractAddress}/pause`,
      undefined,
      options,
    );
  }

  unpauseSubscription(contractAddress: string, options?: RequestOptions) {
    return this.request<SubscriptionResource>(
      "POST",
      `/integration/subscriptions/${contractAddress}/unpause`,
      undefined,
      options,
    );
  }

  cancelSubscription(contractAddress: string, options?: RequestOptions) {
    return this.request<SubscriptionResource>(
      "POST",
      `/integration/subscriptions/${contractAddress}/cancel`,
      undefined,
      options,
    );
  }

  createCustomerToken(customerId: string, options?: RequestOptions) {
    return this.request<{ token: string; expiresAt: string }>(
      "POST",
      "/integration/subscriptions/create-customer-token",
      { customerId },
      options,
    );
  }

  hintUpdateState(hash: string, blockchain: string) {
    return this.request<{ isAccepted: boolean }>("POST", "/integration/subscriptions/hint-update-state", {
      hash,
      blockchain,
    });
  }

  createCheckoutSession(session: NewCheckoutSession, options?: RequestOptions) {
    return this.request<{ id: string; url: string; expiresAt: string }>(
      "POST",
      "/integration/checkout-sessions",
      session,
      options,
    );
  }

  getCheckoutSession(id: string) {
    return this.request<CheckoutSessionResource>("GET", `/integration/checkout-sessions/${encodeURIComponent(id)}`);
  }

  /** Where webhook events go; `null` stops sending them. */
  setWebhookUrl(url: string | null, options?: RequestOptions) {
    return this.request<{ url: string | null }>("POST", "/integration/webhooks/endpoint", { url }, options);
  }

  listWebhookEvents(query: { undelivered?: boolean; limit?: number; offset?: number } = {}) {
    const { undelivered, ...page } = query;
    return this.request<{ events: WebhookEvent[] }>(
      "GET",
      withQuery("/integration/webhooks/events", {
        ...page,
        undelivered: undelivered === undefined ? undefined : String(undelivered),
      }),
    );
  }

  listWebhookDeliveries(query: { eventId?: string; limit?: number; offset?: number } = {}) {
    return this.request<{ deliveries: WebhookDelivery[] }>("GET", withQuery("/integration/webhooks/deliveries", query));
  }

  redeliverWebhookEvent(eventId: string, options?: RequestOptions) {
    return this.request<WebhookEvent>(
      "POST",
      `/integration/webhooks/events/${encodeURIComponent(eventId)}/redeliver`,
      undefined,
      options,
    );
  }

  /** Queues a `WebhookTest` event for the merchant's webhook URL. */
  sendTestWebhook(options?: RequestOptions) {
    return this.request<WebhookEvent>("POST", "/integration/webhooks/test", undefined, options);
  }

  listCharges(query: { contractAddress?: string; statusIn?: string; limit?: number; offset?: number } = {}) {
    return this.request<{ charges: ChargeResource[] }>("GET", withQuery("/integration/charges", query));
  }

  listGasWallets() {
    return this.request<{ gasWallets: GasWallet[] }>("GET", "/integration/gas-wallets");
  }

  /** The chains and tokens the platform bills on (public: needs no credentials). */
  listChains() {
    return this.request<{ chains: PublicChain[] }>("GET", "/chains");
  }

  /** How the merchant's payer pages present it (a customer token may read it too). */
  getBranding() {
    return this.request<Branding>("GET", "/integration/merchant/branding");
  }

  /** What a payer is offered: the branding and the Active plans, each with its payee (a customer token may read it). */
  getStorefront() {
    return this.request<Storefront>("GET", "/integration/storefront");
  }

  /** Sets the fields of `change` that are given (null clears one) and returns the branding as it now stands. */
  setBranding(change: BrandingChange, options?: RequestOptions) {
    return this.request<Branding>("PUT", "/integration/merchant/branding", change, options);
  }

  /** The merchant's API keys, newest first (never a secret). */
  listApiKeys() {
    return this.request<{ apiKeys: ApiKeyView[] }>("GET", "/integration/api-keys");
  }

  /** Stops `apiKey` at once; sign with another key (a key cannot revoke itself). */
  revokeApiKey(apiKey: string, options?: RequestOptions) {
    return this.request<ApiKeyView>(
      "POST",
      `/integration/api-keys/${encodeURIComponent(apiKey)}/revoke`,
      undefined,
      options,
    );
  }

  /** A new key and secret (shown only here); every other key stops working after the grace period. */
  rotateApiKey(options?: RequestOptions) {
    return this.request<{ apiKey: string; apiSecret: string }>(
      "POST",
      "/integration/api-keys/rotate",
      undefined,
      options,
    );
  }
}

function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}
