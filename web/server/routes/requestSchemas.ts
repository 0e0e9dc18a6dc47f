import { getAddress, isAddress } from "viem";
import { z } from "zod";

/*
 * What the browser may send along, checked here for shape; the platform checks the values and its refusals reach
 * the browser as it words them.
 */

export const page = {
  limit: z.coerce.number().int().optional(),
  offset: z.coerce.number().int().optional(),
};

export const statusIn = z.string().max(256).optional().describe("Comma-separated statuses");

export const addressParams = z.strictObject({
  address: z
    .string()
    .refine((value) => isAddress(value, { strict: false }), { error: "must be a 0x-prefixed 20-byte hex address" })
    .transform((value) => getAddress(value)),
});

/**
 * The optional idempotency key of a POST, so that a retried click writes nothing twice; forwarded only as
 * `ForwardedIdempotencyKeys` derives it, never as sent.
 */
export const idempotencyHeaders = z.looseObject({
  "x-idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, { error: "must be 1-255 printable ASCII characters without spaces" })
    .optional(),
});
