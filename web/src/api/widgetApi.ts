/*
 * The platform's `/integration` routes that a customer token opens, called from the embedded widget's page at the
 * platform's own URL (it allows this site's origin by CORS): the storefront, the customer's subscriptions, a draft
 * and its activation. The customer token is the only credential; the merchant's never reaches the browser.
 */
import type { Address } from "viem";
import { ApiError } from "./ApiError";
import { type JsonRequest, requestJson } from "./requestJson";
import type { Draft, PermitSignature, Storefront, Subscription, SubscriptionWithCharges } from "./types";

/** Where the widget's token comes from, and a new one when the platform no longer takes it. */
export interface TokenSource {
  current(): string;
  /** A new token from the embedding page (it asks the merchant's backend), or a rejection saying none came. */
  renew(): Promise<string>;
}

export class WidgetApi {
  readonly #base: string;
  readonly #tokens: TokenSource;

  constructor(platformUrl: string, tokens: TokenSource) {
    this.#base = platformUrl.replace(/\/+$/, "");
    this.#tokens = tokens;
  }

  storefront = () => this.#request<Storefront>("/integration/storefront");

  /** The customer's subscriptions, newest first (a customer token sees only its own customer's). */
  listSubscriptions = () =>
    this.#request<{ subscriptions: Subscription[] }>("/integration/subscriptions?limit=100").then(
      (body) => body.subscriptions,
    );

  getSubscription = (address: Address) =>
    this.#request<SubscriptionWithCharges>(`/integration/subscriptions/${address}`);

  createDraft = (planId: string, customerId: string, payer: Address) =>
    this.#request<Draft>("/integration/subscriptions", { method: "POST", body: { planId, customerId, payer } });

  activate = (address: Address, permit?: PermitSignature) =>
    this.#request<Subscription>(`/integration/subscriptions/${address}/activate`, {
      method: "POST",
      body: permit ? { permit } : {},
    });

  /** One call with the current token; an expired one is renewed once and the call made again. */
  async #request<T>(path: string, request: JsonRequest = {}): Promise<T> {
    const url = `${this.#base}${path}`;
    try {
      return await requestJson<T>(url, { ...request, bearer: this.#tokens.current() });
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
      return requestJson<T>(url, { ...request, bearer: await this.#tokens.renew() });
    }
  }
}
