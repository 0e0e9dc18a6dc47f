import { eq } from "drizzle-orm";
import type { Queryable } from "../db/openDatabase.js";
import { merchants } from "../db/schema.js";
import type { Branding, ValidBrandingChange } from "../schemas/branding.js";
import { NotFoundError } from "./errors.js";

type MerchantRow = typeof merchants.$inferSelect;

/** A merchant row's branding: its display name falls back to the merchant's name. */
export function brandingOf(
  merchant: Pick<MerchantRow, "name" | "displayName" | "logoUrl" | "accentColor" | "supportUrl">,
): Branding {
  return {
    displayName: merchant.displayName ?? merchant.name,
    logoUrl: merchant.logoUrl,
    accentColor: merchant.accentColor,
    supportUrl: merchant.supportUrl,
  };
}

/** How `merchantId`'s payer pages present it. */
export async function getBranding(db: Queryable, merchantId: string): Promise<Branding> {
  const [row] = await db.select().from(merchants).where(eq(merchants.id, merchantId));
  if (!row) throw new NotFoundError("merchant", merchantId);
  return brandingOf(row);
}

/**
 * Applies `change` (already validated by `brandingBody`) to `merchantId`'s branding in one statement: a field left
 * out stays as it is, null clears it. Returns the branding as it now stands.
 */
export async function setBranding(tx: Queryable, merchantId: string, change: ValidBrandingChange): Promise<Branding> {
  const set: Partial<Pick<MerchantRow, "displayName" | "logoUrl" | "accentColor" | "supportUrl">> = {};
  if (change.displayName !== undefined) set.displayName = change.displayName;
  if (change.logoUrl !== undefined) set.logoUrl = change.logoUrl;
  if (change.accentColor !== undefined) set.accentColor = change.accentColor;
  if (change.supportUrl !== undefined) set.supportUrl = change.supportUrl;
  if (Object.keys(set).length === 0) return getBranding(tx, merchantId);
  const [row] = await tx.update(merchants).set(set).where(eq(merchants.id, merchantId)).returning();
  if (!row) throw new NotFoundError("merchant", merchantId);
  return brandingOf(row);
}
