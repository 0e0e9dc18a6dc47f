import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { Queryable } from "../db/openDatabase.js";
import { type PlanStatus, plans } from "../db/schema.js";
import { ConflictError, InvalidRequestError, NotFoundError } from "./errors.js";
import { MoneyError, parseMoney } from "./money.js";
import { newId } from "./newId.js";
import type { Services } from "./Services.js";

/** Calendar units a plan's period can be given in; a month is 30 days and a year 365. */
export const INTERVAL_SECONDS = { Day: 86_400, Week: 604_800, Month: 2_592_000, Year: 31_536_000 } as const;
export type Interval = keyof typeof INTERVAL_SECONDS;

export interface PlanInput {
  name: string;
  description?: string | undefined;
  /** `"9.99 USDC"` */
  amount: string;
  periodSeconds?: number | undefined;
  interval?: Interval | undefined;
  /** Every 1st..7th interval. */
  frequency?: number | undefined;
  gracePeriodSeconds?: number | undefined;
  maxPeriods?: number | undefined;
  tags?: string[] | undefined;
}

/** The period of a plan given either in seconds or as an interval times a frequency. */
export function planPeriodSeconds(input: Pick<PlanInput, "periodSeconds" | "interval" | "frequency">): number {
  if (input.periodSeconds !== undefined) {
    if (input.interval !== undefined || input.frequency !== undefined) {
      throw new InvalidRequestError("Give the period either as periodSeconds or as interval and frequency, not both", [
        { path: "body.periodSeconds", message: "given together with interval/frequency" },
      ]);
    }
    return input.periodSeconds;
  }
  if (input.interval === undefined) {
    throw new InvalidRequestError(
      "A plan needs a period: periodSeconds, or interval (Day, Week, Month, Year) and frequency",
      [{ path: "body.periodSeconds", message: "missing" }],
    );
  }
  return INTERVAL_SECONDS[input.interval] * (input.frequency ?? 1);
}

/** Creates a plan in `Draft`; it takes new subscriptions once activated. */
export async function createPlan(tx: Queryable, services: Services, merchantId: string, input: PlanInput) {
  let parsed: ReturnType<typeof parseMoney>;
  try {
    parsed = parseMoney(input.amount, services.config.chains);
  } catch (error) {
    if (error instanceof MoneyError) {
      throw new InvalidRequestError(error.message, [{ path: "body.amount", message: error.message }]);
    }
    throw error;
  }
  if (parsed.token.feeOnTransfer) {
    const message = `${parsed.token.code} keeps a fee on every transfer, so payees would be short-paid: use another token`;
    throw new InvalidRequestError(message, [{ path: "body.amount", message }]);
  }
  const now = services.now();
  const [row] = await tx
    .insert(plans)
    .values({
      id: newId("plan", 16),
      merchantId,
      name: input.name,
      description: input.description ?? "",
      chainId: parsed.chain.chainId,
      tokenCode: parsed.token.code,
      amount: parsed.amount,
      periodSeconds: planPeriodSeconds(input),
      gracePeriodSeconds: input.gracePeriodSeconds ?? 0,
      maxPeriods: input.maxPeriods ?? 24,
      status: "Draft",
      tags: input.tags ?? [],
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error("plan insert returned nothing");
  return row;
}

export async function getPlan(tx: Queryable, merchantId: string, planId: string) {
  const [row] = await tx
    .select()
    .from(plans)
    .where(and(eq(plans.id, planId), eq(plans.merchantId, merchantId)));
  if (!row) throw new NotFoundError("plan", planId);
  return row;
}

/** Plans of a merchant, newest first (ties broken by id, so pages are stable). */
export async function listPlans(
  tx: Queryable,
  merchantId: string,
  filter: { statuses: readonly PlanStatus[]; limit: number; offset: number },
) {
  return tx
    .select()
    .from(plans)
    .where(and(eq(plans.merchantId, merchantId), inArray(plans.status, [...filter.statuses])))
    .orderBy(desc(plans.createdAt), asc(plans.id))
    .limit(filter.limit)
    .offset(filter.offset);
}

const ALLOWED: Record<"Active" | "Archived", readonly PlanStatus[]> = {
  Active: ["Draft", "Active"],
  Archived: ["Draft", "Active", "Archived"],
};

/**
 * Activates a plan (it then takes new subscriptions) or archives it (it takes none; existing subscriptions carry
 * on). Doing it again is harmless; an archived plan cannot come back.
 */
export async function setPlanStatus(
  tx: Queryable,
  services: Services,
  merchantId: string,
  planId: string,
  status: "Active" | "Archived",
) {
  const plan = await getPlan(tx, merchantId, planId);
  if (!ALLOWED[status].includes(plan.status)) {
    throw new ConflictError(`Plan ${planId} is ${plan.status} and cannot become ${status}: create a new plan instead`);
  }
  if (plan.status === status) return plan;
  const [row] = await tx
    .update(plans)
    .set({ status, updatedAt: services.now() })
    .where(eq(plans.id, planId))
    .returning();
  if (!row) throw new Error("plan update returned nothing");
  return row;
}
