import { z } from "zod";
import { addressSchema } from "../chain/addressSchema.js";
import { PLAN_STATUSES, SUBSCRIPTION_STATUSES } from "../db/schema.js";
import { INTERVAL_SECONDS } from "../domain/plans.js";

/*
 * Request schemas: they validate, and they are what the OpenAPI document describes. Objects are strict, so a
 * misspelt field is an error rather than silently ignored.
 */

export const errorResponse = z
  .object({
    status: z.number().int(),
    code: z.string().describe("BadRequest, Unauthorized, NotFound, Conflict, PayloadTooLarge, TooManyRequests, ..."),
    message: z.string().describe("What was wrong and how to fix it"),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Error" });

/** The error responses every authenticated route may give. */
export const errorResponses = {
  400: errorResponse,
  401: errorResponse,
  404: errorResponse,
  409: errorResponse,
  413: errorResponse,
  429: errorResponse,
};

/** An address to look for (a filter): all lowercase, or mixed case matching its EIP-55 checksum. */
export const address = addressSchema({ zero: "allow" });

/** An account that pays or is paid: {@link address}, and never the zero address. */
export const accountAddress = addressSchema({ zero: "refuse" });

/**
 * Free text: well-formed Unicode without NUL characters (which PostgreSQL cannot store), at most `max` characters.
 */
const freeText = (max: number, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((value) => !value.includes("\u0000"), { message: "must not contain NUL characters" })
    .refine((value) => value.isWellFormed(), { message: "must be well-formed Unicode (no lone surrogates)" });

const text = (max: number) => freeText(max, 1);

const customerId = text(255).describe("Your own id for the customer");

/** Unix seconds a subscription's times may take: the contract stores them as uint40, and they are after 1970. */
const LATEST = Date.UTC(3000, 0, 1);

const isoDateTime = z.iso
  .datetime({ offset: true, message: "must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z" })
  .transform((value) => new Date(value))
  .refine((date) => date.getTime() >= 0 && date.getTime() < LATEST, {
    message: "must be between 1970 and the year 3000",
  });

const httpUrl = z
  .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
  .max(2_048, { message: "must be at most 2048 characters" })
  .refine((value) => ![...value].some((char) => char.charCodeAt(0) < 0x20), {
    message: "must not contain control characters",
  });

const limit = z.coerce.number().int().min(1).max(100).default(20).describe("Page size, 1-100 (default 20)");
const offset = z.coerce.number().int().min(0).max(1_000_000).default(0);

export const planIdParams = z.strictObject({ id: text(64) });
export const contractAddressParams = z.strictObject({ contractAddress: text(64) });
export const checkoutSessionParams = z.strictObject({ id: text(64) });

export const listPlansQuery = z.strictObject({
  limit,
  offset,
  statusIn: z
    .string()
    .max(64)
    .optional()
    .describe("Comma-separated plan statuses (merchants only); default Active")
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const statuses = value.split(",").map((status) => status.trim());
      for (const status of statuses) {
        if (!(PLAN_STATUSES as readonly string[]).includes(status)) {
          ctx.addIssue({ code: "custom", message: `unknown plan status "${status}": use ${PLAN_STATUSES.join(", ")}` });
          return z.NEVER;
        }
      }
      return statuses as (typeof PLAN_STATUSES)[number][];
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

export const createSubscriptionBody = z.strictObject({
  planId: text(64),
  customerId,
  payer: accountAddress.describe("The payer's wallet address (all lowercase, or EIP-55 checksummed)"),
  startFrom: isoDateTime
    .optional()
    .describe(
      "The first charge: more than a minute from now makes a free trial until then; none, a past time or now " +
        "charges the first period at activation",
    ),
  metadata: freeText(4_096).optional().describe("Passed back in webhooks"),
  maxPeriods: z.number().int().min(1).max(65_535).optional(),
});

export const listSubscriptionsQuery = z.strictObject({
  customerId: customerId.optional(),
  payer: address.optional(),
  statusIn: z
    .string()
    .max(256)
    .optional()
    .describe("Comma-separated statuses")
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const statuses = value.split(",").map((status) => status.trim());
      for (const status of statuses) {
        if (!(SUBSCRIPTION_STATUSES as readonly string[]).includes(status)) {
          ctx.addIssue({
            code: "custom",
            message: `unknown status "${status}": use ${SUBSCRIPTION_STATUSES.join(", ")}`,
          });
          return z.NEVER;
        }
      }
      return statuses as (typeof SUBSCRIPTION_STATUSES)[number][];
    }),
  limit,
  offset,
});

const uint256 = z.string().regex(/^\d{1,78}$/, { message: "must be a decimal integer string" });
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, { message: "must be 0x and 64 hex characters" });

export const permitBody = z
  .strictObject({
    value: uint256.describe("Allowance granted, token base units"),
    deadline: uint256.describe("Unix seconds"),
    v: z.number().int().min(27).max(28),
    r: bytes32,
    s: bytes32,
  })
  .describe("An EIP-2612 permit the payer signed for the subscription's address");

/** Optional: a POST without a body is fine. */
export const activateBody = z.strictObject({ permit: permitBody.optional() }).nullish();

export const customerTokenBody = z.strictObject({ customerId });

export const hintBody = z.strictObject({
  hash: bytes32.describe("Transaction hash"),
  blockchain: text(32).describe("Chain name"),
});

export const createCheckoutSessionBody = z.strictObject({
  planId: text(64),
  customerId,
  successUrl: httpUrl.describe("Where the payer returns after subscribing (with sessionId, contractAddress, status)"),
  cancelUrl: httpUrl.describe("Where the payer returns if they give up"),
  lang: z.enum(["en", "es", "ru"]).default("en"),
  expiresInHours: z.number().int().min(1).max(720).default(24),
  metadata: freeText(4_096).optional(),
  maxPeriods: z.number().int().min(1).max(65_535).optional(),
  startFrom: isoDateTime.optional().describe("As for a subscription: a later first charge is a free trial"),
});

export const sessionDraftBody = z.strictObject({ payer: accountAddress });
