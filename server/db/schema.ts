import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { Address, Hex } from "viem";

/** Token base units: `numeric(78, 0)` holds any uint256 exactly; `bigint` in code. */
const tokenAmount = customType<{ data: bigint; driverData: string }>({
  dataType: () => "numeric(78, 0)",
  toDriver: (value) => value.toString(),
  fromDriver: (value) => BigInt(value),
});

/** An EVM address (`0x` and 40 hex digits); the type only, the column stays `text`. */
const address = (name: string) => text(name).$type<Address>();
/** A 32-byte hash or other `0x` hex (transaction and block hashes, signed transactions); `text` in the database. */
const hex = (name: string) => text(name).$type<Hex>();

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
  /** The merchant's number: SmartyPay's `companyId` on plans is a number, so SmartyPay clients get one. */
  companyId: integer("company_id").generatedAlwaysAsIdentity().notNull().unique(),
  name: text("name").notNull(),
  webhookUrl: text("webhook_url"),
  createdAt: createdAt(),
  /** What payer pages call the merchant; null: its `name`. */
  displayName: text("display_name"),
  /** An https image URL (checked by `logoUrlProblem`) shown beside the display name; null: none. */
  logoUrl: text("logo_url"),
  /** `#rrggbb`, lower case, dark enough for white text (`accentColorProblem`); null: the site's own. */
  accentColor: text("accent_color"),
  /** An https URL or `mailto:` address in the payer pages' footer; null: none. */
  supportUrl: text("support_url"),
});

