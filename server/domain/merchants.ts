import { randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import { type Address, getAddress } from "viem";
import type { SecretBox } from "../auth/secretBox.js";
import { addressProblem } from "../chain/addressSchema.js";
import type { Database, Queryable } from "../db/openDatabase.js";
import { apiKeys, merchantChains, merchants } from "../db/schema.js";
import { ConflictError, NotFoundError } from "./errors.js";
import { newId } from "./newId.js";
import type { Services } from "./Services.js";

/** An API key with its secret, as shown once, when it is created. */
export interface IssuedApiKey {
  apiKey: string;
  apiSecret: string;
}

/** A merchant's accounts on one chain. */
export interface MerchantChain {
  chainId: number;
  /** Where subscriptions on this chain pay (the `payee` term). */
  payoutAddress: Address;
  /** The gas wallet that activates and charges, and may pause and cancel (the `operator` term). */
  gasWalletAddress: Address;
  /** Where the worker finds its key: `env:NAME` or `file:PATH` (see `loadGasWalletKey`). */
  gasWalletKey?: string | null | undefined;
}

/** A 64-character API secret, base62, like SmartyPay's. */
function newApiSecret(): string {
  return newId("x", 64).slice(2);
}

/** Creates an API key for `merchantId`, storing its secret encrypted; the secret is only in the return value. */
export async function issueApiKey(tx: Queryable, secrets: SecretBox, merchantId: string): Promise<IssuedApiKey> {
  const apiKey = newId("rk", 32);
  const apiSecret = newApiSecret();
  await tx.insert(apiKeys).values({ id: apiKey, merchantId, secretCiphertext: secrets.seal(apiSecret) });
  return { apiKey, apiSecret };
}

/**
 * Creates a merchant with its chains and a first API key. An operator task (the CLI does it with direct database
 * access); the returned secret is never stored in clear or shown again.
 */
export async function createMerchant(
  db: Database,
  secrets: SecretBox,
  input: { name: string; webhookUrl?: string | null; chains: MerchantChain[] },
): Promise<{ merchantId: string } & IssuedApiKey> {
  return db.transaction(async (tx) => {
    const merchantId = newId("mer", 16);
    await tx.insert(merchants).values({ id: merchantId, name: input.name, webhookUrl: input.webhookUrl ?? null });
    for (const chain of input.chains) await setMerchantChain(tx, merchantId, chain);
    return { merchantId, ...(await issueApiKey(tx, secrets, merchantId)) };
  });
}

/** Chain settings that cannot be stored; the message names the field. */
export class MerchantChainError extends Error {
  override name = "MerchantChainError";
}

/**
 * Sets (or replaces) where `merchantId` is paid and which gas wallet operates for it on a chain. Both addresses
 * must pass the address rule (EIP-55 checksum, not zero): a typo here would send payouts nobody can spend.
 */
export async function setMerchantChain(tx: Queryable, merchantId: string, chain: MerchantChain): Promise<void> {
  for (const [field, value] of [
    ["payoutAddress", chain.payoutAddress],
    ["gasWalletAddress", chain.gasWalletAddress],
  ] as const) {
    const problem = addressProblem(value, { zero: "refuse" });
    if (problem !== undefined) throw new MerchantChainError(`${field} ${value} ${problem.message}`);
  }
  const values = {
    merchantId,
    chainId: chain.chainId,
    payoutAddress: getAddress(chain.payoutAddress),
    gasWalletAddress: getAddress(chain.gasWalletAddress),
    gasWalletKey: chain.gasWalletKey ?? null,
  };
  await tx
    .insert(merchantChains)
    .values(values)
    .onConflictDoUpdate({
      target: [merchantChains.merchantId, merchantChains.chainId],
      set: {
        payoutAddress: values.payoutAddress,
        gasWalletAddress: values.gasWalletAddress,
        gasWalletKey: values.gasWalletKey,
      },
    });
}

/** How long a rotated-away key keeps working, so requests in flight (and a retried rotation) still pass. */
export const ROTATION_GRACE_SECONDS = 3_600;

/**
 * Where a key stands: `Active` (current, no end date), `Expiring` (rotated away, works until `expiresAt`),
 * `Expired`, or `Revoked` (stopped at once by the merchant).
 */
export type ApiKeyStatus = "Active" | "Expiring" | "Expired" | "Revoked";

/** An API key as its merchant may see it: never its secret. */
export interface ApiKeySummary {
  apiKey: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  status: ApiKeyStatus;
}

type ApiKeyRow = typeof apiKeys.$inferSelect;

function summaryOf(row: ApiKeyRow, now: Date): ApiKeySummary {
  const status: ApiKeyStatus = row.revokedAt
    ? "Revoked"
    : row.expiresAt === null
      ? "Active"
      : row.expiresAt > now
        ? "Expiring"
        : "Expired";
  return {
    apiKey: row.id,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
    status,
  };
}

/**
 * The merchant's keys, locked until the transaction ends: rotations and revocations of one merchant's keys take
 * turns, so two of them can never together leave it without a current key, or with two.
 */
function lockKeys(tx: Queryable, merchantId: string): Promise<ApiKeyRow[]> {
  return tx
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.merchantId, merchantId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .for("update");
}

/** A merchant's API keys, newest first, with what each can still do. */
export async function listApiKeys(db: Queryable, merchantId: string, now: Date): Promise<ApiKeySummary[]> {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.merchantId, merchantId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map((row) => summaryOf(row, now));
}

/**
 * Issues a new API key in place of `currentKey`. Every other key of the merchant, `currentKey` included, stops
 * working within {@link ROTATION_GRACE_SECONDS}, so after a rotation's grace period only its new key works. Only a
 * current key (Active) may rotate: a key already rotated away would otherwise mint keys that outlive it.
 */
export async function rotateApiKey(
  tx: Queryable,
  secrets: SecretBox,
  merchantId: string,
  currentKey: string,
  now: Date,
): Promise<IssuedApiKey> {
  const keys = await lockKeys(tx, merchantId);
  const signing = keys.find((key) => key.id === currentKey);
  if (!signing || summaryOf(signing, now).status !== "Active") {
    throw new ConflictError(
      `The key this request is signed with was rotated away${signing?.expiresAt ? ` and stops working at ${signing.expiresAt.toISOString()}` : ""}: ` +
        "sign the rotation with your current key (GET /integration/api-keys lists them)",
    );
  }
  const graceEnd = new Date(now.getTime() + ROTATION_GRACE_SECONDS * 1000);
  await tx
    .update(apiKeys)
    .set({ expiresAt: graceEnd })
    .where(
      and(
        eq(apiKeys.merchantId, merchantId),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, graceEnd)),
      ),
    );
  return issueApiKey(tx, secrets, merchantId);
}

