import { sql } from "drizzle-orm";
import {
  bigint,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";

/** Token base units: `numeric(78, 0)` holds any uint256 exactly; `bigint` in code. */
const tokenAmount = customType<{ data: bigint; driverData: string }>({
  dataType: () => "numeric(78, 0)",
  toDriver: (value) => value.toString(),
  fromDriver: (value) => BigInt(value),
});

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const createdAt = () => timestamptz("created_at").notNull().defaultNow();

export const PLAN_STATUSES = ["Draft", "Active", "Archived"] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export const SUBSCRIPTION_STATUSES = [
  "Draft",
  "Pending",
  "Active",
  "Suspended",
  "PendingPause",
  "Paused",
  "PendingUnPause",
  "Finished",
  "PendingCancel",
  "Cancelled",
  "Error",
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export const CHARGE_STATUSES = ["Pending", "Succeeded", "Retrying", "Failed", "Cancelled"] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

export const CHECKOUT_SESSION_STATUSES = ["Open", "Completed", "Expired"] as const;
export type CheckoutSessionStatus = (typeof CHECKOUT_SESSION_STATUSES)[number];

/** On-chain work the API asks the worker for. */
export const SUBSCRIPTION_ACTIONS = ["activate", "pause", "unpause", "cancel"] as const;
export type SubscriptionAction = (typeof SUBSCRIPTION_ACTIONS)[number];

export const merchants = pgTable("merchants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  webhookUrl: text("webhook_url"),
  createdAt: createdAt(),
});

/** Per chain: where a merchant is paid, and the gas wallet that operates its subscriptions. */
export const merchantChains = pgTable(
  "merchant_chains",
  {
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    chainId: integer("chain_id").notNull(),
    payoutAddress: text("payout_address").notNull(),
    gasWalletAddress: text("gas_wallet_address").notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.chainId] })],
);

/** API keys; the secret is stored encrypted and shown only when the key is created. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    secretCiphertext: text("secret_ciphertext").notNull(),
    createdAt: createdAt(),
    /** When the key stops working (set when it is rotated away); null while it is the current key. */
    expiresAt: timestamptz("expires_at"),
  },
  (t) => [index("api_keys_merchant_idx").on(t.merchantId)],
);

export const plans = pgTable(
  "plans",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    chainId: integer("chain_id").notNull(),
    tokenCode: text("token_code").notNull(),
    amount: tokenAmount("amount").notNull(),
    periodSeconds: integer("period_seconds").notNull(),
    gracePeriodSeconds: integer("grace_period_seconds").notNull().default(0),
    maxPeriods: integer("max_periods").notNull().default(24),
    status: text("status", { enum: PLAN_STATUSES }).notNull(),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("plans_merchant_idx").on(t.merchantId, t.status, t.createdAt)],
);