/** Per chain: where a merchant is paid, and the gas wallet that operates its subscriptions. */
export const merchantChains = pgTable(
  "merchant_chains",
  {
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    chainId: integer("chain_id").notNull(),
    payoutAddress: address("payout_address").notNull(),
    gasWalletAddress: address("gas_wallet_address").notNull(),
    /**
     * Where the worker finds the gas wallet's key: `env:NAME` (a variable of its environment) or `file:PATH` (a
     * key file sealed with the deployment's secret key). Null: this deployment does not send for the merchant.
     */
    gasWalletKey: text("gas_wallet_key"),
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
    /** When the merchant revoked it: it stopped working at once. */
    revokedAt: timestamptz("revoked_at"),
    /** The last request it authenticated, to within a minute (see `Authenticator`). */
    lastUsedAt: timestamptz("last_used_at"),
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
    /** Up to 2^32 - 1, the contract's uint32: wider than an `integer`. */
    periodSeconds: bigint("period_seconds", { mode: "number" }).notNull(),
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
    contractAddress: address("contract_address").primaryKey(),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    planId: text("plan_id")
      .notNull()
      .references(() => plans.id),
    customerId: text("customer_id").notNull(),
    chainId: integer("chain_id").notNull(),
    tokenCode: text("token_code").notNull(),
    tokenAddress: address("token_address").notNull(),
    payer: address("payer").notNull(),
    payee: address("payee").notNull(),
    operator: address("operator").notNull(),
    amount: tokenAmount("amount").notNull(),
    periodSeconds: bigint("period_seconds", { mode: "number" }).notNull(),
    gracePeriodSeconds: integer("grace_period_seconds").notNull(),
    /** The terms' `startAt`: a free trial until then, or the epoch (0) for "at activation". */
    startAt: timestamptz("start_at").notNull(),
    maxPeriods: integer("max_periods").notNull(),
    activateBy: timestamptz("activate_by").notNull(),
    salt: bigint("salt", { mode: "number" }).notNull(),
    status: text("status", { enum: SUBSCRIPTION_STATUSES }).notNull(),
    /** Why the subscription is where it is, when that needs saying (a draft the chain refused, an error). */
    statusReason: text("status_reason"),
    metadata: text("metadata"),
    periodsCharged: integer("periods_charged").notNull().default(0),
    /**
     * When a subscription that starts at activation (`startAt` 0) was activated: its first charge's block time,
     * from the chain. Null before (and after a reorganisation undid the activation), and for a trial.
     */
    startedAt: timestamptz("started_at"),
    nextChargeAt: timestamptz("next_charge_at"),
    /** The payer's allowance for the contract as last read from the chain, base units. */
    allowance: tokenAmount("allowance"),
    checkoutSessionId: text("checkout_session_id"),
    /** When the period now unpaid fell due (chain time); null while charges succeed. The grace period runs from it. */
    dueSince: timestamptz("due_since"),
    /** Failed attempts to charge the period now unpaid; picks the next rung of the retry ladder. */
    chargeAttempts: integer("charge_attempts").notNull().default(0),
    /** When the keeper tries the unpaid period again (chain time); null while charges succeed. */
    retryAt: timestamptz("retry_at"),
    /** The charge time an `UpcomingCharge` reminder was last sent for. */
    remindedFor: timestamptz("reminded_for"),
    /** A worker holds this subscription until then (a claim, so two workers never charge it at once). */
    leaseUntil: timestamptz("lease_until"),
    leaseOwner: text("lease_owner"),
    createdAt: createdAt(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("subscriptions_merchant_idx").on(t.merchantId, t.createdAt, t.contractAddress),
    index("subscriptions_customer_idx").on(t.merchantId, t.customerId),
    index("subscriptions_payer_idx").on(t.merchantId, t.payer),
    index("subscriptions_due_idx").on(t.status, t.nextChargeAt),
    // the indexer reads again what changed since it last moved
    index("subscriptions_updated_idx").on(t.chainId, t.updatedAt),
  ],
);

export const charges = pgTable(
  "charges",
  {
    id: text("id").primaryKey(),
    contractAddress: address("contract_address")
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
    txHash: hex("tx_hash"),
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
    contractAddress: address("contract_address"),
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
    /** Next delivery attempt; null once delivered or given up. */
    nextAttemptAt: timestamptz("next_attempt_at").defaultNow(),
    lastError: text("last_error"),
    leaseUntil: timestamptz("lease_until"),
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
    contractAddress: address("contract_address")
      .notNull()
      .references(() => subscriptions.contractAddress),
    action: text("action", { enum: SUBSCRIPTION_ACTIONS }).notNull(),
    /** A permit for an activation, as the API took it (`PermitSignature`: its `kind` says which; none is EIP-2612). */
    params: jsonb("params"),
    status: text("status", { enum: ["Pending", "Done", "Failed"] })
      .notNull()
      .default("Pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** The transaction that carries the request out, once sent. */
    txHash: hex("tx_hash"),
    leaseUntil: timestamptz("lease_until"),
    leaseOwner: text("lease_owner"),
    createdAt: createdAt(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("subscription_requests_pending_idx").on(t.status, t.createdAt)],
);

/**
 * Transactions a client said changed a subscription (`hint-update-state`), for the worker to look at first. Only a
 * pointer: the worker reads the transaction's receipt and the subscriptions' state from the chain. Kept once per
 * hash, and deleted some hours after it was looked at.
 */
export const chainHints = pgTable(
  "chain_hints",
  {
    chainId: integer("chain_id").notNull(),
    txHash: hex("tx_hash").notNull(),
    receivedAt: timestamptz("received_at").notNull().defaultNow(),
    /** When the worker may look (again): a transaction not mined yet is retried a few times. */
    nextAttemptAt: timestamptz("next_attempt_at").notNull().defaultNow(),
    attempts: integer("attempts").notNull().default(0),
    /** Once looked at (or given up on): what the worker did, for the operator. */
    processedAt: timestamptz("processed_at"),
    outcome: text("outcome"),
  },
  (t) => [
    primaryKey({ columns: [t.chainId, t.txHash] }),
    index("chain_hints_pending_idx").on(t.chainId, t.processedAt, t.nextAttemptAt),
  ],
);

/** Every attempt to deliver a webhook event: what was sent where, and what came back. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey(),
    eventId: uuid("event_id")
      .notNull()
      .references(() => outboxEvents.id),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    attempt: integer("attempt").notNull(),
    url: text("url").notNull(),
    /** The HTTP status the endpoint answered, or null if it could not be reached. */
    responseStatus: integer("response_status"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    attemptedAt: timestamptz("attempted_at").notNull(),
  },
  (t) => [
    index("webhook_deliveries_event_idx").on(t.eventId, t.attempt),
    index("webhook_deliveries_merchant_idx").on(t.merchantId, t.attemptedAt),
  ],
);

/** Gas wallets the worker sends from: the next nonce it will use, and the balance it last saw. */
export const gasWallets = pgTable(
  "gas_wallets",
  {
    chainId: integer("chain_id").notNull(),
    address: address("address").notNull(),
    nextNonce: integer("next_nonce").notNull().default(0),
    /** Native balance in wei, as last read. */
    balance: tokenAmount("balance"),
    low: boolean("low").notNull().default(false),
    checkedAt: timestamptz("checked_at"),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.address] })],
);

