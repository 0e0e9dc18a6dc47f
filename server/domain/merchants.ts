import { randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { type Address, getAddress } from "viem";
import type { SecretBox } from "../auth/secretBox.js";
import { addressProblem } from "../chain/addressSchema.js";
import type { Database, Queryable } from "../db/openDatabase.js";
import { apiKeys, merchantChains, merchants } from "../db/schema.js";
import { newId } from "./newId.js";

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

/** Issues a new API key in place of `currentKey`, which stops working after {@link ROTATION_GRACE_SECONDS}. */
export async function rotateApiKey(
  tx: Queryable,
  secrets: SecretBox,
  merchantId: string,
  currentKey: string,
  now: Date,
): Promise<IssuedApiKey> {
  await tx
    .update(apiKeys)
    .set({ expiresAt: new Date(now.getTime() + ROTATION_GRACE_SECONDS * 1000) })
    .where(and(eq(apiKeys.id, currentKey), eq(apiKeys.merchantId, merchantId), isNull(apiKeys.expiresAt)));
  return issueApiKey(tx, secrets, merchantId);
}

/** A random 32-byte hex string: the format of `RECUR_SECRET_KEY`. */
export function newSecretKey(): string {
  return randomBytes(32).toString("hex");
}
