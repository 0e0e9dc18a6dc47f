import type { FastifyRequest } from "fastify";
import { getAddress, isAddress } from "viem";
import { z } from "zod";
import type { RequestOptions } from "../../../server/client/RecurClient.js";

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

/** The optional idempotency key of a POST, passed on so that a retried click writes nothing twice. */
export const idempotencyHeaders = z.looseObject({ "x-idempotency-key": z.string().min(1).max(255).optional() });

export function idempotencyOf(request: FastifyRequest): RequestOptions {
  const key = request.headers["x-idempotency-key"];
  return typeof key === "string" ? { idempotencyKey: key } : {};
}
