import { getAddress } from "viem";
import { z } from "zod";
import { type AddressProblem, addressProblem } from "../../src/validation/addressProblem.js";

/*
 * What the browser may send along, checked here for shape; the platform checks the values and its refusals reach
 * the browser as it words them.
 */

export const page = {
  limit: z.coerce.number().int().optional(),
  offset: z.coerce.number().int().optional(),
};

export const statusIn = z.string().max(256).optional().describe("Comma-separated statuses");

/** What each address problem is answered with, after the field's name. */
const ADDRESS_PROBLEMS: Record<AddressProblem, string> = {
  malformed: "must be a 0x-prefixed 20-byte hex address",
  checksum:
    "is not a valid EIP-55 checksummed address (its mixed case does not match its checksum): check it for a typo, or write it all in lowercase",
  zero: "must not be the zero address, which nobody holds",
};

/**
 * An account or contract address a browser sends, by the site's one address rule (all-lowercase or EIP-55
 * checksummed, never the zero address), in its checksummed form.
 */
export const address = z.string().transform((value, context) => {
  const problem = addressProblem(value);
  if (problem) {
    context.addIssue({ code: "custom", message: ADDRESS_PROBLEMS[problem] });
    return z.NEVER;
  }
  return getAddress(value);
});

export const addressParams = z.strictObject({ address });

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
