import { eq } from "drizzle-orm";
import type { Queryable } from "../db/openDatabase.js";
import { merchantChains, merchants } from "../db/schema.js";
import type { Storefront } from "../schemas/storefront.js";
import { brandingOf } from "./branding.js";
import { NotFoundError } from "./errors.js";
import { listPlans } from "./plans.js";
import { toPlanResource } from "./resources.js";
import type { Services } from "./Services.js";

/** The most Active plans a storefront lists (newest first): more would not fit a page a payer reads. */
export const STOREFRONT_PLANS = 100;

/**
 * What `merchantId` offers a payer (`customerId`, when a customer token asks): its branding and its Active plans,
 * each with the payout address of its chain (the payee the terms name). One answer, so an embedded widget paints its
 * plans after a single round trip.
 */
export async function storefrontOf(
  db: Queryable,
  services: Services,
  merchantId: string,
  customerId: string | null,
): Promise<Storefront> {
  const [merchant] = await db.select().from(merchants).where(eq(merchants.id, merchantId));
  if (!merchant) throw new NotFoundError("merchant", merchantId);
  const rows = await listPlans(db, merchantId, { statuses: ["Active"], limit: STOREFRONT_PLANS, offset: 0 });
  const payouts = await db
    .select({ chainId: merchantChains.chainId, payoutAddress: merchantChains.payoutAddress })
    .from(merchantChains)
    .where(eq(merchantChains.merchantId, merchantId));
  const payeeOn = new Map(payouts.map((row) => [row.chainId, row.payoutAddress]));
  return {
    customerId,
    branding: brandingOf(merchant),
    plans: rows.map((row) => ({
      ...toPlanResource(row, services.config.chains, merchant.companyId),
      payee: payeeOn.get(row.chainId) ?? null,
    })),
  };
}