/** Every transaction the worker signed, written before it is broadcast, so a restart can resume it. */
export const chainTransactions = pgTable(
  "chain_transactions",
  {
    hash: hex("hash").primaryKey(),
    chainId: integer("chain_id").notNull(),
    sender: address("sender").notNull(),
    nonce: integer("nonce").notNull(),
    /** What it does: `activate`, `charge`, `pause`, `unpause`, `cancel`. */
    purpose: text("purpose").notNull(),
    /** The subscriptions it concerns. */
    subscriptions: text("subscriptions").array().$type<Address[]>().notNull(),
    /** The signed transaction, for rebroadcasting. */
    raw: hex("raw").notNull(),
    /** `Dropped`: never broadcast, or its nonce went to another transaction; its nonce is free again. */
    status: text("status", { enum: ["Sent", "Mined", "Reverted", "Dropped"] }).notNull(),
    blockNumber: integer("block_number"),
    gasUsed: tokenAmount("gas_used"),
    createdAt: createdAt(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("chain_transactions_open_idx").on(t.chainId, t.status),
    // one live transaction per nonce; a dropped one leaves its nonce to the next
    uniqueIndex("chain_transactions_live_nonce_unique")
      .on(t.chainId, t.sender, t.nonce)
      .where(sql`${t.status} <> 'Dropped'`),
  ],
);

/** How far the indexer has read each chain. */
export const chainCursors = pgTable("chain_cursors", {
  chainId: integer("chain_id").primaryKey(),
  blockNumber: integer("block_number").notNull(),
  blockHash: hex("block_hash").notNull(),
  updatedAt: timestamptz("updated_at").notNull().defaultNow(),
});

/** Hashes of recently indexed blocks, to find where a reorganised chain forked. */
export const chainBlocks = pgTable(
  "chain_blocks",
  {
    chainId: integer("chain_id").notNull(),
    number: integer("number").notNull(),
    hash: hex("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.number] })],
);

/** Subscription and factory events the indexer has read, confirmed: what subscription state is derived from. */
export const chainEvents = pgTable(
  "chain_events",
  {
    chainId: integer("chain_id").notNull(),
    blockNumber: integer("block_number").notNull(),
    blockHash: hex("block_hash").notNull(),
    blockTime: timestamptz("block_time").notNull(),
    txHash: hex("tx_hash").notNull(),
    logIndex: integer("log_index").notNull(),
    /** The subscription the event is about. */
    contractAddress: address("contract_address").notNull(),
    name: text("name").notNull(),
    args: jsonb("args").notNull(),
  },
  (t) => [
    // one batch log (`SubscriptionsCharged`) is about many subscriptions: a row for each
    primaryKey({ columns: [t.chainId, t.txHash, t.logIndex, t.contractAddress] }),
    index("chain_events_subscription_idx").on(t.contractAddress, t.blockNumber, t.logIndex),
    index("chain_events_block_idx").on(t.chainId, t.blockNumber),
  ],
);

/** Jobs only one worker may do at a time (following a chain): held by `owner` until `leaseUntil`. */
export const taskLeases = pgTable("task_leases", {
  name: text("name").primaryKey(),
  owner: text("owner").notNull(),
  leaseUntil: timestamptz("lease_until").notNull(),
});
