import { z } from "zod";
import { PLAN_STATUSES } from "../db/schema.js";
import { INTERVAL_SECONDS } from "../domain/plans.js";
import { checksummedAddress, freeText, isoTime, limit, money, offset, statusList, text } from "./common.js";

/** A plan as the API shows it (SmartyPay's shape, with the chain and token it bills in). */
export const planResource = z
  .object({
    id: z.string(),
    companyId: z.number().int().describe("The merchant's number (a number, as SmartyPay's clients expect)"),
    name: z.string(),
    description: z.string(),
    amount: money,
    asset: z.string().describe("Token code"),
    blockchain: z.string().describe("Chain name"),
    periodSeconds: z.number().int(),
    gracePeriodSeconds: z.number().int(),
    maxPeriods: z.number().int().describe("Charges a new subscription allows unless it asks for another number"),
    createdAt: isoTime,
    status: z.enum(PLAN_STATUSES),
    tags: z.array(z.string()),
  })
  .meta({ id: "Plan" });
export type PlanResource = z.infer<typeof planResource>;

export const planList = z.object({ plans: z.array(planResource) });

/** A plan as a payer sees it before subscribing: with who is paid. */
export const planWithPayee = planResource
  .extend({
    payee: checksummedAddress.nullable().describe("The merchant's payout address on the plan's chain; null until set"),
  })
  .meta({ id: "PlanWithPayee" });
export type PlanWithPayee = z.infer<typeof planWithPayee>;

export const planIdParams = z.strictObject({ id: text(64) });

export const listPlansQuery = z.strictObject({
  limit,
  offset,
  statusIn: statusList(PLAN_STATUSES, {
    max: 64,
    noun: "plan status",
    description: "Comma-separated plan statuses (merchants only); default Active",
  }),
});

export const createPlanBody = z.strictObject({
  name: text(200),
  description: freeText(2_000).optional(),
  amount: text(100).describe('Decimal amount and token code, e.g. "9.99 USDC"'),
  periodSeconds: z
    .number()
    .int()
    .min(60)
    .max(2 ** 32 - 1)
    .optional()
    .describe("Seconds between charges; or give interval and frequency"),
  interval: z.enum(Object.keys(INTERVAL_SECONDS) as [keyof typeof INTERVAL_SECONDS]).optional(),
  frequency: z.number().int().min(1).max(7).optional().describe("Every 1st..7th interval (default 1)"),
  gracePeriodSeconds: z
    .number()
    .int()
    .min(0)
    .max(365 * 86_400)
    .optional()
    .describe("How long failed charges are retried before the subscription is cancelled"),
  maxPeriods: z.number().int().min(1).max(65_535).optional().describe("Charges per subscription (default 24)"),
  tags: z.array(text(50)).max(20).optional(),
});
/** A new plan as a client sends it. */
export type NewPlan = z.input<typeof createPlanBody>;
