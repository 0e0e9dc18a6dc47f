import { and, asc, desc, eq, getTableColumns, inArray, type SQL, sql } from "drizzle-orm";
import { type Address, getAddress, type Hex } from "viem";
import type { Queryable } from "../db/openDatabase.js";
import { type ChargeStatus, charges, subscriptions } from "../db/schema.js";
import { newId } from "./newId.js";

type ChargeRow = typeof charges.$inferSelect;
type SubscriptionRow = typeof subscriptions.$inferSelect;

/** What a write sets on the charge of one period: its status, and the other columns it knows. */
export type ChargeValues = Pick<ChargeRow, "status" | "chargeDate"> &
  Partial<Pick<ChargeRow, "txHash" | "failureReason" | "nextRetryAt" | "attempts">>;

/** The charge of one subscription's period, as a write gives it. */
export interface ChargeWrite {
  subscription: Pick<SubscriptionRow, "contractAddress" | "merchantId" | "amount">;
  periodIndex: number;
  values: ChargeValues;
}

const COLUMNS = getTableColumns(charges);

/**
 * Records the charges of subscriptions' periods in one statement: each is created, or, when its period already has
 * one, updated with the columns its write gives (every write in a call gives the same ones). With
 * `keepSucceeded`, a charge already succeeded is left alone and not returned, so a caller that announces what it
 * returns announces each success once. Returns the rows written. In the caller's transaction.
 */
export async function upsertCharges(
  tx: Queryable,
  now: Date,
  writes: readonly ChargeWrite[],
  options: { keepSucceeded?: boolean } = {},
): Promise<ChargeRow[]> {
  const [first] = writes;
  if (!first) return [];
  const keys = Object.keys(first.values) as (keyof ChargeValues)[];
  if (writes.some((write) => Object.keys(write.values).length !== keys.length)) {
    throw new Error("every charge written together must set the same columns");
  }
  // each row's own value, as the insert proposed it
  const set = Object.fromEntries(keys.map((key) => [key, sql`excluded.${sql.identifier(COLUMNS[key].name)}`]));
  return tx
    .insert(charges)
    .values(
      writes.map(({ subscription, periodIndex, values }) => ({
        id: newId("chg", 20),
        contractAddress: subscription.contractAddress,
        merchantId: subscription.merchantId,
        periodIndex,
        amount: subscription.amount,
        createdAt: now,
        ...values,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [charges.contractAddress, charges.periodIndex],
      set: { ...set, updatedAt: now },
      ...(options.keepSucceeded ? { setWhere: sql`${charges.status} <> 'Succeeded'` } : {}),
    })
    .returning();
}

/** The charge of `periodIndex` of a subscription, if there is one. */
export async function getCharge(
  tx: Queryable,
  contractAddress: Address,
  periodIndex: number,
): Promise<ChargeRow | undefined> {
  const [row] = await tx
    .select()
    .from(charges)
    .where(and(eq(charges.contractAddress, contractAddress), eq(charges.periodIndex, periodIndex)));
  return row;
}

/** A subscription that ended (cancelled or finished on chain) has nothing left to charge or retry. */
export async function cancelOpenCharges(tx: Queryable, contractAddress: Address, now: Date): Promise<void> {
  await tx
    .update(charges)
    .set({ status: "Cancelled", nextRetryAt: null, updatedAt: now })
    .where(and(eq(charges.contractAddress, contractAddress), inArray(charges.status, ["Pending", "Retrying"])));
}

/** Charges made by transactions the chain no longer holds (a reorganisation) are not made: back to `Pending`. */
export async function reopenCharges(tx: Queryable, txHashes: readonly Hex[], now: Date): Promise<void> {
  if (txHashes.length === 0) return;
  await tx
    .update(charges)
    .set({ status: "Pending", updatedAt: now })
    .where(and(inArray(charges.txHash, [...txHashes]), eq(charges.status, "Succeeded")));
}

/** The charges of one subscription, first to last. */
export async function listCharges(tx: Queryable, contractAddress: Address): Promise<ChargeRow[]> {
  return tx
    .select()
    .from(charges)
    .where(eq(charges.contractAddress, contractAddress))
    .orderBy(asc(charges.periodIndex));
}

/**
 * A merchant's charges, newest first (ties broken by id, so pages are stable), with their subscription's token
 * code; of one subscription with `contractAddress` (none for an address that is not one).
 */
export async function listMerchantCharges(
  tx: Queryable,
  merchantId: string,
  filter: {
    contractAddress?: string | undefined;
    statuses?: readonly ChargeStatus[] | undefined;
    limit: number;
    offset: number;
  },
): Promise<{ charge: ChargeRow; tokenCode: string }[]> {
  const conditions: SQL[] = [eq(charges.merchantId, merchantId)];
  if (filter.contractAddress) {
    let address: Address;
    try {
      address = getAddress(filter.contractAddress);
    } catch {
      return [];
    }
    conditions.push(eq(charges.contractAddress, address));
  }
  if (filter.statuses) conditions.push(inArray(charges.status, [...filter.statuses]));
  return tx
    .select({ charge: charges, tokenCode: subscriptions.tokenCode })
    .from(charges)
    .innerJoin(subscriptions, eq(subscriptions.contractAddress, charges.contractAddress))
    .where(and(...conditions))
    .orderBy(desc(charges.chargeDate), asc(charges.id))
    .limit(filter.limit)
    .offset(filter.offset);
}
