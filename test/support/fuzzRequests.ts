import fc from "fast-check";
import type { Fixtures } from "./fuzzFixtures.js";
import {
  contentType,
  headerValue,
  idempotencyKey,
  jsonText,
  mutatedBody,
  pathParameter,
  queryString,
  strayBody,
} from "./fuzzValues.js";
import type { Prober } from "./Prober.js";
import { type HeaderValue, nowSeconds, type Probe, signatureHeaders } from "./rawHttp.js";

/*
 * Requests for the property-based tests: what a route takes, a generated request to it with its credentials (signed
 * only when sent, so that signatures are fresh), and the run that sends them.
 */

/** How long one fuzzing property may start new runs (see {@link timeBoxed}). */
export const TIME_LIMIT_MS = 25_000;

/**
 * `predicate`, made to do nothing once {@link TIME_LIMIT_MS} has passed since the property was built: the runs left
 * then pass at once, and the run under way always finishes. (fast-check's `interruptAfterTimeLimit` stops waiting
 * for a run that is under way but cannot stop it: on a loaded machine such a run went on probing in the background,
 * writing rows while the next test counted them.)
 */
export function timeBoxed<T extends unknown[]>(
  predicate: (...args: T) => Promise<void>,
): (...args: T) => Promise<void> {
  const deadline = Date.now() + TIME_LIMIT_MS;
  return async (...args) => {
    if (Date.now() > deadline) return;
    await predicate(...args);
  };
}

/** Who a route lets in: a signed merchant request, that or a customer token, or anyone. */
export type Access = "merchant" | "merchantOrCustomer" | "public";

export interface RouteSpec {
  method: "GET" | "POST" | "PUT";
  /** The path, with `{}` for its parameter. */
  path: string;
  access: Access;
  /** Real ids for the path parameter. */
  ids?: readonly string[];
  /** Valid-looking bodies, which the fuzzing mutates; absent when the route takes no body. */
  body?: { valid: fc.Arbitrary<Record<string, unknown>>; keys: readonly string[] };
  /** Valid-looking values of the query parameters the route knows. */
  query?: Record<string, fc.Arbitrary<string>>;
}

/** Valid-looking bodies with `required` keys always present and `optional` ones sometimes. */
export function bodyOf(
  required: Record<string, fc.Arbitrary<unknown>>,
  optional: Record<string, fc.Arbitrary<unknown>> = {},
): NonNullable<RouteSpec["body"]> {
  const valid = fc.record({ ...required, ...optional }, { requiredKeys: Object.keys(required) });
  return { valid, keys: [...Object.keys(required), ...Object.keys(optional)] };
}

/** How a request authenticates, resolved (and signed) only when it is sent, so that signatures are fresh. */
export type Auth =
  | { kind: "merchant" | "otherMerchant" | "customer" | "stranger" | "none" }
  | { kind: "stale"; skewSeconds: number }
  | { kind: "tampered"; part: "method" | "path" | "body" | "secret" | "key" }
  | { kind: "garbled"; signed: boolean; headers: Record<string, HeaderValue> };

/** A request to send; signing happens at send time. */
export interface RequestPlan {
  method: string;
  path: string;
  body: string | undefined;
  contentType: string | undefined;
  auth: Auth;
  idempotencyKey: HeaderValue | undefined;
  chunked: boolean;
}

const CREDENTIAL_HEADERS = ["x-api-key", "x-api-ts", "x-api-sig", "authorization"];

export const garbledAuth: fc.Arbitrary<Auth> = fc.record({
  kind: fc.constant("garbled" as const),
  signed: fc.boolean(),
  headers: fc.dictionary(fc.constantFrom(...CREDENTIAL_HEADERS), headerValue, { minKeys: 1, maxKeys: 4 }),
});

export function authArbitrary(access: Access): fc.Arbitrary<Auth> {
  const simple = (kind: "merchant" | "otherMerchant" | "customer" | "stranger" | "none") => fc.constant<Auth>({ kind });
  const others: fc.WeightedArbitrary<Auth>[] = [
    { weight: 1, arbitrary: simple("otherMerchant") },
    { weight: 1, arbitrary: simple("stranger") },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.integer({ min: -1_000_000, max: -301 }), fc.integer({ min: 301, max: 1_000_000 }))
        .map((skewSeconds): Auth => ({ kind: "stale", skewSeconds })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom("method", "path", "body", "secret", "key")
        .map((part): Auth => ({ kind: "tampered", part })),
    },
    { weight: 3, arbitrary: garbledAuth },
  ];
  const main =
    access === "public"
      ? [{ weight: 8, arbitrary: simple("none") }]
      : access === "merchant"
        ? [{ weight: 10, arbitrary: simple("merchant") }]
        : [
            { weight: 7, arbitrary: simple("merchant") },
            { weight: 4, arbitrary: simple("customer") },
          ];
  return fc.oneof(...main, { weight: 1, arbitrary: simple(access === "public" ? "merchant" : "none") }, ...others);
}

