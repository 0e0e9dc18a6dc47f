import { z } from "zod";
import { brandingResource } from "./branding.js";
import { planWithPayee } from "./plans.js";

/** What a merchant offers a payer: how it presents itself and its Active plans, each with who is paid. */
export const storefrontResource = z
  .object({
    customerId: z.string().nullable().describe("The customer a customer token speaks for; null for the merchant"),
    branding: brandingResource,
    plans: z.array(planWithPayee).describe("Active plans, newest first (at most 100)"),
  })
  .meta({ id: "Storefront" });
export type Storefront = z.infer<typeof storefrontResource>;