/**
 * Revokes `apiKey` at once. Refused for the key the request is signed with (revoke it with another key), and for
 * the merchant's last current key (rotate first), so that a merchant always keeps a key that works. Revoking a key
 * already revoked changes nothing.
 */
export async function revokeApiKey(
  tx: Queryable,
  merchantId: string,
  apiKey: string,
  signingKey: string,
  now: Date,
): Promise<ApiKeySummary> {
  const keys = await lockKeys(tx, merchantId);
  const target = keys.find((key) => key.id === apiKey);
  if (!target) throw new NotFoundError("API key", apiKey, "GET /integration/api-keys lists yours");
  if (target.revokedAt) return summaryOf(target, now);
  if (apiKey === signingKey) {
    throw new ConflictError("A key cannot revoke itself: sign the revocation with another of your keys");
  }
  const otherCurrent = keys.some((key) => key.id !== apiKey && summaryOf(key, now).status === "Active");
  if (summaryOf(target, now).status === "Active" && !otherCurrent) {
    throw new ConflictError(
      "This is your current key and revoking it would leave you none: rotate first " +
        "(POST /integration/api-keys/rotate), then revoke it signed with the new key",
    );
  }
  const [revoked] = await tx.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, apiKey)).returning();
  if (!revoked) throw new Error("a locked API key vanished");
  return summaryOf(revoked, now);
}

/** Merchant id to number, per {@link Services}: a merchant's number never changes, so it is read once. */
const companyIds = new WeakMap<Services, Map<string, number>>();

/** The merchant's number, SmartyPay's numeric `companyId` on plans. */
export async function companyIdOf(services: Services, merchantId: string): Promise<number> {
  const known = companyIds.get(services) ?? new Map<string, number>();
  companyIds.set(services, known);
  const cached = known.get(merchantId);
  if (cached !== undefined) return cached;
  const [row] = await services.db
    .select({ companyId: merchants.companyId })
    .from(merchants)
    .where(eq(merchants.id, merchantId));
  if (!row) throw new Error(`no merchant ${merchantId}`);
  known.set(merchantId, row.companyId);
  return row.companyId;
}

/** A random 32-byte hex string: the format of `RECUR_SECRET_KEY`. */
export function newSecretKey(): string {
  return randomBytes(32).toString("hex");
}
