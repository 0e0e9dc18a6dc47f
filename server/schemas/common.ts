import { z } from "zod";
import { addressSchema } from "../chain/addressSchema.js";

/*
 * The field types the API's request and resource schemas are built from. Request fields validate (and may
 * transform); resource fields only describe what the API answers with.
 */

/** An address to look for (a filter): all lowercase, or mixed case matching its EIP-55 checksum. */
export const address = addressSchema({ zero: "allow" });

/** An account that pays or is paid: {@link address}, and never the zero address. */
export const accountAddress = addressSchema({ zero: "refuse" });

/**
 * Free text: well-formed Unicode without NUL characters (which PostgreSQL cannot store), at most `max` characters.
 */
export const freeText = (max: number, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((value) => !value.includes("\u0000"), { message: "must not contain NUL characters" })
    .refine((value) => value.isWellFormed(), { message: "must be well-formed Unicode (no lone surrogates)" });

/** {@link freeText} of at least one character. */
export const text = (max: number) => freeText(max, 1);

export const customerId = text(255).describe("Your own id for the customer");

/** Unix seconds a subscription's times may take: the contract stores them as uint40, and they are after 1970. */
const LATEST = Date.UTC(3000, 0, 1);

/** An ISO 8601 date-time with a time zone, given as a `Date`. */
export const isoDateTime = z.iso
  .datetime({ offset: true, message: "must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z" })
  .transform((value) => new Date(value))
  .refine((date) => date.getTime() >= 0 && date.getTime() < LATEST, {
    message: "must be between 1970 and the year 3000",
  });

/** An http(s) URL a browser is sent back to. */
export const httpUrl = z
  .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
  .max(2_048, { message: "must be at most 2048 characters" })
  .refine((value) => ![...value].some((char) => char.charCodeAt(0) < 0x20), {
    message: "must not contain control characters",
  });

/** The page of a list of plans or subscriptions. */
export const limit = z.coerce.number().int().min(1).max(100).default(20).describe("Page size, 1-100 (default 20)");
export const offset = z.coerce.number().int().min(0).max(1_000_000).default(0);

/** The page of a list of webhook events, deliveries or charges. */
export const page = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

/** The query string of a route that takes none. */
export const noQuery = z.strictObject({});

/**
 * A comma-separated list of `statuses` in a query string, given as an array; `noun` names them in the refusal of an
 * unknown one.
 */
export function statusList<const Status extends string>(
  statuses: readonly Status[],
  options: { max: number; noun: string; description?: string },
) {
  const field = z.string().max(options.max).optional();
  return (options.description === undefined ? field : field.describe(options.description)).transform((value, ctx) => {
    if (value === undefined) return undefined;
    const list = value.split(",").map((status) => status.trim());
    const unknown = list.find((status) => !(statuses as readonly string[]).includes(status));
    if (unknown !== undefined) {
      ctx.addIssue({ code: "custom", message: `unknown ${options.noun} "${unknown}": use ${statuses.join(", ")}` });
      return z.NEVER;
    }
    return list as Status[];
  });
}

/** A uint256 as a decimal string. */
export const uint256 = z.string().regex(/^\d{1,78}$/, { message: "must be a decimal integer string" });

/** 32 bytes in hex: a transaction hash, a signature's r or s. */
export const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, { message: "must be 0x and 64 hex characters" });

/** Money in a resource: a decimal string with a token code, never a float. */
export const money = z.string().describe('Decimal amount and token code, e.g. "9.99 USDC"');

/** A time in a resource. */
export const isoTime = z.string().describe("ISO 8601 date-time");

/** An address in a resource: checksummed. */
export const checksummedAddress = z.templateLiteral(["0x", z.string()]).describe("0x-prefixed, checksummed address");