/** Subscriptions from draft on: the snapshot of the plan's terms, and the state the chain last reported. */
export const subscriptions = pgTable(
  "subscriptions",
  {
    contractAddress: text("contract_address").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    planId: text("plan_id")
      .notNull()
      .references(() => plans.id),
    customerId: text("customer_id").notNull(),
    chainId: integer("chain_id").notNull(),
    tokenCode: text("token_code").notNull(),
    tokenAddress: text("token_address").notNull(),
    payer: text("payer").notNull(),
    payee: text("payee").notNull(),
    operator: text("operator").notNull(),
    amount: tokenAmount("amount").notNull(),
    periodSeconds: integer("period_seconds").notNull(),
    gracePeriodSeconds: integer("grace_period_seconds").notNull(),
    startAt: timestamptz("start_at").notNull(),
    maxPeriods: integer("max_periods").notNull(),
    activateBy: timestamptz("activate_by").notNull(),
    salt: bigint("salt", { mode: "number" }).notNull(),
    status: text("status", { enum: SUBSCRIPTION_STATUSES }).notNull(),
    /** Why the subscription is where it is, when that needs saying (a draft the chain refused, an error). */
    statusReason: text("status_reason"),
    metadata: text("metadata"),
    periodsCharged: integer("periods_charged").notNull().default(0),
    nextChargeAt: timestamptz("next_charge_at"),
    /** The payer's allowance for the contract as last read from the chain, base units. */
    allowance: tokenAmount("allowance"),
    checkoutSessionId: text("checkout_session_id"),
    createdAt: createdAt(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("subscriptions_merchant_idx").on(t.merchantId, t.createdAt, t.contractAddress),
    index("subscriptions_customer_idx").on(t.merchantId, t.customerId),
    index("subscriptions_payer_idx").on(t.merchantId, t.payer),
    index("subscriptions_due_idx").on(t.status, t.nextChargeAt),
  ],
);

export const charges = pgTable(
  "charges",
  {
    id: text("id").primaryKey(),
    contractAddress: text("contract_address")
      .notNull()
      .references(() => subscriptions.contractAddress),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    periodIndex: integer("period_index").notNull(),
    amount: tokenAmount("amount").notNull(),
    status: text("status", { enum: CHARGE_STATUSES }).notNull(),
    /** When the period was due; for a succeeded charge, when it was made. */
    chargeDate: timestamptz("charge_date").notNull(),
    txHash: text("tx_hash"),
    failureReason: text("failure_reason"),
    attempts: integer("attempts").notNull().default(0),
    nextRetryAt: timestamptz("next_retry_at"),
    createdAt: createdAt(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [unique("charges_period_unique").on(t.contractAddress, t.periodIndex)],
);

export const checkoutSessions = pgTable(
  "checkout_sessions",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    planId: text("plan_id")
      .notNull()
      .references(() => plans.id),
    customerId: text("customer_id").notNull(),
    successUrl: text("success_url").notNull(),
    cancelUrl: text("cancel_url").notNull(),
    lang: text("lang").notNull(),
    metadata: text("metadata"),
    maxPeriods: integer("max_periods"),
    startFrom: timestamptz("start_from"),
    expiresAt: timestamptz("expires_at").notNull(),
    status: text("status", { enum: CHECKOUT_SESSION_STATUSES }).notNull(),
    contractAddress: text("contract_address"),
    createdAt: createdAt(),
  },
  (t) => [index("checkout_sessions_merchant_idx").on(t.merchantId, t.createdAt)],
);

/** First responses to POSTs sent with `X-Idempotency-Key`, replayed for the same key and body. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    /** Whose keys these are: a merchant, one of its customers, or a checkout session. */
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    /** Hash of method, path and body: the same key with another request is a conflict. */
    fingerprint: text("fingerprint").notNull(),
    responseStatus: integer("response_status").notNull(),
    /** The response body, encrypted when it holds a secret. */
    responseBody: text("response_body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

/** Signatures already accepted, kept until they fall outside the timestamp window, to refuse replays. */
export const usedSignatures = pgTable("used_signatures", {
  signature: text("signature").primaryKey(),
  expiresAt: timestamptz("expires_at").notNull(),
});

/** Every state change, written in the transaction that makes it, for the webhook dispatcher (outbox). */
export const outboxEvents = pgTable(
  "outbox_events",
  {
    id: uuid("id").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    eventType: text("event_type").notNull(),
    payload: jsonb("payload").notNull(),
    createdAt: createdAt(),
    deliveredAt: timestamptz("delivered_at"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamptz("next_attempt_at").notNull().defaultNow(),
    lastError: text("last_error"),
  },
  (t) => [
    index("outbox_pending_idx").on(t.deliveredAt, t.nextAttemptAt),
    index("outbox_merchant_idx").on(t.merchantId, t.createdAt),
  ],
);

/** On-chain work the API asked for (activation, pause, unpause, cancel), for the worker to carry out. */
export const subscriptionRequests = pgTable(
  "subscription_requests",
  {
    id: uuid("id").primaryKey(),
    contractAddress: text("contract_address")
      .notNull()
      .references(() => subscriptions.contractAddress),
    action: text("action", { enum: SUBSCRIPTION_ACTIONS }).notNull(),
    /** An EIP-2612 permit for an activation: `{ value, deadline, v, r, s }`. */
    params: jsonb("params"),
    status: text("status", { enum: ["Pending", "Done", "Failed"] })
      .notNull()
      .default("Pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("subscription_requests_pending_idx").on(t.status, t.createdAt)],
);

/** Transactions a client said changed a subscription (`hint-update-state`), for the worker to look at first. */
export const chainHints = pgTable(
  "chain_hints",
  {
    chainId: integer("chain_id").notNull(),
    txHash: text("tx_hash").notNull(),
    receivedAt: timestamptz("received_at").notNull().defaultNow(),
    processedAt: timestamptz("processed_at"),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.txHash] })],
);