function bodyArbitrary(route: RouteSpec): fc.Arbitrary<string | undefined> {
  if (!route.body) return fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, strayBody);
  return fc.oneof({ weight: 6, arbitrary: jsonText(mutatedBody(route.body.valid, route.body.keys)) }, strayBody);
}

/** How fast-check prints a request plan in a counterexample: long strings cut short. */
export function printable(plan: RequestPlan): RequestPlan {
  const print = () =>
    JSON.stringify(plan, (_key, value: unknown) =>
      typeof value === "string" && value.length > 200 ? `${value.slice(0, 200)}... (${value.length} chars)` : value,
    );
  return Object.assign(plan, { [fc.toStringMethod]: print });
}

export function requestArbitrary(route: RouteSpec): fc.Arbitrary<RequestPlan> {
  const path = fc
    .tuple(route.ids ? pathParameter(route.ids) : fc.constant(""), queryString(route.query))
    .map(([parameter, query]) => `${route.path.replace("{}", parameter)}${query}`);
  return fc
    .record({
      method: fc.oneof({ weight: 20, arbitrary: fc.constant(route.method) }, fc.constantFrom("PUT", "PATCH", "DELETE")),
      path,
      body: bodyArbitrary(route),
      contentType,
      auth: authArbitrary(route.access),
      idempotencyKey: route.method !== "GET" ? idempotencyKey : fc.constant(undefined),
      chunked: fc.boolean(),
    })
    .map(printable);
}

/** The request headers `auth` stands for, signed now. */
function credentialHeaders(auth: Auth, plan: RequestPlan, fixtures: Fixtures): Record<string, HeaderValue> {
  const { merchant, otherMerchant } = fixtures;
  switch (auth.kind) {
    case "merchant":
      return signatureHeaders(merchant, plan);
    case "otherMerchant":
      return signatureHeaders(otherMerchant, plan);
    case "customer":
      return { authorization: `Bearer ${fixtures.customerToken}` };
    case "stranger":
      return { authorization: `Bearer ${fixtures.strangerToken}` };
    case "none":
      return {};
    case "stale":
      return signatureHeaders(merchant, plan, String(nowSeconds() + auth.skewSeconds));
    case "tampered": {
      const { part } = auth;
      if (part === "secret") return signatureHeaders({ ...merchant, apiSecret: otherMerchant.apiSecret }, plan);
      if (part === "key") return signatureHeaders({ ...merchant, apiKey: otherMerchant.apiKey }, plan);
      const signed = {
        method: part === "method" ? (plan.method === "GET" ? "POST" : "GET") : plan.method,
        path: part === "path" ? `${plan.path}x` : plan.path,
        body: part === "body" ? `${plan.body ?? ""} ` : plan.body,
      };
      return signatureHeaders(merchant, signed);
    }
    case "garbled":
      return { ...(auth.signed ? signatureHeaders(merchant, plan) : {}), ...auth.headers };
  }
}

export function materialise(plan: RequestPlan, fixtures: Fixtures): Probe {
  const headers: Record<string, HeaderValue> = {};
  if (plan.contentType !== undefined) headers["content-type"] = plan.contentType;
  if (plan.idempotencyKey !== undefined) headers["x-idempotency-key"] = plan.idempotencyKey;
  Object.assign(headers, credentialHeaders(plan.auth, plan, fixtures));
  return { method: plan.method, path: plan.path, body: plan.body, headers, chunked: plan.chunked };
}

/** Sends, `numRuns` times, one generated request to each of `routes`, checking every answer. */
export async function fuzzRoutes(
  prober: Prober,
  fixtures: Fixtures,
  routes: RouteSpec[],
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.tuple(...routes.map(requestArbitrary)),
      timeBoxed(async (plans) => {
        for (const plan of plans) await prober.check(materialise(plan, fixtures));
      }),
    ),
    { numRuns },
  );
}

/** A correctly signed request with an optional JSON body (public routes ignore the signature). */
export function signedProbe(fixtures: Fixtures, method: string, path: string, body?: unknown): Probe {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, HeaderValue> = signatureHeaders(fixtures.merchant, { method, path, body: text });
  if (text !== undefined) headers["content-type"] = "application/json";
  return { method, path, body: text, headers, chunked: false };
}
