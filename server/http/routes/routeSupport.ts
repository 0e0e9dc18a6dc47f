import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { Services } from "../../domain/Services.js";
import type { Authenticator, Principal } from "../authenticate.js";

/** What every route plugin is registered with. */
export interface RouteOptions {
  services: Services;
  authenticator: Authenticator;
}

/** Marks the hooks below, so that `buildApp` limits their routes per key rather than per client address. */
const AUTHENTICATES = Symbol("authenticates");

/** Marks the hook that admits merchants alone, so that `buildApp` answers no browser's cross-origin call to it. */
const MERCHANT_ONLY = Symbol("merchantOnly");

/** Whether `hook` is one of the authentication hooks below. */
export function authenticates(hook: unknown): boolean {
  return typeof hook === "function" && AUTHENTICATES in hook;
}

/** Whether `hook` admits signed merchant requests only (no customer token, nothing public). */
export function merchantOnly(hook: unknown): boolean {
  return typeof hook === "function" && MERCHANT_ONLY in hook;
}

/** `preValidation` hook: a signed merchant request, checked before the body is validated. */
export function requireMerchant(authenticator: Authenticator) {
  return Object.assign(
    async (request: FastifyRequest) => {
      request.principal = await authenticator.merchant(request);
    },
    { [AUTHENTICATES]: true, [MERCHANT_ONLY]: true },
  );
}

/** `preValidation` hook: a signed merchant request or a customer token. */
export function requireMerchantOrCustomer(authenticator: Authenticator) {
  return Object.assign(
    async (request: FastifyRequest) => {
      request.principal = await authenticator.merchantOrCustomer(request);
    },
    { [AUTHENTICATES]: true },
  );
}

/** Whose idempotency keys a caller's requests use. */
export function idempotencyScope(principal: Principal): string {
  return principal.kind === "merchant"
    ? `merchant:${principal.merchantId}`
    : `customer:${principal.merchantId}:${principal.customerId}`;
}

/** The optional idempotency header of every POST, for validation and the OpenAPI document. */
export const idempotencyHeaders = z.looseObject({
  "x-idempotency-key": z
    .string()
    .optional()
    .describe("Same key and body: the first response again, nothing written twice; same key, other body: 409"),
});

export const merchantSecurity: { [scheme: string]: string[] }[] = [{ apiKey: [] }, { basicAuth: [] }];
export const merchantOrCustomerSecurity: { [scheme: string]: string[] }[] = [
  { apiKey: [] },
  { basicAuth: [] },
  { customerToken: [] },
];
