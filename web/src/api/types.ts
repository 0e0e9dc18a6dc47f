/*
 * The shapes the app reads. The platform's resources are the platform's own schemas (the signing proxy passes them
 * through unchanged), so they are imported as types from `server/schemas/` and cannot drift; the web server's own
 * responses follow the web server contract.
 */
import type { Address } from "viem";
import type { PermitKind } from "../../../server/chain/permitKinds.js";

import type { Branding } from "../../../server/schemas/branding.js";

export type { Branding } from "../../../server/schemas/branding.js";
export type { ChargeResource as Charge } from "../../../server/schemas/charges.js";
/** What the hosted checkout page reads from the platform's public `GET /checkout-sessions/:id`. */
export type { PublicCheckoutSession as HostedSession } from "../../../server/schemas/checkoutSessions.js";
export type { GasWallet } from "../../../server/schemas/gasWallets.js";
export type { PlanResource as Plan, PlanWithPayee } from "../../../server/schemas/plans.js";
export type { Storefront } from "../../../server/schemas/storefront.js";
export type {
  Approval,
  Draft,
  PermitSignature,
  SubscriptionResource as Subscription,
  SubscriptionWithCharges,
} from "../../../server/schemas/subscriptions.js";
export type { WebhookDelivery, WebhookEvent } from "../../../server/schemas/webhooks.js";
export type { PayerSubscription } from "../../server/routes/payerRoutes.js";

/** A token the site's chains bill in. */
export interface SiteToken {
  code: string;
  address: Address;
  decimals: number;
  permit: boolean;
  /** Which permit the token takes; null when none. */
  permitKind: PermitKind | null;
  approveZeroFirst: boolean;
}

/** A chain as the site's wallet library uses it. */
export interface SiteChain {
  chainId: number;
  name: string;
  rpcUrl: string;
  explorerUrl: string | null;
  factory: Address;
  /** The test smart-account factory, on the local development chain only. */
  smartAccountFactory: Address | null;
  tokens: SiteToken[];
}

/** `GET /api/config`: what the app needs at start, none of it secret. */
export interface SiteConfig {
  chains: SiteChain[];
  /** Where the browser reaches the platform's public hosted-checkout routes. */
  platformUrl: string;
  walletConnectProjectId: string | null;
  adminEnabled: boolean;
  /** How the pages present the merchant (checked again before use: `safeBranding`); null while unavailable. */
  branding: Branding | null;
}

/** The signed-in wallet (Sign-In with Ethereum). */
export interface SiteSession {
  address: Address;
  admin: boolean;
}
