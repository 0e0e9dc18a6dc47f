import { LRUCache } from "lru-cache";
import type { Address } from "viem";
import { RecurApiError, RecurClient } from "../../../server/client/RecurClient.js";
import type { Branding } from "../../../server/schemas/branding.js";
import type { PublicChain } from "../../../server/schemas/chains.js";
import type { PlanResource } from "../../../server/schemas/plans.js";
import type { SubscriptionWithCharges } from "../../../server/schemas/subscriptions.js";
import type { WebConfig } from "../config/loadWebConfig.js";
import { platformFetch } from "./platformFetch.js";

/** A customer token is renewed this long before it expires, so no request goes out with one about to lapse. */
const TOKEN_MARGIN_MS = 60_000;

/** How long the platform's list of chains (which changes with a redeployment, not in a day) is reused. */
const CHAINS_TTL_MS = 60_000;

/**
 * How long the merchant's Active plans are reused. Every visitor asks for them, and every request this site signs
 * counts against its API key's rate limit on the platform, which all visitors share.
 */
const PLANS_TTL_MS = 5_000;

/** How many customers' tokens are kept: every payer checking out or signed in lately, within memory's reach. */
const MAX_CUSTOMER_TOKENS = 10_000;

/** How long a plan's name is reused: a merchant renames a plan rarely, and a payer's list names every plan it has. */
const PLAN_NAME_TTL_MS = 60_000;

/**
 * How long the merchant's branding is reused: every page load asks for it (in the site's configuration), and a
 * change made elsewhere (the command line, the API) shows within this time; one made on this site's admin page at once.
 */
const BRANDING_TTL_MS = 60_000;

/** The platform's largest page. */
const PAGE = 100;

/** A value fetched at most once per `ttlMs`, with concurrent callers sharing one fetch. */
class Cached<T> {
  #value: { promise: Promise<T>; fetchedAt: number } | undefined;

  constructor(
    readonly ttlMs: number,
    readonly fetchValue: () => Promise<T>,
  ) {}

  clear(): void {
    this.#value = undefined;
  }

  get(): Promise<T> {
    if (!this.#value || this.#value.fetchedAt + this.ttlMs <= Date.now()) {
      const promise = this.fetchValue();
      this.#value = { promise, fetchedAt: Date.now() };
      // a failure is not kept: the next caller tries again
      promise.catch(() => {
        if (this.#value?.promise === promise) this.#value = undefined;
      });
    }
    return this.#value.promise;
  }
}

/**
 * The platform as this site reaches it: as the merchant (requests signed with the API key and secret), or as one
 * signed-in customer (a short-lived customer token, so the platform itself keeps the browser to that customer's
 * subscriptions).
 */
export class PlatformAccess {
  /** Signs with the merchant's secret: only for what a customer token cannot do, and for the admin pages. */
  readonly merchant: RecurClient;
  readonly #chains = new Cached(CHAINS_TTL_MS, async () => (await this.merchant.listChains()).chains);
  readonly #plans = new Cached(PLANS_TTL_MS, () => this.#fetchActivePlans());
  readonly #gasWallets = new Cached(CHAINS_TTL_MS, async () => (await this.merchant.listGasWallets()).gasWallets);
  readonly #branding: Cached<Branding>;
  /** Each plan's name by id, archived plans' too (a payer's subscription outlives its plan's sale). */
  readonly #planNames = new LRUCache<string, string>({
    max: 1_000,
    ttl: PLAN_NAME_TTL_MS,
    fetchMethod: async (id) => (await this.merchant.getPlan(id)).name,
  });
  /** Each customer's token, reused until shortly before it expires; concurrent requests share one issue. */
  readonly #customerTokens = new LRUCache<Address, string>({
    max: MAX_CUSTOMER_TOKENS,
    fetchMethod: async (customer, _stale, { options }) => {
      const issued = await this.merchant.createCustomerToken(customer);
      options.ttl = Math.max(1, Date.parse(issued.expiresAt) - TOKEN_MARGIN_MS - Date.now());
      return issued.token;
    },
  });

  /** @param options.brandingTtlMs How long the branding is reused (default a minute). */
  constructor(
    readonly config: Pick<WebConfig, "platformUrl" | "apiKey" | "apiSecret">,
    options: { brandingTtlMs?: number } = {},
  ) {
    this.merchant = new RecurClient(
      config.platformUrl,
      { apiKey: config.apiKey, apiSecret: config.apiSecret },
      platformFetch,
    );
    this.#branding = new Cached(options.brandingTtlMs ?? BRANDING_TTL_MS, () => this.merchant.getBranding());
  }

  /**
   * A client acting as the customer `wallet` (the customer id being its checksummed address) with a short-lived
   * customer token, so the platform itself keeps it to that customer's subscriptions.
   */
  async asCustomer(wallet: Address): Promise<RecurClient> {
    const token = await this.#customerTokens.fetch(wallet);
    if (!token) throw new Error(`the platform issued no customer token for ${wallet}`);
    return new RecurClient(this.config.platformUrl, { customerToken: token }, platformFetch);
  }

  /**
   * The merchant's subscription at `address` when `belongs` says this caller may reach it; otherwise, as when it does
   * not exist, `missing` (a 404 in the caller's words), so that nobody learns of a subscription they may not see.
   */
  async subscriptionIf<T extends Error>(
    address: Address,
    belongs: (subscription: SubscriptionWithCharges) => boolean,
    missing: T,
  ): Promise<SubscriptionWithCharges> {
    const subscription = await this.merchant.getSubscription(address).catch((error: unknown) => {
      throw error instanceof RecurApiError && error.status === 404 ? missing : error;
    });
    if (!belongs(subscription)) throw missing;
    return subscription;
  }

  /** The name of the merchant's plan `id`, or null when the platform no longer knows it. */
  async planName(id: string): Promise<string | null> {
    try {
      return (await this.#planNames.fetch(id)) ?? null;
    } catch (error) {
      if (error instanceof RecurApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** The chains and tokens the platform bills on. */
  chains(): Promise<PublicChain[]> {
    return this.#chains.get();
  }

  /** The merchant's Active plans: the only ones a visitor may see or subscribe to. */
  activePlans(): Promise<PlanResource[]> {
    return this.#plans.get();
  }

  /** Drops the cached Active plans, after this site changed one. */
  forgetPlans(): void {
    this.#plans.clear();
  }

  /** How the merchant's payer pages present it (its display name, logo, accent colour and support link). */
  branding(): Promise<Branding> {
    return this.#branding.get();
  }

  /** Drops the cached branding, after this site changed it. */
  forgetBranding(): void {
    this.#branding.clear();
  }

  /** The merchant's payout address on the chain named `blockchain`: where a subscription's money goes. */
  async payeeOn(blockchain: string): Promise<Address | null> {
    const gasWallets = await this.#gasWallets.get();
    return gasWallets.find((wallet) => wallet.blockchain === blockchain)?.payoutAddress ?? null;
  }

  async #fetchActivePlans(): Promise<PlanResource[]> {
    const plans: PlanResource[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const query = { statusIn: "Active", limit: PAGE, offset };
      const page = await this.merchant.listPlans(query).catch(async (error: unknown) => {
        // another process signing with the same key sent this very request in this very second: sign it again
        if (!(error instanceof RecurApiError && error.status === 401)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return this.merchant.listPlans(query);
      });
      plans.push(...page.plans);
      if (page.plans.length < PAGE) return plans;
    }
  }
}
