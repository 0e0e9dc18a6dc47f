/*
 * The shapes the app reads. The platform's resources are the platform's own schemas (the signing proxy passes them
 * through unchanged), so they are imported as types from the server and cannot drift; the web server's own
 * responses follow the web server contract.
 */
import type { Address } from "viem";
import type { describeCheckoutSession } from "../../../server/domain/checkoutSessions.js";

export type {
  ChargeResource as Charge,
  PlanResource as Plan,
  SubscriptionResource as Subscription,
} from "../../../server/domain/resources.js";
export type { Approval, PermitSignature } from "../../../server/domain/subscriptions.js";
export type { GasWallet, WebhookDelivery, WebhookEvent } from "../../../server/http/routes/operationsRoutes.js";

import type { ChargeResource, PlanResource, SubscriptionResource } from "../../../server/domain/resources.js";
import type { Approval } from "../../../server/domain/subscriptions.js";

/** What the hosted checkout page reads from the platform's public `GET /checkout-sessions/:id`. */
export type HostedSession = Awaited<ReturnType<typeof describeCheckoutSession>>;

/** A draft subscription with what the wallet must approve. */
export type Draft = SubscriptionResource & { approval: Approval };

export type SubscriptionWithCharges = SubscriptionResource & { charges: ChargeResource[] };

/** A plan as the merchant's site shows it before checkout, with who is paid. */
export type PlanWithPayee = PlanResource & { payee: Address | null };

/** A token the site's chains bill in. */
export interface SiteToken {
  code: string;
  address: Address;
  decimals: number;
  permit: boolean;
  approveZeroFirst: boolean;
}

/** A chain as the site's wallet library uses it. */
export interface SiteChain {
  chainId: number;
  name: string;
  rpcUrl: string;
  explorerUrl: string | null;
  factory: Address;
  tokens: SiteToken[];
}

/** `GET /api/config`: what the app needs at start, none of it secret. */
export interface SiteConfig {
  chains: SiteChain[];
  /** Where the browser reaches the platform's public hosted-checkout routes. */
  platformUrl: string;
  walletConnectProjectId: string | null;
  adminEnabled: boolean;
}

/** The signed-in wallet (Sign-In with Ethereum). */
export interface SiteSession {
  address: Address;
  admin: boolean;
}
